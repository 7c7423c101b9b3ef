package web_test

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
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
		{"contact quiet hours", "/contacts/p-anna", "#quiet-hours-form", map[string]string{"#f-quiet_hours": "nachts irgendwann"},
			"„nachts irgendwann“ ist keine Regel", false},
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
