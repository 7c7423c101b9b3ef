package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// axeSource is axe-core (MPL-2.0, see testdata/axe/LICENSE), vendored
// from npm (`npm pack axe-core`) so the accessibility check runs offline.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeViolation is one failed axe rule with the nodes that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core inside the page (WCAG 2.1 A and AA rules and best
// practices) and fails on every serious or critical violation, naming
// the rule, its help and the offending elements.
func (p *page) axe(name string) {
	p.t.Helper()
	loaded, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	require.NoError(p.t, err)
	if !loaded {
		p.do(chromedp.Evaluate[chromedp.Void](axeSource))
	}
	vs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
		resultTypes: ['violations']}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	require.NoError(p.t, err, "axe on %s", name)
	var b strings.Builder
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s): %s", v.ID, v.Impact, v.Help)
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-5)
				break
			}
			fmt.Fprintf(&b, "\n    %v %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	if b.Len() > 0 {
		p.t.Errorf("accessibility violations on %s:%s", name, b.String())
	}
}

// englishServiceText are phrases of the service's English errors and
// statuses. None may appear on a German page outside an element marked
// lang="en" (a raw server detail kept in small type).
var englishServiceText = regexp.MustCompile(`(?i)\b(does not exist|invalid input|is not a|must be|must lie|is required|not found|` +
	`already exists|at most \d|at least \d|use an? |give either|capture mailbox|test mailbox|is not allowed|` +
	`not an e-mail address|cannot|unknown (field|template|flow|role|key)|expected|internal error|` +
	`sent|failed|queued|suppressed|declined|awaiting)\b`)

