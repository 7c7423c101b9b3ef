package explain

import "time"

// suppression names the suppression-list entry a recipient was suppressed
// by, e.g. "hard bounce on 2026-12-01, 550 5.1.1 user unknown": the kind,
// the day it was listed in the workspace's time zone, and the evidence.
func (f *formatter) suppression(p map[string]string) string {
	date := p["since"]
	if t, err := time.Parse(time.RFC3339, date); err == nil {
		layout := "2006-01-02"
		if f.lang == "de" {
			layout = "02.01.2006"
		}
		date = t.In(f.loc).Format(layout)
	}
	evidence := ""
	if p["evidence"] != "" {
		evidence = ", " + p["evidence"]
	}
	return f.cat.T(f.lang, "explain.suppression.entry", map[string]any{
		"kind": f.cat.T(f.lang, "explain.suppression."+p["kind"], nil), "date": date, "evidence": evidence})
}
