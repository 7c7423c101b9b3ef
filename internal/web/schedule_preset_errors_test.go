package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSchedulePresetErrorsNextToTheirFields: a preset the service refuses
// shows each problem next to its own field of the form (the duration, the
// collection), not all of them at the preset's kind.
func TestSchedulePresetErrorsNextToTheirFields(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.lang = "en"
	c.signIn(e.Email, e.Password)
	resp, body := c.submit("/schedules/_new", "/schedules", url.Values{"key": {"faellig"}, "preset": {"overdue"},
		"enabled": {"1"}, "project": {"personalpool"}, "duration": {"1d"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
	require.Contains(t, body, `id="err-duration"`)
	require.Contains(t, body, `id="err-collection"`)
	require.NotContains(t, body, `id="err-preset_kind"`)
}
