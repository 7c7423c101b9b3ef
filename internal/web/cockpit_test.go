package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/smtptest"
)

const deliveryWait = 15 * time.Second

// jobRequest sends the demo's job request to promoters.
func (e *cockpitEnv) jobRequest(t *testing.T, promoters ...string) *service.IngestResult {
	t.Helper()
	return e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": promoters},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
}

// TestBrowserTour signs in and visits every main page of the demo
// workspace, checking translations and labels and saving a screenshot of
// each for reviewers.
func TestBrowserTour(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	ctx := context.Background()
	sent := e.jobRequest(t, "p-anna", "p-clara")
	pending := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
	nothing := e.ingest(t, "job.requested", "sommerfest", map[string][]string{"promoter": {"p-anna"}}, nil)
	anna, err := e.svc.ContactGet(ctx, e.ws, "p-anna")
	require.NoError(t, err)
	anna.Attributes["birthday"] = "1990-05-17"
	_, err = e.svc.ContactPut(ctx, e.ws, anna)
	require.NoError(t, err)
	_, err = e.svc.SchedulePut(ctx, e.ws, &model.Schedule{Key: "geburtstage", Name: "Geburtstage", Enabled: true,
		Project: "messe-koeln"}, &schedule.PresetParams{Kind: schedule.PresetBirthday})
	require.NoError(t, err)
	run, err := e.svc.ScheduleRunNow(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	apptest.Eventually(t, deliveryWait, func() bool {
		pg, err := e.svc.MailboxList(ctx, e.ws, service.PageParams{})
		return err == nil && len(pg.Items) > 0
	}, "the job request reaches the capture mailbox")
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunGet(ctx, e.ws, "geburtstage", run.ID)
		return err == nil && r.Status == model.RunFinished
	}, "the schedule run finishes")

	p.open("/login")
	p.check("login")
	p.screenshot("login")
	p.do(chromedp.SendKeys(chromedp.ID("f-email"), e.Email), chromedp.SendKeys(chromedp.ID("f-password"), "wrong password"))
	require.EqualValues(t, 401, p.submit(`form[action="/login"] button[type=submit]`))
	require.Contains(t, p.text("#login-error"), "The e-mail address or the password is wrong.")
	p.signIn(e.Email, e.Password)
	require.Contains(t, p.text("header.top"), "Agentur Nord (Demo)")

	var sentID string
	for _, m := range sent.Messages {
		if m.Status == model.MsgQueued {
			sentID = m.ID
		}
	}
	require.NotEmpty(t, sentID)
	pages := []struct{ name, path, want string }{
		{"dashboard", "/", "Messages per day, last 30 days"},
		{"flows", "/flows", "Standard"},
		{"flow", "/flows/standard", "job.requested"},
		{"notification-form", "/flows/standard/notifications/_new", "Recipients"},
		{"projects", "/projects", "sends nothing"},
		{"templates", "/templates", "Jobanfrage"},
		{"template-editor", "/templates/job-requested?locale=de", "Live preview"},
		{"confirmations", "/confirmations", "ben.okafor@example.com"},
		{"messages", "/messages", "anna.berger@example.com"},
		{"message", "/messages/" + sentID, "Neue Jobanfrage"},
		{"pending-message", "/messages/" + pending.Messages[0].ID, "Approve and send"},
		{"events", "/events", "job.requested"},
		{"event", "/events/" + nothing.Event.ID, "has no notification flow assigned"},
		{"contacts", "/contacts", "Anna Berger"},
		{"contact", "/contacts/p-clara", "Why was nothing sent?"},
		{"mailbox", "/mailbox", "Download .eml"},
		{"schedules", "/schedules", "Geburtstage"},
		{"schedule", "/schedules/geburtstage?preview=1&date=2026-05-17", "anna.berger@example.com"},
		{"schedule-form", "/schedules/_new", "Start from a preset"},
		{"settings", "/settings", "Cockpit users"},
	}
	for _, pg := range pages {
		start := time.Now()
		p.open(pg.path)
		t.Logf("%s: opened in %v", pg.name, time.Since(start))
		require.Contains(t, p.text("main"), pg.want, pg.name)
		p.check(pg.name)
		p.screenshot(pg.name)
	}

	// The rendered mail sits in a sandboxed iframe without scripts.
	p.open("/messages/" + sentID)
	attrs, err := chromedp.Run(p.ctx, chromedp.Attributes(chromedp.CSS("iframe.mail")))
	require.NoError(t, err)
	require.Equal(t, "", attrs["sandbox"], "sandbox with no allowances")
	require.Contains(t, attrs["srcdoc"], "Hallo Anna Berger")
	require.Contains(t, p.text("#headers"), "Message-ID")
	require.Contains(t, p.text("#timeline"), "queued")
}

