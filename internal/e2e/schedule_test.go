package e2e_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

type runView struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"`
	Trigger       string   `json:"trigger"`
	Scanned       int      `json:"scanned"`
	Matched       int      `json:"matched"`
	Excluded      int      `json:"excluded"`
	Emitted       int      `json:"emitted"`
	Skipped       int      `json:"skipped"`
	Errors        int      `json:"errors"`
	ErrorSamples  []string `json:"error_samples"`
	ReportMessage string   `json:"report_message"`
}

// runNow starts a run through the API and waits for it to finish.
func runNow(t *testing.T, e *apptest.Env, key string) runView {
	t.Helper()
	var run runView
	e.Must(202, "POST", "/v1/schedules/"+key+"/run", nil).JSON(t, &run)
	require.Equal(t, "manual", run.Trigger)
	return waitRun(t, e, key, run.ID)
}

func waitRun(t *testing.T, e *apptest.Env, key, id string) runView {
	t.Helper()
	var run runView
	apptest.Eventually(t, wait, func() bool {
		e.Must(200, "GET", "/v1/schedules/"+key+"/runs/"+id, nil).JSON(t, &run)
		return run.Status == "finished" || run.Status == "failed"
	}, "run %s of %s did not finish", id, key)
	require.Equal(t, "finished", run.Status, "%+v", run)
	return run
}

// associationEnv sets up an association ("Verein") delivering to srv: a
// project whose flow greets members on their birthday (consent category
// "birthday") and tells holders about expired and expiring qualifications.
func associationEnv(t *testing.T, srv *smtptest.Server, start time.Time, modify ...func(*apptest.Setup)) (*apptest.Env, *client.Client) {
	t.Helper()
	modify = append([]func(*apptest.Setup){apptest.WithSMTP(srv), func(s *apptest.Setup) { s.Clock.Set(start) }}, modify...)
	e := apptest.Start(t, modify...)
	return e, configureAssociation(t, e)
}

// configureAssociation configures the association's workspace, templates,
// flow and project on e.
func configureAssociation(t *testing.T, e *apptest.Env) *client.Client {
	t.Helper()
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"name": "TV Musterstadt",
		"sender": map[string]any{"from": "TV Musterstadt <info@tv-musterstadt.example>"}})
	for key, c := range map[string]map[string]any{
		"birthday": {"subject": "Alles Gute zum {{ age .contact.birthday }}. Geburtstag, {{ .recipient.name }}!", "text": "Herzlichen Glückwunsch!"},
		"qual-expired": {"subject": "Abgelaufen: {{ .object.name }}",
			"text": "Deine Qualifikation {{ .object.name }} (Nr. {{ .object.licence }}, geprüft von {{ .object.examiner }}, ausgestellt am {{ .object.issued_on | date \"02.01.2006\" }}) ist am {{ .object.expires_on | date \"02.01.2006\" }} abgelaufen."},
		"qual-expiring": {"subject": "Läuft bald ab: {{ .object.name }}",
			"text": "{{ .object.name }} (Nr. {{ .object.licence }}) läuft am {{ .object.expires_on | date \"02.01.2006\" }} ab, in {{ days_until .object.expires_on }} Tagen."},
		"task-overdue": {"subject": "Überfällig: {{ .object.title }}", "text": "Die Aufgabe {{ .object.title }} ist überfällig."},
	} {
		e.Must(201, "PUT", "/v1/templates/"+key, map[string]any{"locales": map[string]any{"de": c}})
	}
	e.Must(201, "PUT", "/v1/flows/verein", map[string]any{"notifications": []any{
		map[string]any{"key": "birthday", "event_type": "contact.birthday", "template": "birthday",
			"recipients": []string{"role:member"}, "category": "birthday"},
		map[string]any{"key": "qual-expired", "event_type": "qualifications.date_reached", "template": "qual-expired",
			"recipients": []string{"role:holder"}},
		map[string]any{"key": "qual-expiring", "event_type": "qualifications.due_soon", "template": "qual-expiring",
			"recipients": []string{"role:holder"}},
		map[string]any{"key": "task-overdue", "event_type": "tasks.overdue", "template": "task-overdue",
			"recipients": []string{"role:assignee"}},
	}})
	e.Must(201, "PUT", "/v1/projects/verein", map[string]any{"name": "TV Musterstadt", "flow": "verein"})
	return client.MustNew(e.URL, e.Key)
}

