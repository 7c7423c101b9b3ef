package manifest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestDigestRoundTripsAndIsChecked: a notification's digest spec is
// exported, read back unchanged, and a wrong one is a problem at the
// file's line and column of the field.
func TestDigestRoundTripsAndIsChecked(t *testing.T) {
	c := sampleConfig()
	c.Flows[0].Notifications[0].Status = model.StatusActive
	c.Flows[0].Notifications[0].Digest = &model.Digest{Key: "{{ .object.id }}", MaxItems: 20, Show: "last", ShowItems: 5,
		Window: model.DigestWindow{Type: model.DigestCalendar, Every: "weekly", Weekday: "monday", At: "07:00"}}
	files := encodeAll(t, c)
	flow := string(files["flows/standard.yaml"])
	require.Contains(t, flow, "digest:\n")
	require.Contains(t, flow, "weekday: monday")
	docs, ps := Parse(asFiles(files))
	require.Empty(t, ps)
	require.Empty(t, Check(docs))
	for _, d := range docs {
		if d.Kind != KindFlow {
			continue
		}
		o, err := d.Object()
		require.NoError(t, err)
		require.Equal(t, c.Flows[0].Notifications[0].Digest, o.(*model.Flow).Notifications[0].Digest)
	}

	bad := strings.Replace(flow, "weekday: monday", "weekday: montag", 1)
	files["flows/standard.yaml"] = []byte(bad)
	docs, ps = Parse(asFiles(files))
	require.Empty(t, ps)
	problems := Check(docs)
	require.Len(t, problems, 1)
	require.Regexp(t, `^flows/standard\.yaml:\d+:\d+: spec\.notifications\[0\]\.digest\.window\.weekday: "montag" is not a weekday`,
		problems[0].String())
}
