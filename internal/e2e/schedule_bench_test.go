package e2e_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/apptest"
)

// BenchmarkSchedulePreview previews a birthday schedule over 50,000 members
// (the shape of the harness's W3), in-process so that a CPU profile shows
// where a scan spends its time:
//
//	go test -run '^$' -bench SchedulePreview -benchtime 5x -cpuprofile /tmp/scan.prof ./internal/e2e/
//	go tool pprof -top /tmp/scan.prof
func BenchmarkSchedulePreview(b *testing.B) {
	const n = 50_000
	e := apptest.Start(b)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"timezone": "Europe/Berlin"})
	e.Must(201, "PUT", "/v1/templates/birthday", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Alles Gute zum Geburtstag, {{ .recipient.name }}!", "text": "Herzlichen Glückwunsch!"}}})
	e.Must(201, "PUT", "/v1/flows/verein", map[string]any{"notifications": []any{map[string]any{
		"key": "birthday", "event_type": "contact.birthday", "template": "birthday",
		"recipients": []string{"role:member"}, "category": "birthday"}}})
	e.Must(201, "PUT", "/v1/projects/verein", map[string]any{"name": "Verein", "flow": "verein"})
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for lo := 0; lo < n; lo += 10_000 {
		contacts := make([]any, 0, 10_000)
		for i := lo; i < lo+10_000; i++ {
			m := member(fmt.Sprintf("m%06d", i), day.AddDate(0, 0, i%366).AddDate(-20-i%50, 0, 0).Format("2006-01-02"), "active", true)
			m["locale"] = "de"
			contacts = append(contacts, m)
		}
		e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": contacts})
	}
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{"name": "Geburtstage", "enabled": false,
		"project": "verein", "role": "member",
		"preset": map[string]any{"kind": "birthday", "consent_category": "birthday"}})
	var pv struct {
		Scanned int `json:"scanned"`
		Matched int `json:"matched"`
		Errors  int `json:"errors"`
	}
	b.ResetTimer()
	for b.Loop() {
		e.Must(200, "POST", "/v1/schedules/birthdays/preview", map[string]any{}).JSON(b, &pv)
	}
	b.StopTimer()
	if pv.Scanned != n || pv.Errors != 0 || pv.Matched == 0 {
		b.Fatalf("preview scanned %d, matched %d, %d errors; want %d scanned, some matched, none failed", pv.Scanned, pv.Matched, pv.Errors, n)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/contact")
}