func member(id, birthday, status string, consent bool) map[string]any {
	m := map[string]any{"id": id, "email": id + "@example.org", "name": "Mitglied " + id,
		"attributes": map[string]any{"birthday": birthday, "membership_status": status}}
	if consent {
		m["consents"] = []string{"birthday"}
	}
	return m
}

func TestBirthdayScheduleRespectsExclusionsAndConsent(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	// 17 May 2026, 05:00 in Berlin.
	e, c := associationEnv(t, srv, time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	var bulk struct {
		Upserted int `json:"upserted"`
	}
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{
		member("anna", "1980-05-17", "active", true),           // birthday, member, consent: mail
		member("bert", "1975-05-17", "cancelled", true),        // birthday, cancelled: excluded
		member("carl", "1990-05-17", "active", false),          // birthday, no consent: suppressed
		member("dora", "1985-05-18", "active", true),           // birthday tomorrow: not due
		member("emil", "2001-05-17", "active", true),           // birthday: mail
		map[string]any{"id": "fred", "email": "f@example.org"}, // no birthday at all
	}}).JSON(t, &bulk)
	require.Equal(t, 6, bulk.Upserted)
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{
		"name": "Geburtstage", "project": "verein", "role": "member",
		"preset":    map[string]any{"kind": "birthday", "exclude_field": "membership_status", "exclude_values": []string{"cancelled", "paused"}},
		"report_to": "email:vorstand@tv-musterstadt.example",
	})
	sched := e.Must(200, "GET", "/v1/schedules/birthdays", nil).Map(t)
	require.Equal(t, "0 6 * * *", sched["cron"], "the preset fills the time rule")
	require.Equal(t, "contact.birthday", sched["event_type"])
	require.Equal(t, "birthday-{{ .contact.id }}-{{ .today.Year }}", sched["occurrence_key"])

	// Preview: who would match today, without sending.
	var pv struct {
		Matched int `json:"matched"`
		Matches []struct {
			Contact  string `json:"contact"`
			Excluded bool   `json:"excluded"`
		} `json:"matches"`
	}
	e.Must(200, "POST", "/v1/schedules/birthdays/preview", map[string]any{}).JSON(t, &pv)
	require.Equal(t, 4, pv.Matched)
	e.Must(200, "POST", "/v1/schedules/birthdays/preview", map[string]any{"date": "2026-05-18"}).JSON(t, &pv)
	require.Equal(t, 1, pv.Matched)
	require.Equal(t, "dora", pv.Matches[0].Contact)
	require.Equal(t, 0, srv.Count(), "preview sends nothing")

	run := runNow(t, e, "birthdays")
	require.Equal(t, 6, run.Scanned)
	require.Equal(t, 4, run.Matched)
	require.Equal(t, 1, run.Excluded)
	require.Equal(t, 3, run.Emitted, "anna, carl (suppressed later) and emil get events")
	require.Equal(t, 0, run.Errors, "%v", run.ErrorSamples)

	// Mail: anna and emil, plus the report to the board.
	mails := srv.WaitForMails(t, 3, wait)
	var rcpts []string
	for _, m := range mails {
		rcpts = append(rcpts, m.Rcpts...)
	}
	sort.Strings(rcpts)
	require.Equal(t, []string{"anna@example.org", "emil@example.org", "vorstand@tv-musterstadt.example"}, rcpts)
	for _, m := range mails {
		if m.Rcpts[0] == "anna@example.org" {
			require.Equal(t, "Alles Gute zum 46. Geburtstag, Mitglied anna!", m.Subject)
		}
	}

	// Explain tells each person's fate.
	why := func(contact string) string {
		var evs struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		e.Must(200, "GET", "/v1/events?contact="+contact, nil).JSON(t, &evs)
		require.Len(t, evs.Items, 1, "one event for %s", contact)
		ex, err := c.Explain(context.Background(), evs.Items[0].ID, "en")
		require.NoError(t, err)
		require.Equal(t, "Emitted by schedule birthdays for occurrence birthday-"+contact+"-2026.", ex.Steps[0].Text)
		var texts []string
		for _, s := range ex.Steps {
			texts = append(texts, s.Text)
		}
		return strings.Join(texts, "\n")
	}
	require.Contains(t, why("bert"), `Nothing was sent: schedule birthdays excludes this record`)
	require.Contains(t, why("bert"), `contact.membership_status = "cancelled"`)
	require.Contains(t, why("carl"), "No message to Mitglied carl <carl@example.org>: they have not consented to birthday messages.")
	require.Contains(t, why("anna"), "The message to Mitglied anna <anna@example.org> was queued for delivery.")

	// The report arrives with the counts.
	var report smtptest.Mail
	for _, m := range mails {
		if m.Rcpts[0] == "vorstand@tv-musterstadt.example" {
			report = m
		}
	}
	// Sent once the run's mail is done: anna and emil sent, carl suppressed.
	require.Equal(t, "Geburtstage: 2 gesendet, 1 unterdrückt, 0 Fehler", report.Subject)
	require.Contains(t, report.Text, "Geprüft:         6")
	require.Contains(t, report.Text, "Ausgeschlossen:  1")
	require.Contains(t, report.Text, "/schedules/birthdays/runs/"+run.ID)
	run = waitRun(t, e, "birthdays", run.ID)
	require.NotEmpty(t, run.ReportMessage)

	// The same schedule run again on the same day sends nothing new.
	again := runNow(t, e, "birthdays")
	require.Equal(t, 4, again.Matched)
	require.Equal(t, 0, again.Emitted)
	require.Equal(t, 4, again.Skipped, "every occurrence fired before (the excluded one too)")
	srv.WaitForMails(t, 4, wait) // only the second report
	require.Equal(t, 4, srv.Count())
}

