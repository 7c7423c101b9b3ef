package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
)

// TestRecordErrorInTheUILanguage: a schedule's error sample names the
// record and what to do in the page's language, keeping the service's
// text as the raw detail; text it does not know still gets a sentence.
func TestRecordErrorInTheUILanguage(t *testing.T) {
	t.Parallel()
	de, en := localizers(t)
	for _, tc := range []struct{ in, de, en string }{
		{`contact r-hans: is_birthday: "unbekannt" is not a date (use YYYY-MM-DD, DD.MM.YYYY or RFC 3339)`,
			"Kontakt r-hans: „unbekannt“ ist kein Datum.", "Contact r-hans: “unbekannt” is not a date."},
		{`object quals/q-1: contact.attributes has no field 'expires' (guard optional fields with has(contact.attributes))`,
			"Objekt quals/q-1: Dem Datensatz fehlt das Feld „expires“. Ergänzen Sie es oder prüfen Sie es in der Bedingung zuerst mit has(contact.attributes.expires).",
			"Object quals/q-1: The record has no field “expires”."},
		{`contact c-1: the value is empty, not a date`, "Kontakt c-1: Das Datumsfeld ist leer.", "Contact c-1: The date field is empty."},
		{`contact c-1: cannot apply '>' to object.status (string) and 3 (int)`, "Kontakt c-1: Die Bedingung vergleicht Werte verschiedener Art", "Contact c-1: The condition compares values of different kinds"},
		{`contact c-1: condition exceeded its cost limit (100000 units)`, "Kontakt c-1: Die Bedingung ist für diesen Datensatz zu aufwendig.", "Contact c-1: The condition is too costly"},
		{`contact c-1: something new`, "Kontakt c-1: Der Datensatz ließ sich nicht auswerten", "Contact c-1: The record could not be evaluated"},
		{`no record label here`, "Der Datensatz ließ sich nicht auswerten", "The record could not be evaluated"},
	} {
		m := de.RecordError(tc.in)
		require.Contains(t, m.Text, tc.de, tc.in)
		require.NotEmpty(t, m.Raw, "the service's text stays visible")
		require.NotContains(t, m.Text, "contact ", "no English label")
		require.Contains(t, en.RecordError(tc.in).Text, tc.en, tc.in)
	}
}

