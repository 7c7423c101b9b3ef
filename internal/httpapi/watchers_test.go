package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/store"
)

// TestObjectWatchersBounded: an object takes at most store.MaxWatchers
// subscribers in a PUT; one more is a 422 naming the field.
func TestObjectWatchersBounded(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	ids := make([]string, store.MaxWatchers+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("c-%d", i)
	}
	r := e.Do("PUT", "/v1/objects/tickets/4711", map[string]any{"subscribers": ids})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	var p struct {
		Errors []struct{ Field, Code string } `json:"errors"`
	}
	r.JSON(t, &p)
	require.NotEmpty(t, p.Errors)
	require.Equal(t, "subscribers", p.Errors[0].Field)
	require.Equal(t, "too_many_values", p.Errors[0].Code)
}
