package model_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func TestDigestDeadlineAndClose(t *testing.T) {
	berlin := model.LoadLocation("Europe/Berlin")
	newYork := model.LoadLocation("America/New_York")
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	daily := model.DigestWindow{Type: model.DigestCalendar, Every: "daily", At: "08:00"}
	cases := []struct {
		name   string
		window model.DigestWindow
		opened string
		loc    *time.Location
		want   string
	}{
		{"fixed: duration after the first item", model.DigestWindow{Type: model.DigestFixed, Duration: "90m"},
			"2026-03-01T10:00:00Z", berlin, "2026-03-01T11:30:00Z"},
		{"sliding: deadline is max after the first item", model.DigestWindow{Type: model.DigestSliding, Duration: "10m", Max: "2h"},
			"2026-03-01T10:00:00Z", berlin, "2026-03-01T12:00:00Z"},
		{"daily 08:00 Berlin, winter (UTC+1)", daily, "2026-03-27T09:00:00Z", berlin, "2026-03-28T07:00:00Z"},
		{"daily 08:00 Berlin on the spring DST day (UTC+2 from 02:00)", daily, "2026-03-28T07:00:00Z", berlin, "2026-03-29T06:00:00Z"},
		{"daily 08:00 Berlin, a minute before it: same day", daily, "2026-03-29T05:59:00Z", berlin, "2026-03-29T06:00:00Z"},
		{"daily 08:00 Berlin, exactly at it: the next day", daily, "2026-03-29T06:00:00Z", berlin, "2026-03-30T06:00:00Z"},
		{"daily 08:00 Berlin on the autumn DST day (back to UTC+1)", daily, "2026-10-24T12:00:00Z", berlin, "2026-10-25T07:00:00Z"},
		{"daily 02:30 Berlin on the spring DST day: the skipped time reads as 03:30 CEST",
			model.DigestWindow{Type: model.DigestCalendar, Every: "daily", At: "02:30"}, "2026-03-28T23:00:00Z", berlin, "2026-03-29T01:30:00Z"},
		{"daily 08:00 New York (UTC-4 after its own DST change on 8 March)", daily, "2026-03-28T07:00:00Z", newYork, "2026-03-28T12:00:00Z"},
		{"weekly Monday 07:00 Berlin over the spring DST weekend",
			model.DigestWindow{Type: model.DigestCalendar, Every: "weekly", Weekday: "monday", At: "07:00"}, "2026-03-27T12:00:00Z", berlin, "2026-03-30T05:00:00Z"},
		{"weekly Monday 07:00 Berlin on a Monday after 07:00: next week",
			model.DigestWindow{Type: model.DigestCalendar, Every: "weekly", Weekday: "Monday", At: "07:00"}, "2026-03-30T05:01:00Z", berlin, "2026-04-06T05:00:00Z"},
		{"weekly Monday 07:00 New York", model.DigestWindow{Type: model.DigestCalendar, Every: "weekly", Weekday: "monday", At: "07:00"},
			"2026-10-30T12:00:00Z", newYork, "2026-11-02T12:00:00Z"},
		{"daily 08:00 Berlin on 29 February 2028", daily, "2028-02-28T08:00:00Z", berlin, "2028-02-29T07:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &model.Digest{Window: c.window}
			require.Empty(t, d.Check())
			got := d.Deadline(utc(c.opened), c.loc)
			require.Equal(t, utc(c.want), got.UTC())
			if !d.Sliding() {
				require.Equal(t, got, d.ClosesAt(utc(c.opened), got), "only a sliding window closes before its deadline")
			}
		})
	}
}

func TestDigestSlidingCloses(t *testing.T) {
	d := &model.Digest{Window: model.DigestWindow{Type: model.DigestSliding, Duration: "10m", Max: "1h"}}
	opened := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	deadline := d.Deadline(opened, time.UTC)
	require.Equal(t, opened.Add(10*time.Minute), d.ClosesAt(opened, deadline))
	require.Equal(t, opened.Add(59*time.Minute), d.ClosesAt(opened.Add(49*time.Minute), deadline))
	require.Equal(t, opened.Add(time.Hour), d.ClosesAt(opened.Add(50*time.Minute), deadline), "exactly at the maximum")
	require.Equal(t, opened.Add(time.Hour), d.ClosesAt(opened.Add(55*time.Minute), deadline), "capped at the maximum")
}

func TestDigestCheck(t *testing.T) {
	cases := []struct {
		name   string
		d      model.Digest
		fields []string
	}{
		{"valid fixed", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "1h"}, MaxItems: 50, Show: "last", ShowItems: 5}, nil},
		{"unknown type", model.Digest{Window: model.DigestWindow{Type: "hourly"}}, []string{"window.type"}},
		{"duration too short", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "59s"}}, []string{"window.duration"}},
		{"duration a week is the longest", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "168h"}}, nil},
		{"duration past a week", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "168h1m"}}, []string{"window.duration"}},
		{"sliding without max", model.Digest{Window: model.DigestWindow{Type: "sliding", Duration: "10m"}}, []string{"window.max"}},
		{"sliding max below duration", model.Digest{Window: model.DigestWindow{Type: "sliding", Duration: "2h", Max: "1h"}}, []string{"window.max"}},
		{"fixed with max", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "2h", Max: "3h"}}, []string{"window.max"}},
		{"calendar bad time", model.Digest{Window: model.DigestWindow{Type: "calendar", Every: "daily", At: "8:00"}}, []string{"window.at"}},
		{"calendar 24:00", model.Digest{Window: model.DigestWindow{Type: "calendar", Every: "daily", At: "24:00"}}, []string{"window.at"}},
		{"weekly without day", model.Digest{Window: model.DigestWindow{Type: "calendar", Every: "weekly", At: "07:00"}}, []string{"window.weekday"}},
		{"daily with day", model.Digest{Window: model.DigestWindow{Type: "calendar", Every: "daily", At: "07:00", Weekday: "monday"}}, []string{"window.weekday"}},
		{"monthly", model.Digest{Window: model.DigestWindow{Type: "calendar", Every: "monthly", At: "07:00"}}, []string{"window.every"}},
		{"max items 1", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "1h"}, MaxItems: 1}, []string{"max_items"}},
		{"show items too many", model.Digest{Window: model.DigestWindow{Type: "fixed", Duration: "1h"}, ShowItems: 101, Show: "middle"}, []string{"show", "show_items"}},
		{"key with a line break", model.Digest{Key: "a\nb", Window: model.DigestWindow{Type: "fixed", Duration: "1h"}}, []string{"key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fields []string
			for _, p := range c.d.Check() {
				fields = append(fields, p.Field)
			}
			require.Equal(t, c.fields, fields)
		})
	}
}

func TestDigestEncodeRoundTrip(t *testing.T) {
	require.Equal(t, "", model.EncodeDigest(nil))
	d, err := model.DecodeDigest("")
	require.NoError(t, err)
	require.Nil(t, d)
	in := &model.Digest{Key: "{{ .object.id }}", Window: model.DigestWindow{Type: "calendar", Every: "weekly", Weekday: "monday", At: "07:00"},
		MaxItems: 20, Show: "last", ShowItems: 3}
	out, err := model.DecodeDigest(model.EncodeDigest(in))
	require.NoError(t, err)
	require.Equal(t, in, out)
}
