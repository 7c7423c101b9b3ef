package httpserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestObserveLogLevels: a refused request is logged at DEBUG, load shedding
// (503, the client retries) at WARN, and only a server fault at ERROR, so
// an operator's ERROR alerts do not fire on expected back-pressure.
func TestObserveLogLevels(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   string
	}{
		{http.StatusNotFound, "level=DEBUG msg=\"request refused\""},
		{http.StatusServiceUnavailable, "level=WARN msg=\"request shed\""},
		{http.StatusInternalServerError, "level=ERROR msg=\"request failed\""},
	} {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := Observe(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(tc.status) }),
			ObserveConfig{Handler: "api", Route: func(*http.Request) string { return "/v1/events" }, Logger: logger})
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/events", nil))
		if !strings.Contains(buf.String(), tc.want) || strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("status %d logged %q, want one line with %s", tc.status, buf.String(), tc.want)
		}
	}
}