// A run over more records than one page: the matches of several pages
// are emitted together (with the counts and the position), nothing is
// lost or doubled at the page borders, each due contact gets exactly one
// event, bad records are counted, and the counts add up.
func TestScheduleRunAcrossPages(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := associationEnv(t, srv, time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	const n = 1203
	due := birthdayMembers(t, e, n)

	var pv struct {
		Scanned int `json:"scanned"`
		Matched int `json:"matched"`
		Errors  int `json:"errors"`
	}
	e.Must(200, "POST", "/v1/schedules/birthdays/preview", map[string]any{}).JSON(t, &pv)
	require.Equal(t, n, pv.Scanned)
	require.Equal(t, due, pv.Matched)
	require.Equal(t, 2, pv.Errors)

	run := runNow(t, e, "birthdays")
	require.Equal(t, n, run.Scanned)
	require.Equal(t, due, run.Matched)
	require.Equal(t, due, run.Emitted)
	require.Equal(t, 2, run.Errors)
	require.Equal(t, "manual", run.Trigger)
	require.Len(t, run.ErrorSamples, 2)
	require.Contains(t, run.ErrorSamples[0], "contact m00001")
	mails := srv.WaitForMails(t, due, wait)
	seen := map[string]bool{}
	for _, m := range mails {
		require.False(t, seen[m.Rcpts[0]], "%s got two mails", m.Rcpts[0])
		seen[m.Rcpts[0]] = true
	}
	for i := 0; i < n; i += 3 {
		require.True(t, seen[fmt.Sprintf("m%05d@example.org", i)], "m%05d got no mail", i)
	}

	again := runNow(t, e, "birthdays")
	require.Equal(t, due, again.Skipped, "a second run the same day sends nothing")
	require.Equal(t, 0, again.Emitted)
	require.Equal(t, due, srv.Count())
}

// birthdayMembers uploads n members, every third with a birthday on 17
// May, two whose birthday the condition cannot decide, and a birthday
// schedule over them; it returns how many are due.
func birthdayMembers(t *testing.T, e *apptest.Env, n int) int {
	t.Helper()
	var contacts []any
	due := 0
	for i := range n {
		birthday := fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%16) // never 17 May
		if i%3 == 0 {
			birthday = fmt.Sprintf("19%02d-05-17", 50+i%50)
			due++
		}
		contacts = append(contacts, member(fmt.Sprintf("m%05d", i), birthday, "active", true))
	}
	// Two records the condition cannot decide.
	contacts[1] = member("m00001", "kein Datum", "active", true)
	contacts[2] = member("m00002", "1990-02-30", "active", true)
	var bulk struct {
		Upserted int `json:"upserted"`
	}
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": contacts}).JSON(t, &bulk)
	require.Equal(t, n, bulk.Upserted)
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{"project": "verein", "role": "member",
		"preset": map[string]any{"kind": "birthday"}})
	return due
}

