package web

import (
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/service"
)

// chart is a stacked bar chart of messages per day, drawn as SVG by the
// dashboard template: sent, awaiting confirmation, suppressed and failed
// per day.
type chart struct {
	Width, Height int
	// Plot area.
	Left, Top, Right, Bottom int
	Bars                     []chartBar
	YTicks                   []chartTick
	XTicks                   []chartTick
	Series                   []chartSeries
}

type chartBar struct {
	X, Y, W, H float64
	// Class selects the series' colour in app.css.
	Class string
	// Label is the bar's tooltip and accessible text.
	Label string
}

type chartTick struct {
	Pos   float64
	Label string
}

type chartSeries struct {
	Class string
	Label string
}

// newChart lays out the days' counts for a wide screen, a date under
// every fifth day.
func newChart(l *localizer, days []service.DashboardDay) *chart {
	return layoutChart(l, days, &chart{Width: 760, Height: 260, Left: 48, Top: 12, Right: 748, Bottom: 228}, 5)
}

// newPhoneChart lays out the same chart for a phone (drawn at about its
// own size, 340 px, so its 11 px labels stay 11 px), a date under every
// seventh day so that the dates do not run into each other.
func newPhoneChart(l *localizer, days []service.DashboardDay) *chart {
	return layoutChart(l, days, &chart{Width: 340, Height: 220, Left: 34, Top: 10, Right: 332, Bottom: 190}, 7)
}

// layoutChart fills c's bars and ticks, labelling every nth day and the
// last one.
func layoutChart(l *localizer, days []service.DashboardDay, c *chart, every int) *chart {
	series := []struct {
		class, key string
		get        func(service.DashboardDay) int
	}{
		{"sent", "web.dashboard.sent", func(d service.DashboardDay) int { return d.Sent }},
		{"awaiting", "web.dashboard.awaiting", func(d service.DashboardDay) int { return d.Awaiting }},
		{"suppressed", "web.dashboard.suppressed", func(d service.DashboardDay) int { return d.Suppressed }},
		{"failed", "web.dashboard.failed", func(d service.DashboardDay) int { return d.Failed }},
	}
	for _, s := range series {
		c.Series = append(c.Series, chartSeries{Class: s.class, Label: l.T(s.key)})
	}
	peak := 0
	for _, d := range days {
		total := 0
		for _, s := range series {
			total += s.get(d)
		}
		peak = max(peak, total)
	}
	top := niceCeil(peak)
	plotH := float64(c.Bottom - c.Top)
	slot := float64(c.Right-c.Left) / float64(max(len(days), 1))
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		c.YTicks = append(c.YTicks, chartTick{Pos: float64(c.Bottom) - plotH*float64(v)/float64(top), Label: l.Num(v)})
	}
	for i, d := range days {
		x := float64(c.Left) + slot*float64(i)
		if (i%every == 0 && len(days)-1-i >= every/2) || i == len(days)-1 {
			c.XTicks = append(c.XTicks, chartTick{Pos: x + slot/2, Label: shortDay(l, d.Day)})
		}
		y := float64(c.Bottom)
		for j, s := range series {
			n := s.get(d)
			if n == 0 {
				continue
			}
			h := plotH * float64(n) / float64(top)
			y -= h
			c.Bars = append(c.Bars, chartBar{X: x + slot*0.15, Y: y, W: slot * 0.7, H: h, Class: s.class,
				Label: fmt.Sprintf("%s: %s %s", l.Date(d.Day), l.Num(n), c.Series[j].Label)})
		}
	}
	return c
}

// niceCeil rounds up to 4 × (1, 2, 2.5 or 5 × 10^k) so that the four grid
// lines fall on round numbers.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	for step := 1; ; step *= 10 {
		for _, tenths := range []int{10, 20, 25, 50} {
			if tenths == 25 && step == 1 {
				continue // 2.5 would put grid lines between whole numbers
			}
			if v := 4 * tenths * step / 10; v >= n {
				return v
			}
		}
	}
}

func shortDay(l *localizer, t time.Time) string {
	if l.lang == "de" {
		return t.Format("2.1.")
	}
	return t.Format("2 Jan")
}
