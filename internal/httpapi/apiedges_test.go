package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestWorkspacePatchNumbersInRange: a number given in PATCH /v1/workspace
// is checked against its documented range, 0 included (it used to fall
// back to the default and answer 200 without a change); a number left out
// keeps its value.
func TestWorkspacePatchNumbersInRange(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 14, "confirmation_expiry_hours": 48})

	for _, tc := range []struct {
		field string
		value int
	}{
		{"retention_days", 0}, {"retention_days", -1}, {"retention_days", 3651},
		{"confirmation_expiry_hours", 0}, {"confirmation_expiry_hours", -1}, {"confirmation_expiry_hours", 8761},
	} {
		p := e.Must(http.StatusUnprocessableEntity, "PATCH", "/v1/workspace", map[string]any{tc.field: tc.value}).Map(t)
		requireField(t, p, tc.field, "invalid")
	}
	ws := e.Must(http.StatusOK, "GET", "/v1/workspace", nil).Map(t)
	require.EqualValues(t, 14, ws["retention_days"], "a refused patch changes nothing")
	require.EqualValues(t, 48, ws["confirmation_expiry_hours"])

	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"name": "Nord"}).Map(t)
	require.EqualValues(t, 14, ws["retention_days"], "an omitted field keeps its value")
	require.EqualValues(t, 48, ws["confirmation_expiry_hours"])

	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 1, "confirmation_expiry_hours": 8760}).Map(t)
	require.EqualValues(t, 1, ws["retention_days"])
	require.EqualValues(t, 8760, ws["confirmation_expiry_hours"])
	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 3650}).Map(t)
	require.EqualValues(t, 3650, ws["retention_days"])
}
