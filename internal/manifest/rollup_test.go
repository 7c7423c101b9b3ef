package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestThrottleRollUpRoundTrips: a throttle rule's roll_up is exported,
// read back unchanged, and a wrong value is a problem at its line.
func TestThrottleRollUpRoundTrips(t *testing.T) {
	c := sampleConfig()
	c.Flows[0].Notifications[0].Throttle = []model.ThrottleRule{{Max: 2, Window: "1h", Scope: model.ThrottleCategory, RollUp: true}}
	files := encodeAll(t, c)
	flow := string(files["flows/standard.yaml"])
	require.Contains(t, flow, "roll_up: true")
	docs, ps := Parse(asFiles(files))
	require.Empty(t, ps)
	require.Empty(t, Check(docs))
	found := false
	for _, d := range docs {
		if d.Kind != KindFlow {
			continue
		}
		o, err := d.Object()
		require.NoError(t, err)
		require.Equal(t, c.Flows[0].Notifications[0].Throttle, o.(*model.Flow).Notifications[0].Throttle)
		found = true
	}
	require.True(t, found)
}