// A run whose server died in the middle (its lease held, its cursor half
// way) is taken over by the next start at once and goes on from the
// cursor: the members before it get nothing more, those after it one
// mail each, and the counts add up to one whole run.
func TestScheduleRunResumesAfterACrash(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	setup := apptest.NewSetup(t)
	apptest.WithSMTP(srv)(&setup)
	setup.Clock.Set(time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	first := setup
	first.NoRunner = true // the crashed server: it never gets to run anything itself
	e := apptest.StartWith(t, first)
	configureAssociation(t, e)
	const n = 1203
	due := birthdayMembers(t, e, n)
	var run runView
	e.Must(202, "POST", "/v1/schedules/birthdays/run", nil).JSON(t, &run)
	// The crashed server had claimed the run and stored its first 600
	// records (200 of them due, two undecidable) when it died; the events
	// it emitted are left out here, so every mail below is the new one's.
	st := e.App.Store()
	ctx := context.Background()
	claimed, err := st.ScheduleRunClaim(ctx, &store.RunClaimParams{Owner: "crashed", Now: e.Clock.Now(),
		LeaseUntil: e.Clock.Now().Add(30 * time.Second)})
	require.NoError(t, err)
	require.Equal(t, run.ID, claimed.ID)
	claimed.Scanned, claimed.Matched, claimed.Emitted, claimed.Errors, claimed.Cursor = 600, 200, 200, 2, "m00599"
	require.NoError(t, st.ScheduleRunUpdate(ctx, claimed.WorkspaceID, claimed.ScheduleRun))
	e.App.Kill()

	e2 := apptest.StartWith(t, setup) // same database, a new process
	if st := e2.App.Store(); st.Dialect() == "postgres" {
		// Replicas may share PostgreSQL: the run is taken over when the
		// dead runner's lease runs out (a SQLite server knows at its start
		// that no one else can hold it).
		e2.Clock.Advance(31 * time.Second)
	}
	got := waitRun(t, e2, "birthdays", run.ID)
	require.Equal(t, n, got.Scanned, "the counts add up to one whole run")
	require.Equal(t, due, got.Matched)
	require.Equal(t, due, got.Emitted)
	require.Equal(t, 2, got.Errors, "the undecidable two come before the cursor and are not counted twice")
	mails := srv.WaitForMails(t, due-200, wait)
	for _, m := range mails {
		var i int
		_, err := fmt.Sscanf(m.Rcpts[0], "m%05d@", &i)
		require.NoError(t, err)
		require.Greater(t, i, 599, "%s was before the cursor", m.Rcpts[0])
	}
	require.Equal(t, due-200, srv.Count())
}

func TestQualificationScheduleWithPerRecordLeadDays(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := associationEnv(t, srv, time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC))
	for _, id := range []string{"ute", "vera", "willi", "xaver"} {
		e.Must(201, "PUT", "/v1/contacts/"+id, map[string]any{"email": id + "@example.org", "name": strings.ToUpper(id[:1]) + id[1:]})
	}
	quals := []map[string]any{
		{"id": "q-ute", "holder": "ute", "name": "Übungsleiter C", "expires_on": "2026-03-10", "lead_days": 30},    // expires today
		{"id": "q-vera", "holder": "vera", "name": "Trainer B", "expires_on": "2026-03-30", "lead_days": 30},       // in 20 days, lead 30: soon
		{"id": "q-willi", "holder": "willi", "name": "Erste Hilfe", "expires_on": "2026-03-30", "lead_days": 14},   // in 20 days, lead 14: not yet
		{"id": "q-xaver", "holder": "xaver", "name": "Schiedsrichter", "expires_on": "2026-03-14", "lead_days": 7}, // in 4 days: soon
	}
	for _, q := range quals {
		e.Must(201, "PUT", fmt.Sprintf("/v1/objects/qualifications/%s", q["id"]), map[string]any{
			"attributes": map[string]any{"name": q["name"], "expires_on": q["expires_on"], "lead_days": q["lead_days"],
				"licence": "L-" + q["id"].(string), "examiner": "Dr. Prüfer", "issued_on": "2024-03-01"},
			"contacts": map[string]any{"holder": []string{q["holder"].(string)}}})
	}
	e.Must(201, "PUT", "/v1/schedules/qual-expired", map[string]any{"project": "verein",
		"preset": map[string]any{"kind": "date_reached", "collection": "qualifications", "field": "expires_on"}})
	e.Must(201, "PUT", "/v1/schedules/qual-expiring", map[string]any{"project": "verein",
		"preset": map[string]any{"kind": "date_within_lead", "collection": "qualifications", "field": "expires_on", "lead_field": "lead_days"}})

	expired := runNow(t, e, "qual-expired")
	require.Equal(t, 1, expired.Emitted)
	expiring := runNow(t, e, "qual-expiring")
	require.Equal(t, 2, expiring.Emitted)

	mails := srv.WaitForMails(t, 3, wait)
	byRcpt := map[string]smtptest.Mail{}
	for _, m := range mails {
		byRcpt[m.Rcpts[0]] = m
	}
	require.Len(t, byRcpt, 3)
	ute := byRcpt["ute@example.org"]
	require.Equal(t, "Abgelaufen: Übungsleiter C", ute.Subject)
	require.Contains(t, ute.Text, "Deine Qualifikation Übungsleiter C (Nr. L-q-ute, geprüft von Dr. Prüfer, ausgestellt am 01.03.2024) ist am 10.03.2026 abgelaufen.")
	vera := byRcpt["vera@example.org"]
	require.Equal(t, "Läuft bald ab: Trainer B", vera.Subject)
	require.Contains(t, vera.Text, "Trainer B (Nr. L-q-vera) läuft am 30.03.2026 ab, in 20 Tagen.")
	require.Contains(t, byRcpt["xaver@example.org"].Text, "in 4 Tagen")
	_, willi := byRcpt["willi@example.org"]
	require.False(t, willi, "Willi's own lead time has not begun")
}

