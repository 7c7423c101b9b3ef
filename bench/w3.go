package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/client"
)

// W3's configuration: the association's birthday greeting.
const (
	birthdayTemplate = "birthday"
	birthdayFlow     = "verein"
	birthdayProject  = "verein"
	birthdaySchedule = "birthdays"
	birthdayCategory = "birthday"
	birthdayZone     = "Europe/Berlin" // the workspace's zone (setWorkspace)
)

// birthdayOf is contact i's birthday: the days of a leap year in turn
// (29 February included), in leap years from 1964 to 2000, so about n/366
// contacts share each day.
func birthdayOf(i int) time.Time {
	year := 1964 + 4*((i/366)%10)
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%366)
}

// birthdaysOn counts the contacts among n greeted on day: born on its
// month and day, and those born on 29 February on 28 February of a common
// year (the schedule's default leap_day rule).
func birthdaysOn(n int, day time.Time) int {
	count := 0
	leap := time.Date(day.Year(), 12, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366
	for i := range min(n, 366) {
		b := birthdayOf(i)
		match := b.Month() == day.Month() && b.Day() == day.Day()
		if !leap && day.Month() == time.February && day.Day() == 28 && b.Month() == time.February && b.Day() == 29 {
			match = true
		}
		if match {
			count += (n - i + 365) / 366 // contacts i, i+366, i+732, … below n
		}
	}
	return count
}

// prepareBirthdays configures the greeting and uploads n members with a
// birthday and the birthday consent; it returns the upload's duration.
func prepareBirthdays(ctx context.Context, url string, n int) (time.Duration, error) {
	c := bulkClient(url)
	if err := setWorkspace(ctx, c); err != nil {
		return 0, err
	}
	tpl := map[string]any{"name": "Geburtstag", "locales": map[string]any{"de": map[string]any{
		"subject": "Alles Gute zum Geburtstag, {{ .recipient.name }}!",
		"html":    "<p>Liebe/r {{ .recipient.name }},</p><p>der Vorstand gratuliert dir herzlich zum Geburtstag.</p>"}}}
	if err := c.Put(ctx, "/v1/templates/"+birthdayTemplate, tpl); err != nil {
		return 0, fmt.Errorf("put template: %w", err)
	}
	flow := map[string]any{"name": "Verein", "notifications": []any{map[string]any{
		"key": "birthday", "name": "Geburtstag", "event_type": "contact.birthday", "template": birthdayTemplate,
		"recipients": []string{"role:member"}, "category": birthdayCategory}}}
	if err := c.Put(ctx, "/v1/flows/"+birthdayFlow, flow); err != nil {
		return 0, fmt.Errorf("put flow: %w", err)
	}
	if err := c.Put(ctx, "/v1/projects/"+birthdayProject, map[string]any{"name": "Verein", "flow": birthdayFlow}); err != nil {
		return 0, fmt.Errorf("put project: %w", err)
	}
	took, err := bulkContacts(ctx, c, n, func(i int) client.Contact {
		return client.Contact{ID: contactID(i), Email: contactEmail(i), Name: fmt.Sprintf("Mitglied %d", i), Locale: "de",
			Attributes: map[string]any{"birthday": birthdayOf(i).Format("2006-01-02"), "membership_status": "active"},
			Consents:   []string{birthdayCategory}}
	})
	if err != nil {
		return took, err
	}
	sc := map[string]any{"name": "Geburtstage", "enabled": false, "project": birthdayProject, "role": "member",
		"preset": map[string]any{"kind": "birthday", "consent_category": birthdayCategory}}
	if err := c.Put(ctx, "/v1/schedules/"+birthdaySchedule, sc); err != nil {
		return took, fmt.Errorf("put schedule: %w", err)
	}
	return took, nil
}

// schedulePreview is the part of a preview the harness reads.
type schedulePreview struct {
	Scanned  int  `json:"scanned"`
	Matched  int  `json:"matched"`
	Errors   int  `json:"errors"`
	Complete bool `json:"complete"`
}

// runW3 times a preview and a run of the birthday schedule over n
// contacts, then checks that a second run sends nothing.
func runW3(ctx context.Context, e *env, n int) (*Result, error) {
	cfg := e.cfg
	name := "w3-" + sizeName(n)
	return withServer(ctx, e, serverOptions{name: name}, func(s *server) (*Result, error) {
		setup, err := prepareBirthdays(ctx, s.url, n)
		if err != nil {
			return nil, err
		}
		res := &Result{Workload: name, Title: fmt.Sprintf("W3 birthday scan: a schedule over %s contacts", thousands(float64(n))),
			Unit: "contacts/s", Params: map[string]any{"contacts": n, "setup_s": round(setup.Seconds(), 1),
				"setup_contacts_per_s": round(float64(n)/setup.Seconds(), 0)}}
		res.Notes = append(res.Notes, fmt.Sprintf("setup: %s contacts through /v1/contacts/bulk in %.1f s", thousands(float64(n)), setup.Seconds()))
		c := client.MustNew(s.url, benchKey, client.WithTimeout(cfg.w3Timeout))

		// The preview, measured on its own.
		if err := s.measure(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		var pv schedulePreview
		if err := c.Do(ctx, "POST", "/v1/schedules/"+birthdaySchedule+"/preview", map[string]any{}, &pv); err != nil {
			return res, fmt.Errorf("preview: %w", err)
		}
		pvTook := time.Since(t0)
		s.endMeasure()
		pm := s.final
		s.final = nil
		res.Params["preview_s"] = round(pvTook.Seconds(), 2)
		res.Params["preview"] = pv
		if pm != nil && pm.server != nil {
			res.Params["preview_server"] = pm.server
		}
		res.Notes = append(res.Notes, fmt.Sprintf("preview: %.2f s, %d scanned, %d matched%s", pvTook.Seconds(), pv.Scanned, pv.Matched, usageNote(pm)))

		// The run.
		if err := s.measure(); err != nil {
			return nil, err
		}
		day := time.Now().In(mustZone(birthdayZone))
		run, poll, runErr := runSchedule(ctx, c, birthdaySchedule, cfg.w3Timeout)
		s.endMeasure()
		if run == nil {
			return res, runErr
		}
		want := birthdaysOn(n, day)
		res.Params["run"], res.Params["expected_matches"] = run, want
		res.Count, res.Seconds = int64(run.Scanned), round(runSeconds(run), 2)
		if runSeconds(run) > 0 {
			res.Rate = round(float64(run.Scanned)/runSeconds(run), 0)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("run: %.2f s (created → finished; %.2f s from the request to the poll that saw it done), %d scanned, %d matched, %d emitted, %d excluded, %d errors; %d have their birthday on %s",
			runSeconds(run), poll.Seconds(), run.Scanned, run.Matched, run.Emitted, run.Excluded, run.Errors, want, day.Format("2006-01-02")))
		if runErr != nil {
			return res, runErr
		}
		if run.Scanned != n || run.Matched != want || run.Emitted != want || run.Errors != 0 {
			return res, fmt.Errorf("run scanned %d of %d, matched %d and emitted %d of %d expected, %d errors", run.Scanned, n, run.Matched, run.Emitted, want, run.Errors)
		}
		// Not measured: a second run must send nothing.
		again, _, err := runSchedule(ctx, c, birthdaySchedule, cfg.w3Timeout)
		if err != nil {
			return res, fmt.Errorf("second run: %w", err)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("a second run emitted %d and skipped %d (already fired) in %.2f s", again.Emitted, again.Skipped, runSeconds(again)))
		if again.Emitted != 0 || again.Skipped != want {
			return res, fmt.Errorf("second run emitted %d and skipped %d, want 0 and %d", again.Emitted, again.Skipped, want)
		}
		return res, nil
	})
}

// usageNote is "; server 1.2 s CPU, peak RSS 80 MiB" for a measurement.
func usageNote(m *measurement) string {
	if m == nil || m.server == nil {
		return ""
	}
	return fmt.Sprintf("; server %.1f s CPU, peak RSS %.0f MiB", m.server.CPUSeconds, m.server.PeakRSSMiB)
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