// TestBrowserNotificationForm adds a notification through the form (first
// with a mistake the form shows next to its field), finds it in the flow's
// table and switches it to inactive there.
func TestBrowserNotificationForm(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)

	p.open("/flows/standard")
	require.EqualValues(t, 200, p.submit(`a[href="/flows/standard/notifications/_new"]`))
	p.do(chromedp.WaitVisible(chromedp.ID("f-event_type")),
		chromedp.SendKeys(chromedp.ID("f-event_type"), "job.withdrawn"),
		chromedp.SetValue(chromedp.ID("f-template"), "booking-cancelled"),
		chromedp.SendKeys(chromedp.ID("f-recipients"), "role:promoter\nemail:not an address"),
		chromedp.SendKeys(chromedp.ID("f-bcc"), "role:agency"),
		chromedp.SendKeys(chromedp.ID("f-name"), "Absage an Promoter"),
	)
	require.EqualValues(t, 422, p.submit(`#notification-form button[type=submit]`))
	require.Contains(t, p.text(".alert"), "Nothing was saved")
	errText := p.text("#err-recipients")
	require.Contains(t, errText, "Line 2:")
	require.Contains(t, errText, "not a valid e-mail address")
	invalid, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.ID("f-recipients"), "aria-invalid"))
	require.NoError(t, err)
	require.Equal(t, "true", invalid.Value)
	require.Equal(t, "job.withdrawn", mustValue(t, p, "#f-event_type"), "the form keeps what was typed")
	p.screenshot("form-error")

	p.setValue("#f-recipients", "role:promoter\nemail:office@agentur-nord.example")
	require.EqualValues(t, 200, p.submit(`#notification-form button[type=submit]`))
	p.waitText(".notice", "The notification was added.")
	row := p.text("#n-job-withdrawn")
	// The demo names its roles and category: the name, then the key.
	for _, want := range []string{"job.withdrawn", "Absage an Promoter", "Buchung storniert", "Promoter promoter",
		"email:office@agentur-nord.example", "BCC Agency agency", "Transactional transactional"} {
		require.Contains(t, row, want)
	}
	require.Equal(t, "active", mustValue(t, p, "#status-job-withdrawn"))
	p.screenshot("added")

	// Switch it to inactive in place: it applies on change.
	p.choose("status-job-withdrawn", "inactive")
	p.waitText("#status-notice-job-withdrawn", "The notification is now inactive.")
	require.Equal(t, "inactive", mustValue(t, p, "#status-job-withdrawn"))
	n, err := e.svc.NotificationGet(context.Background(), e.ws, "standard", "job-withdrawn")
	require.NoError(t, err)
	require.Equal(t, model.StatusInactive, n.Status)
	require.Equal(t, []model.Recipient{"role:promoter", "email:office@agentur-nord.example"}, n.Recipients)
	require.Equal(t, []model.Recipient{"role:agency"}, n.BCC)
	p.screenshot("inactive")
}

func mustValue(t *testing.T, p *page, sel string) string {
	t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	require.NoError(t, err)
	return v
}