func TestOverdueScheduleEveryTwentyMinutesAndCatchUp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	start := time.Date(2026, 3, 10, 8, 5, 0, 0, time.UTC)
	e, _ := associationEnv(t, srv, start)
	e.Must(201, "PUT", "/v1/contacts/ina", map[string]any{"email": "ina@example.org", "name": "Ina"})
	task := func(id, due, status string) {
		e.Must(201, "PUT", "/v1/objects/tasks/"+id, map[string]any{
			"attributes": map[string]any{"title": "Aufgabe " + id, "due_at": due, "status": status},
			"contacts":   map[string]any{"assignee": []string{"ina"}}})
	}
	task("t1", "2026-03-09T07:00:00Z", "open") // 25 h overdue
	task("t2", "2026-03-09T07:00:00Z", "done") // done
	task("t3", "2026-03-09T09:00:00Z", "open") // 23 h: not yet more than 24 h
	e.Must(201, "PUT", "/v1/schedules/overdue", map[string]any{"project": "verein",
		"preset": map[string]any{"kind": "overdue", "collection": "tasks", "hours": 24}})
	s := e.Must(200, "GET", "/v1/schedules/overdue", nil).Map(t)
	require.EqualValues(t, 20, s["every_minutes"])
	require.Equal(t, "2026-03-10T08:20:00Z", s["next_run_at"])

	svc := e.App.Service()
	ctx := context.Background()
	runs := func() []runView {
		var pg struct {
			Items []runView `json:"items"`
		}
		e.Must(200, "GET", "/v1/schedules/overdue/runs", nil).JSON(t, &pg)
		return pg.Items
	}
	require.NoError(t, svc.RunDueSchedules(ctx))
	require.Empty(t, runs(), "not due before 08:20")

	e.Clock.Set(time.Date(2026, 3, 10, 8, 20, 30, 0, time.UTC))
	require.NoError(t, svc.RunDueSchedules(ctx))
	require.NoError(t, svc.RunDueSchedules(ctx)) // a second check in the same slot does nothing
	rs := runs()
	require.Len(t, rs, 1)
	first := waitRun(t, e, "overdue", rs[0].ID)
	require.Equal(t, "scheduled", first.Trigger)
	require.Equal(t, 1, first.Emitted, "only t1 is more than 24 h overdue and open")
	srv.WaitForMails(t, 1, wait)

	// Three hours later (nine slots missed while down): one catch-up run;
	// t3 is now overdue too, t1 is not sent again.
	e.Clock.Set(time.Date(2026, 3, 10, 11, 25, 0, 0, time.UTC))
	require.NoError(t, svc.RunDueSchedules(ctx))
	rs = runs()
	require.Len(t, rs, 2, "missed slots are caught up once")
	second := waitRun(t, e, "overdue", rs[0].ID)
	require.Equal(t, "catch_up", second.Trigger)
	require.Equal(t, 1, second.Emitted)
	require.Equal(t, 1, second.Skipped)
	s = e.Must(200, "GET", "/v1/schedules/overdue", nil).Map(t)
	require.Equal(t, "2026-03-10T11:40:00Z", s["next_run_at"], "the next slot is in the future")
	mails := srv.WaitForMails(t, 2, wait)
	require.Equal(t, "Überfällig: Aufgabe t3", mails[1].Subject)
}

