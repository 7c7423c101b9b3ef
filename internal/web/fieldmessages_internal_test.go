package web

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// TestFieldMessageParts: the service details the cockpit meets often get
// a sentence in the page's language with the value they name; others get
// the code's sentence, with the service's English detail kept apart on a
// German page (shown in small type) and joined on an English one.
func TestFieldMessageParts(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	de := &localizer{cat: cat, lang: "de", loc: time.UTC}
	en := &localizer{cat: cat, lang: "en", loc: time.UTC}
	for _, tc := range []struct {
		f      service.FieldError
		de, en fieldMsg
	}{
		{service.FieldError{Code: service.CodeInvalid, Detail: fmt.Sprintf("%q is not a valid name: %s", "no spaces", model.NameRule())},
			fieldMsg{Text: "„no spaces“ ist kein gültiger Name: Buchstaben, Ziffern, „.“, „_“ oder „-“ (höchstens 100), am Anfang ein Buchstabe oder eine Ziffer."},
			fieldMsg{Text: "“no spaces” is not a valid name: use letters, digits, “.”, “_” or “-” (at most 100), starting with a letter or digit."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: func() string { _, _, err := model.Recipient("anna@example.org").Parse(); return err.Error() }()},
			fieldMsg{Text: "„anna@example.org“ ist kein Empfänger: Schreiben Sie role:NAME, contact:ID, eine E-Mail-Adresse oder watchers."},
			fieldMsg{Text: "“anna@example.org” is not a recipient: write role:NAME, contact:ID, an e-mail address or watchers."}},
		{service.FieldError{Code: service.CodeUnknownRef, Detail: `template "jobanfrage" does not exist`},
			fieldMsg{Text: "Die Vorlage „jobanfrage“ gibt es nicht."}, fieldMsg{Text: "There is no template “jobanfrage”."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: `"Berlin" is not a time zone; use an IANA name such as Europe/Berlin`},
			fieldMsg{Text: "„Berlin“ ist keine Zeitzone: Geben Sie einen Namen wie Europe/Berlin an."},
			fieldMsg{Text: "“Berlin” is not a time zone: give a name such as Europe/Berlin."}},
		{service.FieldError{Code: service.CodeTooLong, Detail: "at most 500 characters"},
			fieldMsg{Text: "Zu lang: höchstens 500 Zeichen."}, fieldMsg{Text: "Too long: at most 500 characters."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: `"99 * * * *" is not a cron expression (minute hour day-of-month month day-of-week, e.g. "0 6 * * *"): end of range (99) above maximum (59): 99`},
			fieldMsg{Text: "„99 * * * *“: 99 ist zu groß; an dieser Stelle ist höchstens 59 erlaubt (Minute 0–59, Stunde 0–23, Tag 1–31, Monat 1–12, Wochentag 0–6)."},
			fieldMsg{Text: "“99 * * * *”: 99 is too large; at most 59 is allowed there (minute 0–59, hour 0–23, day 1–31, month 1–12, weekday 0–6)."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: `"x * * * *" is not a cron expression (minute hour day-of-month month day-of-week, e.g. "0 6 * * *"): failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax`},
			fieldMsg{Text: "„x * * * *“ ist kein Cron-Ausdruck: Schreiben Sie fünf Felder – Minute, Stunde, Tag, Monat, Wochentag –, z. B. 0 6 * * * für täglich um 6:00 Uhr."},
			fieldMsg{Text: "“x * * * *” is not a cron expression: write five fields – minute, hour, day, month, weekday – e.g. 0 6 * * * for daily at 6:00."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: "the URL must use https (the operator may allow http with --webhook-allow-http)"},
			fieldMsg{Text: "Die URL muss mit https:// beginnen; http:// kann nur der Betreiber erlauben (--webhook-allow-http)."},
			fieldMsg{Text: "The URL must start with https://; only the operator can allow http:// (--webhook-allow-http)."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: `"1x" is not a duration; write e.g. 15m, 1h or 24h`},
			fieldMsg{Text: "„1x“ ist keine Dauer: Schreiben Sie z. B. 15m, 1h oder 24h."}, fieldMsg{Text: "“1x” is not a duration: write e.g. 15m, 1h or 24h."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: "must be 1 to 100000 messages"},
			fieldMsg{Text: "Die Anzahl muss zwischen 1 und 100000 Nachrichten liegen."}, fieldMsg{Text: "The count must be 1 to 100000 messages."}},
		{service.FieldError{Code: service.CodeInvalid, Detail: "must be between 1 and 8760 hours"},
			fieldMsg{Text: "Geben Sie eine Zahl von 1 bis 8760 Stunden an."}, fieldMsg{Text: "Enter a number of hours from 1 to 8760."}},
		// Not one of ours: the code's sentence and the detail.
		{service.FieldError{Code: service.CodeCondition, Detail: "undeclared reference to 'contct'", Line: 1, Column: 5},
			fieldMsg{Text: "Zeile 1, Spalte 5: Fehler in der Bedingung", Raw: "undeclared reference to 'contct'"},
			fieldMsg{Text: "Line 1, column 5: Condition error: undeclared reference to 'contct'"}},
		{service.FieldError{Code: "something_new", Detail: "a new rule"},
			fieldMsg{Text: "Ungültig", Raw: "a new rule"}, fieldMsg{Text: "Invalid: a new rule"}},
		// Sentences that say it all keep no detail.
		{service.FieldError{Code: service.CodeRequired, Detail: "name the address to suppress"},
			fieldMsg{Text: "Dieses Feld ist erforderlich."}, fieldMsg{Text: "This field is required."}},
		{service.FieldError{Code: service.CodeMismatch, Detail: "is not your current password"},
			fieldMsg{Text: "Das stimmt nicht überein."}, fieldMsg{Text: "This does not match."}},
	} {
		require.Equal(t, tc.de, fieldMessageParts(de, tc.f), "de: %s", tc.f.Detail)
		require.Equal(t, tc.en, fieldMessageParts(en, tc.f), "en: %s", tc.f.Detail)
	}
	// Plain text (the live preview) keeps the detail after a colon.
	require.Equal(t, "Ungültig: a new rule", fieldMessage(de, service.FieldError{Code: "x", Detail: "a new rule"}))
}