// TestBrowserTemplatePreview edits a template: a syntax error shows up next
// to the HTML field with its line, the fix updates the live preview, and
// the template saves.
func TestBrowserTemplatePreview(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)

	p.open("/templates/job-requested?locale=de")
	p.waitText("#preview-status", "Preview is up to date.")
	require.Contains(t, p.text("#preview-subject"), "Neue Jobanfrage: ‹job› am 15. April 2026")

	p.setValue("#f-html", "<p>Hallo {{ .recipient.name }},</p>\n<p>{{ if .data.job }}Neu: {{ .data.job }}{{ end </p>")
	p.waitText("#live-html", "Line 2")
	require.Contains(t, p.text("#preview-status"), "The template has errors")
	require.Contains(t, p.text("#live-html"), "Go to line 2")
	p.screenshot("syntax-error")
	p.do(chromedp.Click(chromedp.CSS(`#live-html button[data-goto-line="2"]`)))
	focused, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	require.NoError(t, err)
	require.Equal(t, "f-html", focused, "the button takes the keyboard to the line")

	p.setValue("#f-html", "<p>Hallo {{ .recipient.name }},</p>\n<p>{{ if .data.job }}Neu: {{ .data.job }}{{ end }}</p>")
	p.setValue("#f-subject", "Jobanfrage für {{ .project.name }}")
	p.waitText("#preview-status", "Preview is up to date.")
	p.waitText("#preview-subject", "Jobanfrage für Beispielprojekt")
	srcdoc, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('preview-html').srcdoc`))
	require.NoError(t, err)
	require.Contains(t, srcdoc, "Neu: ‹job›")
	require.Contains(t, srcdoc, "Hallo Anna Beispiel")
	require.Empty(t, strings.TrimSpace(p.text("#live-html")), "the error is gone")
	p.screenshot("fixed")

	require.EqualValues(t, 200, p.submit(`#template-form .actions button[type=submit]`))
	p.waitText(".notice", "Saved.")
	tmpl, err := e.svc.TemplateGet(context.Background(), e.ws, "job-requested")
	require.NoError(t, err)
	require.Equal(t, "Jobanfrage für {{ .project.name }}", tmpl.Locales["de"].Subject)
	require.Contains(t, tmpl.Locales["de"].HTML, "Neu: {{ .data.job }}")
	require.Contains(t, tmpl.Locales["en"].HTML, "we are looking for support", "other locales stay")
}

// TestBrowserApproveConfirmation approves a held message from the queue; it
// reaches the test's SMTP server, with the approver in its timeline.
func TestBrowserApproveConfirmation(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := demoCockpit(t, apptest.WithSMTP(srv))
	p := tab(t, e.URL)
	held := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
	require.Len(t, held.Messages, 1)
	id := held.Messages[0].ID
	require.Equal(t, model.MsgAwaitingConfirmation, held.Messages[0].Status)
	other := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-16"})

	p.signIn(e.Email, e.Password)
	require.Contains(t, p.text("nav.main-nav"), "Confirmations 2")
	p.open("/confirmations")
	require.Contains(t, p.text("#m-"+id), "Ben Okafor <ben.okafor@example.com>")
	// The queue shows each held mail as the recipient would get it.
	p.do(chromedp.Click(chromedp.CSS("#m-"+id+" .mail-preview summary")),
		chromedp.WaitVisible(chromedp.CSS("#m-"+id+" iframe.mail")))
	srcdoc, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.CSS("#m-"+id+" iframe.mail"), "srcdoc"))
	require.NoError(t, err)
	require.Contains(t, srcdoc.Value, "Hello Ben Okafor")
	p.do(chromedp.Click(chromedp.ID("sel-" + id)))
	p.screenshot("selected")
	require.EqualValues(t, 200, p.submit(`#decide-form button[value=approve]`))
	p.waitText(".notice", "Approved: “Booking confirmed: Messe Köln 2026” to ben.okafor@example.com is queued for delivery.")

	mails := srv.WaitForMails(t, 1, deliveryWait)
	require.Equal(t, []string{"ben.okafor@example.com"}, mails[0].Rcpts)
	require.Equal(t, "Booking confirmed: Messe Köln 2026", mails[0].Subject)
	e.WithKey(e.App.Demo.Secret).WaitStatus(id, "sent", deliveryWait)
	require.Equal(t, "awaiting_confirmation", e.WithKey(e.App.Demo.Secret).MessageStatus(other.Messages[0].ID),
		"only the checked message was approved")

	p.open("/messages/" + id)
	timeline := p.text("#timeline")
	require.Contains(t, timeline, "approved")
	require.Contains(t, timeline, "by Demo <demo@localhost>")
	require.Contains(t, timeline, "sent")
	p.screenshot("delivered")

	// Decline the other one from its own page.
	p.open("/messages/" + other.Messages[0].ID)
	require.EqualValues(t, 200, p.submit(`.decide button[value=decline]`))
	// Declining asks first; confirmed, it returns to the message.
	require.EqualValues(t, 200, p.submit(`#decline-confirm`))
	p.waitText(".notice", "Declined: “Buchung bestätigt: Messe Köln 2026” to anna.berger@example.com will not be sent.")
	require.Contains(t, p.text("main"), "declined")
	require.Equal(t, 1, srv.Count(), "a declined message is never sent")
}

