//go:build !race

package web_test

// The walk over every page runs without the race detector, in its own
// step of scripts/test.sh: it is bound by Chromium (axe-core's rules
// in the page), the detector only slows the server's side of it, and
// the handlers it calls run under the detector in the other cockpit
// tests. Under -race this file is left out; make test always runs it.

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

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
// pages show no English service text. Each language walks in a tab of
// its own, side by side (the walk is bound by Chromium, which then uses
// two cores); the pages only read, so the walks do not disturb each other.
func TestBrowserEveryPageAccessibleAndFits(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	pages := everyPage(t, e)
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			walkEveryPage(t, e, pages, lang)
		})
	}
}

// walkEveryPage is one language's walk: the sign-in page signed out,
// then the decline form and every page signed in.
func walkEveryPage(t *testing.T, e *cockpitEnv, pages []cockpitPage, lang string) {
	p := tab(t, e.URL)
	start := time.Now()
	// Signed out: the sign-in page, in English (the browser's language)
	// or switched to German.
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

	p.do(chromedp.EmulateViewport(1366, 900))
	p.signIn(e.Email, e.Password)
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
	t.Logf("%d pages in %s at two widths: %v", len(pages), lang, time.Since(start))
}
