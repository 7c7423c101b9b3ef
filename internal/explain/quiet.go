package explain

import (
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// heldDate is the day a held message goes, in the zone of the quiet
// hours that hold it: "2026-03-30" (German "30.03.2026"), with the
// weekday first when the planner noted it, a release beyond tomorrow:
// "Monday 2026-03-30", "Montag, 30.03.2026".
func (f *formatter) heldDate(p map[string]string) string {
	date := p["held_date"]
	until, err := time.Parse(time.RFC3339, p["held_until"])
	if err == nil && f.lang == "de" {
		date = until.In(model.LoadLocation(p["zone"])).Format("02.01.2006")
	}
	if wd := p["held_weekday"]; wd != "" {
		key := "web.digest.day_" + wd // the cockpit's day names
		if f.cat.Has(f.lang, key) {
			sep := " "
			if f.lang == "de" {
				sep = ", "
			}
			date = f.cat.T(f.lang, key, nil) + sep + date
		}
	}
	return date
}