// TestBrowserExplainWithoutFlow reads why an event of a project without a
// flow sent nothing, in English and German, from the event and from the
// contact.
func TestBrowserExplainWithoutFlow(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	res := e.ingest(t, "job.requested", "sommerfest", map[string][]string{"promoter": {"p-anna"}}, nil)
	require.Empty(t, res.Messages)

	p.signIn(e.Email, e.Password)
	p.open("/events")
	require.EqualValues(t, 200, p.submit(fmt.Sprintf(`a[href="/events/%s"]`, res.Event.ID)))
	p.waitText("#why", "Nothing was sent: project sommerfest has no notification flow assigned.")
	require.Contains(t, p.text("#why .summary"), "No message was sent for this event.")
	p.screenshot("event-en")

	p.open("/contacts/p-anna")
	p.waitText("#why", "Nothing was sent: project sommerfest has no notification flow assigned.")

	p.open("/events/" + res.Event.ID)
	require.EqualValues(t, 200, p.submit(`form.lang button[value=de]`))
	p.waitText("#why", "Nichts wurde gesendet: Dem Projekt sommerfest ist kein Benachrichtigungsablauf zugeordnet.")
	p.screenshot("event-de")

	// The fix is one step away: assign a flow right there.
	p.do(chromedp.SetValue(chromedp.ID("assign-flow"), "standard"))
	require.EqualValues(t, 200, p.submit(`form.fix button[type=submit]`))
	p.waitText(".notice", "Der Ablauf wurde zugewiesen.")
	pr, err := e.svc.ProjectGet(context.Background(), e.ws, "sommerfest")
	require.NoError(t, err)
	require.Equal(t, "standard", pr.Flow)
}

// TestBrowserLanguageSwitch follows the browser's language, switches to
// German and back, and keeps the choice across pages and sign-in.
func TestBrowserLanguageSwitch(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	p.open("/login")
	require.Equal(t, "Sign in to Herold", p.text("h1"))
	lang, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	require.NoError(t, err)
	require.Equal(t, "en", lang)

	require.EqualValues(t, 200, p.submit(`form.lang button[value=de]`))
	p.waitText("h1", "Bei Herold anmelden")
	p.do(chromedp.SendKeys(chromedp.ID("f-email"), e.Email), chromedp.SendKeys(chromedp.ID("f-password"), e.Password))
	require.EqualValues(t, 200, p.submit(`form[action="/login"] button[type=submit]`))
	p.waitText("nav.main-nav", "Abläufe")
	require.Equal(t, "Übersicht", p.text("h1"))
	e.jobRequest(t, "p-anna")
	p.open("/messages")
	// Dates in German form, in the workspace's zone: the fake clock is at
	// 09:00 in Berlin.
	require.Contains(t, p.text("#messages"), "02.03.2026, 09:00")
	p.screenshot("german")

	require.EqualValues(t, 200, p.submit(`form.lang button[value=en]`))
	p.waitText("h1", "Messages")
	require.Contains(t, p.text("#messages"), "2 Mar 2026, 09:00")
	require.Contains(t, p.text("nav.main-nav"), "Flows")
}