// TestWebhookErrorInTheUILanguage: a webhook attempt's transport error
// says in the page's language what happened and what to do; the error
// itself stays as the raw detail.
func TestWebhookErrorInTheUILanguage(t *testing.T) {
	t.Parallel()
	de, en := localizers(t)
	for _, tc := range []struct{ in, de, en string }{
		{`webhook endpoint refused: 10.0.0.1 is in the special range 10.0.0.0/8 (allow with --webhook-allow-private)`,
			"privaten oder besonderen Netz", "private or special network"},
		{`webhook endpoint refused: the URL must use https (the operator may allow http with --webhook-allow-http)`,
			"muss mit https:// beginnen", "must start with https://"},
		{`Post "https://crm.example/hook": resolve crm.example: lookup crm.example: no such host`, "ließ sich nicht auflösen", "could not be resolved"},
		{`Post "http://127.0.0.1:9/hook": dial tcp 127.0.0.1:9: connect: connection refused`, "hat die Verbindung abgelehnt", "refused the connection"},
		{`Post "https://crm.example/hook": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, "nicht rechtzeitig geantwortet", "did not answer in time"},
		{`Post "https://crm.example/hook": tls: failed to verify certificate: x509: certificate has expired`, "TLS-Zertifikat", "TLS certificate"},
		{`Post "https://crm.example/hook": read tcp 1.2.3.4:5->6.7.8.9:443: read: connection reset by peer`, "Verbindung brach ab", "connection broke"},
		{`something new`, "Vom Server kam keine Antwort", "No response came"},
	} {
		m := de.WebhookError(tc.in)
		require.Contains(t, m.Text, tc.de, tc.in)
		require.Equal(t, tc.in, m.Raw)
		require.Contains(t, en.WebhookError(tc.in).Text, tc.en, tc.in)
	}
}

// localizers returns a German and an English localizer over the real
// catalog.
func localizers(t *testing.T) (de, en *localizer) {
	t.Helper()
	cat, err := i18n.New()
	require.NoError(t, err)
	return &localizer{cat: cat, lang: "de", loc: time.UTC}, &localizer{cat: cat, lang: "en", loc: time.UTC}
}

// TestWebhookStateAndReasonInTheUILanguage: why an endpoint is paused or
// disabled, and an attempt's recorded reason, read as sentences in the
// page's language, with the recorded English kept as the raw detail where
// it names more than the sentence.
func TestWebhookStateAndReasonInTheUILanguage(t *testing.T) {
	t.Parallel()
	de, en := localizers(t)
	for _, tc := range []struct {
		state, de, en string
		raw           bool
	}{
		{"the endpoint answered 410 Gone", "Der Endpunkt hat mit 410 Gone geantwortet", "The endpoint answered 410 Gone", false},
		{"disabled by an admin", "Von einem Administrator abgeschaltet.", "Turned off by an admin.", false},
		{"5 failed attempts in a row; last: HTTP 503", "5 Fehlversuche in Folge; zuletzt: Antwort HTTP 503", "5 failed attempts in a row; last: answer HTTP 503", true},
		{`5 failed attempts in a row; last: Post "https://x.example/h": dial tcp 127.0.0.1:9: connect: connection refused`,
			"5 Fehlversuche in Folge; zuletzt: ", "5 failed attempts in a row; last: ", true},
		{"something else", "Vom Server kam keine Antwort", "No response came from the server", true},
	} {
		m := de.WebhookState(tc.state)
		require.Contains(t, m.Text, tc.de, tc.state)
		require.Equal(t, tc.raw, m.Raw != "", tc.state)
		require.Contains(t, en.WebhookState(tc.state).Text, tc.en, tc.state)
	}
	refused := de.WebhookState(`5 failed attempts in a row; last: Post "https://x.example/h": dial tcp 127.0.0.1:9: connect: connection refused`)
	require.Equal(t, de.WebhookError("connection refused").Text, refused.Text[len("5 Fehlversuche in Folge; zuletzt: "):],
		"the last failure is explained as on the delivery page")

	for _, tc := range []struct{ reason, de, en string }{
		{"HTTP 500", "Antwort HTTP 500", "answer HTTP 500"},
		{"HTTP 410 Gone: the endpoint is disabled", "Der Endpunkt hat mit 410 Gone geantwortet", "The endpoint answered 410 Gone"},
		{`HTTP 302: redirect to "https://y.example/" not followed`, "Weiterleitung (HTTP 302)", "A redirect (HTTP 302)"},
		{"gave up after 24h0m0s of retries; last: HTTP 502", "Nach 24 Stunden Wiederholungen aufgegeben; zuletzt: Antwort HTTP 502",
			"Gave up after 24 hours of retries; last: answer HTTP 502"},
	} {
		require.Contains(t, de.WebhookReason(tc.reason).Text, tc.de, tc.reason)
		require.Contains(t, en.WebhookReason(tc.reason).Text, tc.en, tc.reason)
	}
	require.Empty(t, de.WebhookReason("").Text)
}

// TestRunFailureInTheUILanguage: a run that stopped says so, and what to
// do, in the page's language; the internal error stays as the raw detail.
func TestRunFailureInTheUILanguage(t *testing.T) {
	t.Parallel()
	de, en := localizers(t)
	m := de.RunFailure("scan contacts: sql: database is closed")
	require.Equal(t, "Der Lauf ist abgebrochen. Starten Sie ihn erneut; bleibt der Fehler, geben Sie die Meldung darunter an Ihren Betrieb weiter.", m.Text)
	require.Equal(t, "scan contacts: sql: database is closed", m.Raw)
	require.Contains(t, en.RunFailure("x").Text, "The run stopped.")
}
