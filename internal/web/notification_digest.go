package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
)

// digestForm is the digest part of the notification form; the inputs are
// named by their API field paths ("digest.window.duration") so that the
// service's field errors land next to them. Type "" means no digest.
type digestForm struct {
	Key, Type, Duration, Max, Every, At, Weekday, MaxItems, Show, ShowItems string
}

// Types, Periods and Orders are the choices of the window's type, a
// calendar window's period and which items the template receives.
func (digestForm) Types() []string {
	return []string{model.DigestFixed, model.DigestSliding, model.DigestCalendar}
}
func (digestForm) Periods() []string { return []string{"daily", "weekly"} }
func (digestForm) Orders() []string  { return []string{model.DigestShowFirst, model.DigestShowLast} }

// Weekdays are the choices of a weekly calendar window.
func (digestForm) Weekdays() []string {
	return []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
}

func digestFormFrom(d *model.Digest) digestForm {
	if d == nil {
		return digestForm{}
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	w := d.Window
	return digestForm{Key: d.Key, Type: w.Type, Duration: w.Duration, Max: w.Max, Every: w.Every, At: w.At,
		Weekday: w.Weekday, MaxItems: num(d.MaxItems), Show: d.Show, ShowItems: num(d.ShowItems)}
}

// parseDigest reads the digest part of the form: nil when no window is
// chosen. Only the fields of the chosen window count (the others stay in
// the form); a number that does not parse is -1, which validation
// refuses with its field path.
func parseDigest(r *http.Request) (digestForm, *model.Digest) {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue("digest." + name)) }
	f := digestForm{Key: v("key"), Type: v("window.type"), Duration: v("window.duration"), Max: v("window.max"),
		Every: v("window.every"), At: v("window.at"), Weekday: v("window.weekday"), MaxItems: v("max_items"),
		Show: v("show"), ShowItems: v("show_items")}
	if f.Type == "" {
		return f, nil
	}
	num := func(s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return -1
		}
		return n
	}
	d := &model.Digest{Key: f.Key, Window: model.DigestWindow{Type: f.Type}, MaxItems: num(f.MaxItems), Show: f.Show,
		ShowItems: num(f.ShowItems)}
	switch f.Type {
	case model.DigestFixed:
		d.Window.Duration = f.Duration
	case model.DigestSliding:
		d.Window.Duration, d.Window.Max = f.Duration, f.Max
	case model.DigestCalendar:
		d.Window.Every, d.Window.At = f.Every, f.At
		if f.Every == "weekly" {
			d.Window.Weekday = f.Weekday
		}
	}
	return f, d
}
