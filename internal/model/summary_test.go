package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The one-line throttle form carries roll-up at its end, in every scope,
// and writes it back the same way.
func TestThrottleLineRollUp(t *testing.T) {
	for line, want := range map[string]ThrottleRule{
		"5/1h roll-up":                       {Max: 5, Window: "1h", RollUp: true},
		"2/24h notification roll-up":         {Max: 2, Window: "24h", Scope: ThrottleNotification, RollUp: true},
		"1/15m key {{ .object.id }} roll-up": {Max: 1, Window: "15m", Scope: ThrottleKey, Key: "{{ .object.id }}", RollUp: true},
		"5/1h":                               {Max: 5, Window: "1h"},
	} {
		require.Equal(t, want, ParseThrottle(line), line)
	}
	require.Equal(t, "5/1h category roll-up\n1/15m key {{ .object.id }} roll-up",
		FormatThrottle([]ThrottleRule{{Max: 5, Window: "1h", RollUp: true}, {Max: 1, Window: "15m", Scope: ThrottleKey, Key: "{{ .object.id }}", RollUp: true}}))
	require.NotEmpty(t, CheckThrottle("throttle", []ThrottleRule{ParseThrottle("roll-up")}), "roll-up alone is no rule")
}

// Frequency summaries close at 08:00 local: daily the next morning,
// weekly on the next Monday (an item at Monday 08:00 sharp waits a week).
func TestFrequencyDigestWindows(t *testing.T) {
	berlin := LoadLocation("Europe/Berlin")
	require.Nil(t, FrequencyDigest(FrequencyInstantly))
	require.Empty(t, FrequencyDigest(FrequencyDaily).Check())
	require.Empty(t, FrequencyDigest(FrequencyWeekly).Check())
	sat := time.Date(2026, 3, 28, 23, 30, 0, 0, berlin)
	require.Equal(t, time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), FrequencyDigest(FrequencyDaily).Deadline(sat, berlin).UTC(),
		"08:00 CEST on the day the clocks go forward")
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), FrequencyDigest(FrequencyWeekly).Deadline(sat, berlin).UTC())
	mon8 := time.Date(2026, 3, 30, 8, 0, 0, 0, berlin)
	require.Equal(t, time.Date(2026, 4, 6, 8, 0, 0, 0, berlin), FrequencyDigest(FrequencyWeekly).Deadline(mon8, berlin))
}