func TestLeapDayBirthdays(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy string
		day    time.Time
	}{
		{"", time.Date(2027, 2, 28, 5, 0, 0, 0, time.UTC)},    // default: 28 February
		{"mar1", time.Date(2027, 3, 1, 5, 0, 0, 0, time.UTC)}, // configured: 1 March
	} {
		t.Run("policy="+tc.policy, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t)
			e, _ := associationEnv(t, srv, tc.day)
			e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{member("leap", "2000-02-29", "active", true)}})
			body := map[string]any{"project": "verein", "role": "member", "preset": map[string]any{"kind": "birthday"}}
			if tc.policy != "" {
				body["leap_day"] = tc.policy
			}
			e.Must(201, "PUT", "/v1/schedules/birthdays", body)
			var pv struct {
				Matched int `json:"matched"`
			}
			other := tc.day.AddDate(0, 0, 1)
			if tc.policy == "mar1" {
				other = tc.day.AddDate(0, 0, -1)
			}
			e.Must(200, "POST", "/v1/schedules/birthdays/preview", map[string]any{"at": other}).JSON(t, &pv)
			require.Equal(t, 0, pv.Matched, "not on %s", other.Format("2006-01-02"))
			run := runNow(t, e, "birthdays")
			require.Equal(t, 1, run.Emitted)
			m := srv.WaitForMails(t, 1, wait)[0]
			require.Equal(t, "Alles Gute zum 27. Geburtstag, Mitglied leap!", m.Subject)
		})
	}
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{})
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"bad cron", map[string]any{"cron": "61 * * * *", "source": map[string]any{"kind": "contacts"}, "condition": "true",
			"event_type": "x.y", "project": "p", "occurrence_key": "k"}, "cron"},
		{"no time rule", map[string]any{"source": map[string]any{"kind": "contacts"}, "condition": "true",
			"event_type": "x.y", "project": "p", "occurrence_key": "k"}, "cron"},
		{"condition error", map[string]any{"cron": "0 6 * * *", "source": map[string]any{"kind": "contacts"},
			"condition": "is_birthday(contact.birthday)", "event_type": "x.y", "project": "p", "occurrence_key": "k"}, "condition"},
		{"unknown project", map[string]any{"cron": "0 6 * * *", "source": map[string]any{"kind": "contacts"},
			"condition": "true", "event_type": "x.y", "project": "nope", "occurrence_key": "k"}, "project"},
		{"bad occurrence key", map[string]any{"cron": "0 6 * * *", "source": map[string]any{"kind": "contacts"},
			"condition": "true", "event_type": "x.y", "project": "p", "occurrence_key": "{{ .contact.id "}, "occurrence_key"},
		{"objects without collection", map[string]any{"cron": "0 6 * * *", "source": map[string]any{"kind": "objects"},
			"condition": "true", "event_type": "x.y", "project": "p", "occurrence_key": "k"}, "source.collection"},
		{"unknown preset", map[string]any{"project": "p", "preset": map[string]any{"kind": "moon_phase"}}, "preset.kind"},
		{"bad leap day", map[string]any{"project": "p", "leap_day": "feb29", "preset": map[string]any{"kind": "birthday"}}, "leap_day"},
		{"bad report recipient", map[string]any{"project": "p", "report_to": "role:board", "preset": map[string]any{"kind": "birthday"}}, "report_to"},
		{"unknown report channel", map[string]any{"project": "p", "report_to": "email:a@b.example", "report_channels": []string{"sms"},
			"preset": map[string]any{"kind": "birthday"}}, "report_channels[0]"},
		{"in-app report to an address", map[string]any{"project": "p", "report_to": "email:a@b.example",
			"report_channels": []string{"email", "inapp"}, "preset": map[string]any{"kind": "birthday"}}, "report_channels[1]"},
		{"report channel twice", map[string]any{"project": "p", "report_to": "email:a@b.example",
			"report_channels": []string{"email", "email"}, "preset": map[string]any{"kind": "birthday"}}, "report_channels[1]"},
		{"too many report channels", map[string]any{"project": "p", "report_to": "email:a@b.example",
			"report_channels": []string{"email", "email", "email"}, "preset": map[string]any{"kind": "birthday"}}, "report_channels"},
		{"a report is not for a webhook", map[string]any{"project": "p", "report_to": "email:a@b.example",
			"report_channels": []string{"webhook"}, "preset": map[string]any{"kind": "birthday"}}, "report_channels[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.Must(422, "PUT", "/v1/schedules/s", tt.body).Map(t)
			var fields []string
			for _, fe := range p["errors"].([]any) {
				fields = append(fields, fe.(map[string]any)["field"].(string))
			}
			require.Contains(t, fields, tt.field, "%v", p)
		})
	}
	e.Must(404, "GET", "/v1/schedules/s", nil)
}
