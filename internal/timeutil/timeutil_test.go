package timeutil

import (
	"encoding/json"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestIsBirthday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		birth  Date
		today  Date
		before int
		policy LeapDayPolicy
		want   bool
	}{
		{"on the day", d(1980, 5, 17), d(2026, 5, 17), 0, LeapDayFeb28, true},
		{"day after", d(1980, 5, 17), d(2026, 5, 18), 0, LeapDayFeb28, false},
		{"3 days before across month end", d(1980, 6, 1), d(2026, 5, 29), 3, LeapDayFeb28, true},
		{"7 days before across year end", d(1990, 1, 3), d(2026, 12, 27), 7, LeapDayFeb28, true},
		{"leap birthday feb28 policy common year", d(2000, 2, 29), d(2027, 2, 28), 0, LeapDayFeb28, true},
		{"leap birthday feb28 policy not on mar1", d(2000, 2, 29), d(2027, 3, 1), 0, LeapDayFeb28, false},
		{"leap birthday mar1 policy common year", d(2000, 2, 29), d(2027, 3, 1), 0, LeapDayMar1, true},
		{"leap birthday mar1 policy not on feb28", d(2000, 2, 29), d(2027, 2, 28), 0, LeapDayMar1, false},
		{"leap birthday in leap year", d(2000, 2, 29), d(2028, 2, 29), 0, LeapDayMar1, true},
		{"leap birthday leap year not feb28", d(2000, 2, 29), d(2028, 2, 28), 0, LeapDayFeb28, false},
		{"leap birthday 1 day before in common year (feb28)", d(2000, 2, 29), d(2027, 2, 27), 1, LeapDayFeb28, true},
		{"negative days before", d(2000, 1, 1), d(2026, 1, 1), -1, LeapDayFeb28, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsBirthday(tt.birth, tt.today, tt.before, tt.policy); got != tt.want {
				t.Fatalf("IsBirthday(%v, %v, %d, %s) = %v, want %v", tt.birth, tt.today, tt.before, tt.policy, got, tt.want)
			}
		})
	}
}

func TestAgeAndDays(t *testing.T) {
	t.Parallel()
	if got := Age(d(1980, 5, 17), d(2026, 5, 16)); got != 45 {
		t.Fatalf("Age before birthday = %d, want 45", got)
	}
	if got := Age(d(1980, 5, 17), d(2026, 5, 17)); got != 46 {
		t.Fatalf("Age on birthday = %d, want 46", got)
	}
	if got := Age(d(2000, 2, 29), d(2027, 2, 28)); got != 27 {
		t.Fatalf("Age of a leap-day child on 28 Feb of a common year = %d, want 27", got)
	}
	if got := Age(d(2000, 2, 29), d(2028, 2, 28)); got != 27 {
		t.Fatalf("Age of a leap-day child on 28 Feb of a leap year = %d, want 27", got)
	}
	if got := DaysBetween(d(2026, 3, 28), d(2026, 3, 30)); got != 2 {
		t.Fatalf("DaysBetween across DST = %d, want 2", got)
	}
	if got := DaysBetween(d(2026, 12, 31), d(2026, 1, 1)); got != -364 {
		t.Fatalf("DaysBetween backwards = %d, want -364", got)
	}
	if got := d(2028, 2, 28).AddDays(1); got != d(2028, 2, 29) {
		t.Fatalf("AddDays into leap day = %v", got)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       any
		wantDate Date
		dateOnly bool
		wantErr  bool
	}{
		{"iso date", "2026-03-01", d(2026, 3, 1), true, false},
		{"german date", "01.03.2026", d(2026, 3, 1), true, false},
		{"rfc3339 late UTC is next day in Berlin", "2026-03-01T23:30:00Z", d(2026, 3, 2), false, false},
		{"local timestamp", "2026-03-01T10:00:00", d(2026, 3, 1), false, false},
		{"unix seconds", json.Number("1772323200"), d(2026, 3, 1), false, false},
		{"float unix", float64(1772323200), d(2026, 3, 1), false, false},
		{"garbage", "next tuesday", Date{}, false, true},
		{"nil", nil, Date{}, false, true},
		{"bool", true, Date{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, dateOnly, err := Parse(tt.in, berlin)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%v) = %v, want error", tt.in, ts)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%v): %v", tt.in, err)
			}
			if dateOnly != tt.dateOnly {
				t.Fatalf("dateOnly = %v, want %v", dateOnly, tt.dateOnly)
			}
			got, err := ParseDate(tt.in, berlin)
			if err != nil || got != tt.wantDate {
				t.Fatalf("ParseDate(%v) = %v, %v; want %v", tt.in, got, err, tt.wantDate)
			}
		})
	}
}

// The fast path for "YYYY-MM-DD" must agree with the layout it shortcuts,
// impossible days included.
func TestParseISODateMatchesLayout(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ins := []string{"2026-03-01", "2000-02-29", "1900-02-29", "2027-02-29", "2026-04-31", "2026-12-31",
		"2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "2026-1-01", "2026/01/01", "20x6-01-01", "2026-01-3a"}
	for _, in := range ins {
		want, wantErr := time.ParseInLocation("2006-01-02", in, berlin)
		got, ok := parseISODate(in, berlin)
		if ok != (wantErr == nil) || ok && !got.Equal(want) {
			t.Errorf("parseISODate(%q) = %v, %v; layout gives %v, %v", in, got, ok, want, wantErr)
		}
	}
}
