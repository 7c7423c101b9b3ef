package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// Business hours by weekday export, apply to an empty server and export
// again identically; a bad rule in workspace.yaml is refused with the
// file, the field and the rule.
func TestConfigRoundTripBusinessHours(t *testing.T) {
	t.Parallel()
	const hours = "open Mon-Fri 08:00-18:00; Sat 09:00-12:00"
	src := apptest.Start(t)
	src.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"quiet_hours": hours})
	files := exportFiles(t, src)
	var settings string
	for _, f := range files {
		if f.Name == "workspace.yaml" {
			settings = f.Content
		}
	}
	require.Contains(t, settings, "quiet_hours: "+hours+"\n")

	dst := apptest.Start(t)
	apply(t, dst, files[1:], false, "import")
	require.Equal(t, files, exportFiles(t, dst), "export → apply → export gives identical files")
	var ws map[string]any
	dst.Must(http.StatusOK, "GET", "/v1/workspace", nil).JSON(t, &ws)
	require.Equal(t, hours, ws["quiet_hours"])

	bad := strings.Replace(settings, "Sat 09:00", "Sat 9:00", 1)
	r := dst.Must(http.StatusUnprocessableEntity, "POST", "/v1/plan", map[string]any{"files": []configFile{{Name: "workspace.yaml", Content: bad}}}).Map(t)
	fe := r["errors"].([]any)[0].(map[string]any)
	require.Equal(t, "workspace.yaml", fe["file"])
	require.Equal(t, "spec.quiet_hours", fe["field"])
	require.Equal(t, `rule 2 ("Sat 9:00-12:00"): "9:00" is not a time of day; write HH:MM, e.g. 07:00`, fe["detail"])
}
