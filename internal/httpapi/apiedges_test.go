package httpapi_test

import (
	"net/http"
	"strings"
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

// TestAddressLengthLimits: every place that takes an address refuses one
// beyond RFC 5321's limits (64 octets before the "@", 254 in all) with a
// 422 naming the field, and takes one exactly at the limit.
func TestAddressLengthLimits(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	local := func(n int) string { return strings.Repeat("a", n) }
	// domain returns a dotted domain of exactly n octets.
	domain := func(n int) string { return strings.Repeat("d", n-len(".example")) + ".example" }
	sizes := []struct {
		name string
		addr string
		ok   bool
	}{
		{"local 64", local(64) + "@example.org", true},
		{"local 65", local(65) + "@example.org", false},
		{"local 300", local(300) + "@example.org", false},
		{"address 254", local(60) + "@" + domain(254-61), true},
		{"address 255", local(60) + "@" + domain(255-61), false},
	}
	places := []struct {
		name   string
		method string
		path   string
		body   func(addr string) any
		field  string
	}{
		{"contact email", "PUT", "/v1/contacts/c-1", func(a string) any { return map[string]any{"email": a} }, "email"},
		{"workspace sender", "PATCH", "/v1/workspace", func(a string) any {
			return map[string]any{"sender": map[string]any{"from": "Nord <" + a + ">"}}
		}, "sender.from"},
		{"template reply-to", "PUT", "/v1/templates/t2", func(a string) any {
			return map[string]any{"sender": map[string]any{"reply_to": a}, "locales": map[string]any{"de": map[string]any{"subject": "x", "text": "y"}}}
		}, "sender.reply_to"},
		{"flow recipient", "PUT", "/v1/flows/f", func(a string) any {
			return map[string]any{"notifications": []any{map[string]any{"key": "n", "event_type": "a.b", "template": "tmpl",
				"recipients": []string{"email:" + a}}}}
		}, "notifications[0].recipients[0]"},
		{"event actor", "POST", "/v1/explain", func(a string) any {
			return map[string]any{"type": "a.b", "project": "p", "actors": map[string]any{"to": []any{map[string]any{"id": "x", "email": a}}}}
		}, "actors.to[0].email"},
	}
	for _, pl := range places {
		for _, sz := range sizes {
			r := e.Do(pl.method, pl.path, pl.body(sz.addr))
			if sz.ok {
				require.Less(t, r.Status, 300, "%s with %s: %s", pl.name, sz.name, r.Body)
				continue
			}
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s with %s: %s", pl.name, sz.name, r.Body)
			f := requireField(t, r.Map(t), pl.field, "invalid_email")
			require.Contains(t, f["detail"], "RFC 5321", "%s with %s", pl.name, sz.name)
		}
	}
}
