package render

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDateFunctions(t *testing.T) {
	t.Parallel()
	berlin, newYork := mustLoad(t, "Europe/Berlin"), mustLoad(t, "America/New_York")
	// 23:30 UTC on 1 March 2025 is 00:30 on Sunday 2 March in Berlin.
	instant := "2025-03-01T23:30:00Z"
	tests := []struct {
		name    string
		in      string
		value   any
		locale  string
		loc     *time.Location
		want    string
		wantErr string
	}{
		{"de short in Berlin", "date_short", instant, "de", berlin, "02.03.2025", ""},
		{"de short in UTC", "date_short", instant, "de", nil, "01.03.2025", ""},
		{"de long", "date_long", instant, "de", berlin, "2. März 2025", ""},
		{"de time", "time", instant, "de", berlin, "00:30", ""},
		{"de datetime", "datetime", instant, "de", berlin, "02.03.2025 00:30", ""},
		{"de-AT long", "date_long", "2025-01-05", "de-AT", berlin, "5. Jänner 2025", ""},
		{"de layout names", `date "Monday, 2. January 2006 (Mon, Jan)"`, instant, "de", berlin, "Sonntag, 2. März 2025 (So, Mär)", ""},
		{"de layout keeps other words", `date "Month: Jan 2006, 3 PM"`, instant, "de", berlin, "Month: Mär 2025, 12 AM", ""},
		{"en short", "date_short", instant, "en", berlin, "03/02/2025", ""},
		{"en long", "date_long", instant, "en", berlin, "March 2, 2025", ""},
		{"en time", "time", instant, "en", berlin, "12:30 AM", ""},
		{"en datetime", "datetime", instant, "en-US", berlin, "03/02/2025 12:30 AM", ""},
		{"en layout", `date "Mon, 02 Jan 2006 15:04 MST"`, instant, "en", berlin, "Sun, 02 Mar 2025 00:30 CET", ""},
		{"en-GB short", "date_short", instant, "en-GB", berlin, "02/03/2025", ""},
		{"en-GB long", "date_long", instant, "en-GB", berlin, "2 March 2025", ""},
		{"en-GB time", "time", instant, "en-GB", berlin, "00:30", ""},
		{"other languages use English names, day first", "date_long", instant, "fr", berlin, "2 March 2025", ""},
		{"date-only value is not shifted west", "date_long", "2025-03-01", "de", newYork, "1. März 2025", ""},
		{"date-only value is not shifted east", "date_short", "01.03.2025", "de", berlin, "01.03.2025", ""},
		{"time.Time value", "date_long", time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), "de", berlin, "1. Januar 2026", ""},
		{"unix seconds", "datetime", float64(time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC).Unix()), "de", berlin, "02.03.2025 00:30", ""},
		{"unix seconds as json.Number", "date_short", json.Number("1740871800"), "de", berlin, "02.03.2025", ""},
		{"local timestamp taken in the zone", "time", "2025-07-01T09:15:00", "de", berlin, "09:15", ""},
		{"empty value prints nothing", "date_long", "", "de", berlin, "", ""},
		{"nil prints nothing", "date_short", nil, "de", berlin, "", ""},
		{"not a date", "date_long", "morgen", "de", berlin, "", `date_long: "morgen" is not a date (use YYYY-MM-DD, DD.MM.YYYY or RFC 3339)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderText(t, "{{ "+tt.in+" .data.v }}", testData(map[string]any{"v": tt.value}), Options{Locale: tt.locale, Location: tt.loc})
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, problemsOf(t, err)[0].Message)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDayCounting(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	// testNow is 1 March in UTC and already 2 March in Berlin.
	tests := []struct {
		name    string
		in      string
		loc     *time.Location
		want    string
		wantErr string
	}{
		{"days_until in Berlin", `{{ days_until "2025-03-10" }}`, berlin, "8", ""},
		{"days_until in UTC", `{{ days_until "2025-03-10" }}`, nil, "9", ""},
		{"days_until past", `{{ days_until "2025-02-27" }}`, berlin, "-3", ""},
		{"days_until today", `{{ days_until .today }}`, berlin, "0", ""},
		{"days_until across DST", `{{ days_until "2025-04-02" }}`, berlin, "31", ""},
		{"days_since in Berlin", `{{ days_since "2025-02-28" }}`, berlin, "2", ""},
		{"days_since in UTC", `{{ days_since "2025-02-28" }}`, nil, "1", ""},
		{"age on the birthday", `{{ age .contact.birthday }}`, berlin, "35", ""},
		{"age the day before", `{{ age .contact.birthday }}`, nil, "34", ""},
		{"age of a leap day birthday", `{{ age "2000-02-29" }}`, berlin, "25", ""},
		{"no date", `{{ days_until "" }}`, berlin, "", "days_until: no date value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderText(t, tt.in, testData(nil), Options{Location: tt.loc})
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, problemsOf(t, err)[0].Message)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNumberFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		value   any
		locale  string
		want    string
		wantErr string
	}{
		{"de decimals", "number 2", 1234.5, "de", "1.234,50", ""},
		{"en decimals", "number 2", 1234.5, "en", "1,234.50", ""},
		{"de-CH", "number 2", 1234.5, "de-CH", "1’234.50", ""},
		{"de-AT groups with a space (CLDR)", "number 2", 1234.5, "de-AT", "1\u00a0234,50", ""},
		{"json.Number, no decimals", "number 0", json.Number("1234567"), "de", "1.234.567", ""},
		{"numeric string", "number 1", "-9876543.21", "en", "-9,876,543.2", ""},
		{"halves round away from zero", "number 2", 2.675, "de", "2,68", ""},
		{"exact decimal string", "number 2", "1.005", "en", "1.01", ""},
		{"negative halves", "number 0", -2.5, "en", "-3", ""},
		{"no negative zero", "number 2", -0.001, "de", "0,00", ""},
		{"int", "number 0", 42, "de", "42", ""},
		{"exponent", "number 0", "1.5e6", "de", "1.500.000", ""},
		{"large float", "number 0", 1e21, "en", "1,000,000,000,000,000,000,000", ""},
		{"nil prints nothing", "number 2", nil, "de", "", ""},
		{"not a number", "number 2", "12 Euro", "de", "", `number: "12 Euro" is not a number`},
		{"too many decimals", "number 21", 1, "de", "", "number: decimals must be between 0 and 20, not 21"},
		{"de EUR", `currency "EUR"`, 1234.5, "de", "1.234,50 €", ""},
		{"en EUR", `currency "EUR"`, 1234.5, "en", "€1,234.50", ""},
		{"en-GB GBP", `currency "GBP"`, json.Number("99.999"), "en-GB", "£100.00", ""},
		{"de negative EUR", `currency "EUR"`, -1234.5, "de", "-1.234,50 €", ""},
		{"en negative EUR", `currency "EUR"`, "-1234.5", "en", "-€1,234.50", ""},
		{"de USD", `currency "USD"`, 5, "de", "5,00 $", ""},
		{"en USD", `currency "USD"`, 5, "en", "$5.00", ""},
		{"JPY has no decimals", `currency "JPY"`, 1234.5, "en", "¥1,235", ""},
		{"de JPY", `currency "JPY"`, 1234.5, "de", "1.235 ¥", ""},
		{"en negative USD", `currency "USD"`, -5, "en", "-$5.00", ""},
		{"en CHF", `currency "CHF"`, 1234.5, "en", "CHF 1,234.50", ""},
		{"de-CH CHF", `currency "CHF"`, 1234.5, "de-CH", "CHF 1’234.50", ""},
		{"fr EUR", `currency "EUR"`, 1234.5, "fr", "1\u00a0234,50 €", ""},
		{"unknown currency", `currency "XYZ"`, 1, "de", "", `currency: unknown currency code "XYZ"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderText(t, "{{ "+tt.in+" .data.v }}", testData(map[string]any{"v": tt.value}), Options{Locale: tt.locale})
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, problemsOf(t, err)[0].Message)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
