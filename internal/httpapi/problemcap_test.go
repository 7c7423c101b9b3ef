package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestProblemListsAtMostAHundredErrors: a request with 50,000 invalid
// fields is answered with the first 100 of them in their usual order and
// the count of the rest, not with megabytes of errors.
func TestProblemListsAtMostAHundredErrors(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	ids := make([]string, 50000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("c%05d", i))
	}
	body := `{"name":"x","members":{"r":[` + strings.Join(ids, ",") + `]}}`
	r := e.Do("PUT", "/v1/projects/big", body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%.300s", r.Body)
	require.Less(t, len(r.Body), 32<<10, "the answer is %d bytes", len(r.Body))
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Field, Code string
		} `json:"errors"`
		ErrorsOmitted int `json:"errors_omitted"`
	}
	r.JSON(t, &p)
	require.Len(t, p.Errors, 100)
	require.Equal(t, 50000-100, p.ErrorsOmitted)
	require.Equal(t, "50000 fields are invalid; the first 100 are listed", p.Detail)
	// The first 100 in the order of a full list: by path.
	paths := make([]string, len(ids))
	for i := range paths {
		paths[i] = fmt.Sprintf("members.r[%d]", i)
	}
	slices.Sort(paths)
	for i, fe := range p.Errors {
		require.Equal(t, paths[i], fe.Field)
		require.Equal(t, "unknown_reference", fe.Code)
	}

	// Up to 100 errors, all are listed and none is counted as omitted.
	body = `{"name":"x","members":{"r":[` + strings.Join(ids[:100], ",") + `]}}`
	r = e.Do("PUT", "/v1/projects/big", body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%.300s", r.Body)
	p.ErrorsOmitted = 0
	r.JSON(t, &p)
	require.Len(t, p.Errors, 100)
	require.Zero(t, p.ErrorsOmitted)
	require.NotContains(t, string(r.Body), "errors_omitted")
	require.Equal(t, "100 fields are invalid; see errors", p.Detail)
}
