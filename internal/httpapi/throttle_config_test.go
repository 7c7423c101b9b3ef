package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestConfigRoundTripThrottleAndQuietHours: a notification's throttle
// rules and urgent flag and the workspace's quiet hours export, apply to
// an empty server and export again identically; a bad rule in a file is
// refused with its path.
func TestConfigRoundTripThrottleAndQuietHours(t *testing.T) {
	t.Parallel()
	src := apptest.Start(t)
	src.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"quiet_hours": "22:00-07:00"})
	src.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	src.Must(http.StatusCreated, "PUT", "/v1/flows/standard", map[string]any{"notifications": []any{
		map[string]any{"key": "job-requested", "event_type": "job.requested", "template": "job-request",
			"recipients": []string{"role:promoter"}, "urgent": true, "throttle": []any{
				map[string]any{"max": 5, "window": "1h"},
				map[string]any{"max": 1, "window": "15m", "scope": "key", "key": "{{ .object.id }}"}}},
	}})
	var ws map[string]any
	src.Must(http.StatusOK, "GET", "/v1/workspace", nil).JSON(t, &ws)
	require.Equal(t, "22:00-07:00", ws["quiet_hours"])

	files := exportFiles(t, src)
	var flow, settings string
	for _, f := range files {
		switch f.Name {
		case "flows/standard.yaml":
			flow = f.Content
		case "workspace.yaml":
			settings = f.Content
		}
	}
	require.Contains(t, settings, "quiet_hours: 22:00-07:00\n")
	require.Contains(t, flow, "urgent: true\n")
	require.Contains(t, flow, "throttle:\n")
	require.Contains(t, flow, "scope: key\n")

	dst := apptest.Start(t)
	apply(t, dst, files[1:], false, "import")
	require.Equal(t, files, exportFiles(t, dst), "export → apply → export gives identical files")

	bad := strings.Replace(flow, "max: 5", "max: 0", 1)
	r := dst.Must(http.StatusUnprocessableEntity, "POST", "/v1/plan", map[string]any{"files": []configFile{{Name: "flows/standard.yaml", Content: bad}}}).Map(t)
	fe := r["errors"].([]any)[0].(map[string]any)
	require.Equal(t, "flows/standard.yaml", fe["file"])
	require.Contains(t, fe["field"], "throttle[0].max")
}
