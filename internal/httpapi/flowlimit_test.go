package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/service"
)

// TestFlowNotificationLimit: a flow holds at most
// service.MaxFlowNotifications notifications, since every one is decided
// for every event. More are a 422 naming notifications, whether the flow
// comes whole (PUT), one notification at a time (POST) or from a
// configuration file (plan and apply); replacing one of a full flow's
// notifications still works.
func TestFlowNotificationLimit(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	notifications := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"key": fmt.Sprintf("n%d", i), "event_type": "job.requested", "template": "tmpl",
				"recipients": []string{"role:promoter"}, "condition": "data.job != ''"}
		}
		return out
	}
	max := service.MaxFlowNotifications

	r := e.Do("PUT", "/v1/flows/big", map[string]any{"notifications": notifications(max + 1)})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Body)
	f := requireField(t, r.Map(t), "notifications", "too_long")
	require.Contains(t, f["detail"], fmt.Sprintf("at most %d notifications", max))
	require.Equal(t, http.StatusNotFound, e.Do("GET", "/v1/flows/big", nil).Status, "nothing saved")

	e.Must(http.StatusCreated, "PUT", "/v1/flows/big", map[string]any{"notifications": notifications(max)})
	r = e.Do("POST", "/v1/flows/big/notifications", map[string]any{"event_type": "job.requested", "template": "tmpl",
		"recipients": []string{"role:promoter"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Body)
	requireField(t, r.Map(t), "notifications", "too_long")
	r = e.Do("PUT", "/v1/flows/big/notifications/extra", map[string]any{"event_type": "job.requested", "template": "tmpl",
		"recipients": []string{"role:promoter"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Body)
	e.Must(http.StatusOK, "PUT", "/v1/flows/big/notifications/n0", map[string]any{"event_type": "job.requested", "template": "tmpl",
		"recipients": []string{"role:agency"}})

	var yaml strings.Builder
	yaml.WriteString("apiVersion: herold/v1\nkind: Flow\nmetadata:\n  name: filed\nspec:\n  notifications:\n")
	for i := range max + 1 {
		fmt.Fprintf(&yaml, "    - key: n%d\n      event_type: job.requested\n      template: tmpl\n      recipients: [\"role:promoter\"]\n", i)
	}
	files := []configFile{{Name: "flows/filed.yaml", Content: yaml.String()}}
	for _, path := range []string{"/v1/plan", "/v1/apply"} {
		p := e.Must(http.StatusUnprocessableEntity, "POST", path, map[string]any{"files": files}).Map(t)
		errs := p["errors"].([]any)
		require.Len(t, errs, 1, p)
		fe := errs[0].(map[string]any)
		require.Equal(t, "flows/filed.yaml", fe["file"])
		require.Equal(t, "too_long", fe["code"])
	}
	require.Equal(t, http.StatusNotFound, e.Do("GET", "/v1/flows/filed", nil).Status, "nothing applied")
}
