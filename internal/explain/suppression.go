package explain

import "time"

// suppression names the suppression-list entry a recipient was suppressed
// by, e.g. "hard bounce on 2026-12-01, 550 5.1.1 user unknown": the kind,
// the day it was listed in the workspace's time zone, and the evidence.
func (f *formatter) suppression(p map[string]string) string {
	date := f.day(p["since"])
	evidence := ""
	if p["evidence"] != "" {
		evidence = ", " + p["evidence"]
	}
	return f.cat.T(f.lang, "explain.suppression.entry", map[string]any{
		"kind": f.cat.T(f.lang, "explain.suppression."+p["kind"], nil), "date": date, "evidence": evidence})
}

// day formats an RFC 3339 time as its day in the workspace's time zone,
// in the reader's form (2026-12-01, 01.12.2026).
func (f *formatter) day(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	layout := "2006-01-02"
	if f.lang == "de" {
		layout = "02.01.2006"
	}
	return t.In(f.loc).Format(layout)
}

// preferenceSource names who set the preference that opted a recipient
// out ("the preference page", "per Ein-Klick-Abmeldung").
func (f *formatter) preferenceSource(p map[string]string) string {
	id := "explain.pref.source." + p["pref_source"]
	if !f.cat.Has(f.lang, id) {
		return p["pref_source"]
	}
	return f.cat.T(f.lang, id, nil)
}