// TestConditionSyntaxInWords: the syntax errors people make most in a
// condition read as a sentence in the page's language, at their line and
// column, without the parser's token list; the issues come from real
// compiles, as the service passes them on.
func TestConditionSyntaxInWords(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	env, err := condition.New()
	require.NoError(t, err)
	for _, tc := range []struct {
		expr, de, en string
	}{
		{"object.status == 'open' &&",
			"Zeile 1, Spalte 27: Die Bedingung endet zu früh: Am Ende fehlt etwas, etwa ein Wert nach dem letzten Operator oder eine schließende Klammer.",
			"Line 1, column 27: The condition ends too early: something is missing at the end, such as a value after the last operator or a closing bracket."},
		{"(object.status == 'open'",
			"Zeile 1, Spalte 25: Am Ende fehlt „)“: Schließen Sie jede geöffnete Klammer.",
			"Line 1, column 25: “)” is missing at the end: close every bracket you open."},
		{"object.status ==\n  'open",
			"Zeile 2, Spalte 3: Ein Text, der hier mit ' beginnt, wird nicht geschlossen: Setzen Sie an sein Ende wieder ein '.",
			"Line 2, column 3: A text that starts here with ' is not closed: put another ' at its end."},
		{"object.status = 'open'",
			"Zeile 1, Spalte 15: Ein einzelnes „=“ vergleicht nicht: Schreiben Sie == für „gleich“ oder != für „ungleich“.",
			"Line 1, column 15: A single “=” does not compare: write == for “equals” or != for “does not equal”."},
		{"object.status == 'open' and x",
			"Zeile 1, Spalte 25: „and“ verknüpft keine Bedingungen: Schreiben Sie && für „und“, || für „oder“ und ! für „nicht“.",
			"Line 1, column 25: “and” does not join conditions: write && for “and”, || for “or” and ! for “not”."},
		{"object.status == 'open' )",
			"Zeile 1, Spalte 25: „)“ ist hier nicht erwartet: Fehlt davor ein Operator, ein Komma oder eine Klammer, oder ist eine zu viel?",
			"Line 1, column 25: “)” is not expected here: is an operator, a comma or a bracket missing before it, or one too many?"},
	} {
		_, err := env.Compile(tc.expr)
		var cerr *condition.CompileError
		require.True(t, errors.As(err, &cerr), "%v", err)
		is := cerr.Issues[0]
		f := service.FieldError{Code: service.CodeCondition, Detail: is.Message, Line: is.Line, Column: is.Column}
		for lang, want := range map[string]string{"de": tc.de, "en": tc.en} {
			got := fieldMessageParts(&localizer{cat: cat, lang: lang, loc: time.UTC}, f)
			require.Equal(t, fieldMsg{Text: want}, got, "%s: %s", lang, is.Message)
		}
	}
}