// germanText returns the page's text without elements marked as English
// (raw server details, the "English" button) nor mail and data as the
// workspace wrote them (pre, code, iframes, input values).
func (p *page) germanText() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(() => {
		const body = document.body.cloneNode(true);
		body.querySelectorAll('[lang]:not([lang=de]), pre, code, .mono, kbd, samp, iframe, script, style, textarea, select, .key, .rcpt, .who, .detail.raw')
			.forEach(el => el.remove());
		return body.innerText;
	})()`))
	require.NoError(p.t, err)
	return s
}

// noEnglish fails when the German page shows English service text.
func (p *page) noEnglish(name string) {
	p.t.Helper()
	text := p.germanText()
	var hits []string
	for _, line := range strings.Split(text, "\n") {
		if englishServiceText.MatchString(line) {
			hits = append(hits, strings.TrimSpace(line))
		}
	}
	if len(hits) > 0 {
		p.t.Errorf("English service text on the German page %s:\n  %s", name, strings.Join(hits, "\n  "))
	}
}

// cockpitPage is one page of the walk.
type cockpitPage struct{ name, path string }

// everyPage fills the demo workspace with one of everything (a sent and a
// held message, an event without a message, a schedule run, a mailing, a
// suppression) and returns every page a user can open.
func everyPage(t *testing.T, e *cockpitEnv) []cockpitPage {
	t.Helper()
	ctx := context.Background()
	sent := e.jobRequest(t, "p-anna")
	held := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
	nothing := e.ingest(t, "job.requested", "sommerfest", map[string][]string{"promoter": {"p-anna"}}, nil)
	run := e.runBirthdays(t)
	_, err := e.svc.BroadcastPut(ctx, e.ws, &model.Broadcast{Key: "nl", Name: "Frühjahrs-Newsletter",
		Category: "newsletter", Content: &model.TemplateContent{Subject: "{{ .data.title }}", Text: "Hallo"},
		Data: map[string]any{"title": "Frühjahr"}, Audience: `contact.email.endsWith("@example.com")`, PerMinute: 120})
	require.NoError(t, err)
	_, _, err = e.svc.SuppressionAdd(ctx, e.ws, service.SuppressionInput{Email: "gesperrt@example.com", Note: "am Telefon"})
	require.NoError(t, err)
	apptest.Eventually(t, deliveryWait, func() bool {
		m, err := e.svc.MessageGet(ctx, e.ws, sent.Messages[0].ID)
		return err == nil && m.Status == model.MsgSent
	}, "the job request reaches the capture mailbox")
	return []cockpitPage{
		{"dashboard", "/"},
		{"flows", "/flows"},
		{"flow", "/flows/standard"},
		{"notification-new", "/flows/standard/notifications/_new"},
		{"projects", "/projects"},
		{"templates", "/templates"},
		{"template-new", "/templates/_new"},
		{"template-editor", "/templates/job-requested?locale=de"},
		{"confirmations", "/confirmations"},
		{"messages", "/messages"},
		{"message", "/messages/" + sent.Messages[0].ID},
		{"held-message", "/messages/" + held.Messages[0].ID},
		{"mailbox", "/mailbox"},
		{"events", "/events"},
		{"event", "/events/" + nothing.Event.ID},
		{"event-sent", "/events/" + sent.Event.ID},
		{"contacts", "/contacts"},
		{"contact", "/contacts/p-anna"},
		{"suppressions", "/suppressions"},
		{"search", "/search?q=anna"},
		{"schedules", "/schedules"},
		{"schedule-new", "/schedules/_new"},
		{"schedule", "/schedules/geburtstagsgruesse?preview=1"},
		{"schedule-edit", "/schedules/geburtstagsgruesse/edit"},
		{"schedule-run", "/schedules/geburtstagsgruesse/runs/" + run},
		{"broadcasts", "/broadcasts"},
		{"broadcast-new", "/broadcasts/_new"},
		{"broadcast", "/broadcasts/nl?preview=1"},
		{"broadcast-edit", "/broadcasts/nl/edit"},
		{"settings", "/settings"},
		{"webhooks", "/webhooks"},
	}
}

// TestBrowserEveryPageAccessibleAndFits walks every cockpit page in
// German and English, at 1366 and 390 px: axe-core finds no serious or
// critical violation, no page scrolls sideways on a phone, and the German
// pages show no English service text.
func TestBrowserEveryPageAccessibleAndFits(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	pages := everyPage(t, e)
	p := tab(t, e.URL)
	start := time.Now()
	// Signed out: the sign-in page, in English (the browser's language)
	// and in German.
	for _, lang := range []string{"en", "de"} {
		p.do(chromedp.EmulateViewport(1366, 900))
		p.open("/login")
		if lang == "de" {
			p.submitLang("de")
			p.noEnglish("sign-in")
		}
		p.axe(lang + " sign-in at 1366 px")
		p.do(chromedp.EmulateViewport(390, 844))
		p.axe(lang + " sign-in at 390 px")
		p.fitsWidth(lang + " sign-in")
	}
	p.do(chromedp.EmulateViewport(1366, 900))
	p.signIn(e.Email, e.Password)
	for _, lang := range []string{"de", "en"} {
		p.open("/")
		p.submitLang(lang)
		// The decline page answers a form: reached from a row's button.
		p.open("/confirmations")
		require.EqualValues(t, 200, p.submit(`button[name=decline_one]`))
		p.do(chromedp.WaitVisible(chromedp.ID("f-reason")))
		p.check(lang + " decline")
		p.axe(lang + " decline at 1366 px")
		if lang == "de" {
			p.noEnglish("decline")
		}
		p.do(chromedp.EmulateViewport(390, 844))
		p.axe(lang + " decline at 390 px")
		p.fitsWidth(lang + " decline")
		for _, pg := range pages {
			name := lang + " " + pg.name
			p.do(chromedp.EmulateViewport(1366, 900))
			p.open(pg.path)
			p.check(name)
			p.axe(name + " at 1366 px")
			if lang == "de" {
				p.noEnglish(name)
			}
			p.do(chromedp.EmulateViewport(390, 844))
			p.axe(name + " at 390 px")
			p.fitsWidth(name)
			if lang == "de" {
				p.screenshot("phone-" + pg.name)
			}
		}
	}
	t.Logf("%d pages in two languages at two widths: %v", len(pages), time.Since(start))
}

// submitLang switches the cockpit's language with the buttons at the top.
func (p *page) submitLang(lang string) {
	p.t.Helper()
	p.submit(`form.lang button[value=` + lang + `]`)
	p.do(chromedp.WaitVisible(chromedp.CSS(`form.lang button[value=` + lang + `][aria-pressed=true]`)))
}

// TestBrowserFailedFormsGerman sends forms with mistakes in German: each
// comes back with its summary holding the keyboard focus, every message
// in German (the service's own detail only in small type, marked
// English), no serious accessibility violation, and fitting a phone. So
// do the pages for what does not exist.
func TestBrowserFailedFormsGerman(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	p.open("/")
	p.submitLang("de")
	forms := []struct {
		name, path, form string
		fields           map[string]string
		want             string // in the field's messages
		raw              bool   // the service's detail is kept
	}{
		{"notification", "/flows/standard/notifications/_new", "#notification-form",
			map[string]string{"#f-event_type": "job.withdrawn", "#f-template": "booking-cancelled", "#f-recipients": "role:promoter\nrolle:promoter",
				"#f-condition": "contct.attributes.x == 1"},
			"Zeile 2: Ungültig\n„rolle:promoter“ ist weder eine E-Mail-Adresse noch ein Eintrag der Liste", true},
		{"flow", "/flows", `form[action="/flows"]`, map[string]string{"#f-key": "mit Leerzeichen"},
			"„mit Leerzeichen“ ist kein gültiger Name", false},
		{"settings", "/settings", `form[action="/settings"]`, map[string]string{"#f-timezone": "Berlin"},
			"„Berlin“ ist keine Zeitzone", false},
		{"user", "/settings", `form[action="/settings/users"]`, map[string]string{"#f-user_email": "anna(at)example.org",
			"#f-user_password": "ein langes Passwort"}, "„anna(at)example.org“ ist keine gültige E-Mail-Adresse", false},
		{"suppression", "/suppressions", `form[method=post][action="/suppressions"]`, map[string]string{"#f-email": "keine-adresse"},
			"Das ist keine E-Mail-Adresse", false},
	}
	for _, f := range forms {
		p.do(chromedp.EmulateViewport(1366, 900))
		p.open(f.path)
		for sel, v := range f.fields {
			p.setValue(sel, v)
		}
		// The server's checks, not the browser's, are under test.
		p.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).noValidate = true`, jsString(f.form))))
		require.EqualValues(t, 422, p.submit(f.form+` button[type=submit]`), f.name)
		p.do(chromedp.WaitVisible(chromedp.CSS(".error-summary")))
		focused, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
			`document.activeElement === document.querySelector('.error-summary')`))
		require.NoError(t, err)
		require.True(t, focused, "%s: the keyboard focus is on the error summary", f.name)
		require.Contains(t, p.text("main"), f.want, f.name)
		raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.field-errors .raw[lang=en]').length`))
		require.NoError(t, err)
		require.Equal(t, f.raw, raw > 0, "%s: the service's detail kept in small type", f.name)
		p.check(f.name)
		p.noEnglish(f.name)
		p.axe(f.name + " with mistakes")
		p.do(chromedp.EmulateViewport(390, 844))
		p.fitsWidth(f.name + " with mistakes")
		p.screenshot("failed-" + f.name)
	}

	for _, path := range []string{"/messages/00000000-0000-0000-0000-000000000000", "/flows/gibt-es-nicht",
		"/templates/gibt-es-nicht", "/contacts/niemand", "/schedules/nie", "/gibt-es-nicht"} {
		resp, err := chromedp.RunResponse(p.ctx, chromedp.Navigate(e.URL+path))
		require.NoError(t, err)
		require.EqualValues(t, 404, resp.Status, path)
		require.Contains(t, p.text("main"), "Nicht gefunden", path)
		p.noEnglish(path)
		p.axe(path)
	}
}
