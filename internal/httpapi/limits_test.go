package httpapi_test

import (
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
)

// deepJSON is levels objects and arrays nested in each other, starting with
// an object ({"a":[{"a":[…]}]}), and the path below it of the object or
// array at level.
func deepJSON(levels, level int) (body, path string) {
	var b strings.Builder
	for i := 1; i <= levels; i++ {
		if i%2 == 1 {
			b.WriteString(`{"a":`)
		} else {
			b.WriteString("[")
		}
	}
	b.WriteString(`"leaf"`)
	for i := levels; i >= 1; i-- {
		if i%2 == 1 {
			b.WriteString("}")
		} else {
			b.WriteString("]")
		}
	}
	for i := 2; i <= level; i++ {
		if i%2 == 0 {
			path += ".a"
		} else {
			path += "[0]"
		}
	}
	return b.String(), path
}

// wideJSON is an object whose list holds n numbers.
func wideJSON(n int) string {
	return `{"list":[` + strings.TrimSuffix(strings.Repeat("1,", n), ",") + `]}`
}

type problem struct {
	Status int `json:"status"`
	Errors []struct {
		Field, Code, Detail string
	} `json:"errors"`
}

// TestDataLimitsOnEveryPath: event data and the attributes of contacts,
// objects and projects are refused beyond the limits with 422 and the
// path of the offending value, on every route they come in by.
func TestDataLimitsOnEveryPath(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	tooDeep, deepPath := deepJSON(model.MaxDataDepth+1, model.MaxDataDepth+1)
	okDeep, _ := deepJSON(model.MaxDataDepth, 0)
	tooMany := wideJSON(model.MaxDataValues)
	tests := []struct {
		name, method, path, body string
		field, code              string
	}{
		{"event data too deep", "POST", "/v1/events",
			`{"type":"x","project":"p","data":` + tooDeep + `}`, "data" + deepPath, "too_deep"},
		{"event data too many values", "POST", "/v1/events",
			`{"type":"x","project":"p","data":` + tooMany + `}`, "data.list", "too_many_values"},
		{"event number overflows", "POST", "/v1/events",
			`{"type":"x","project":"p","data":{"n":1e999999}}`, "data.n", "number_out_of_range"},
		{"event integer beyond 2^53", "POST", "/v1/events",
			`{"type":"x","project":"p","data":{"order":{"id":9007199254740993}}}`, "data.order.id", "number_out_of_range"},
		{"inline contact of an event", "POST", "/v1/events",
			`{"type":"x","project":"p","actors":{"promoter":[{"id":"c-1","attributes":` + tooDeep + `}]}}`,
			"actors.promoter[0].attributes" + deepPath, "too_deep"},
		{"dry run", "POST", "/v1/explain",
			`{"type":"x","project":"p","data":` + tooDeep + `}`, "data" + deepPath, "too_deep"},
		{"manual message", "POST", "/v1/messages",
			`{"template":"t","recipients":["email:a@example.com"],"data":` + tooMany + `}`, "data.list", "too_many_values"},
		{"contact", "PUT", "/v1/contacts/c-1", `{"attributes":` + tooDeep + `}`, "attributes" + deepPath, "too_deep"},
		{"contact too many values", "PUT", "/v1/contacts/c-1", `{"attributes":` + tooMany + `}`, "attributes.list", "too_many_values"},
		{"object", "PUT", "/v1/objects/tasks/t-1", `{"attributes":` + tooDeep + `}`, "attributes" + deepPath, "too_deep"},
		{"project", "PUT", "/v1/projects/p", `{"attributes":{"budget":-1e400}}`, "attributes.budget", "number_out_of_range"},
		{"template preview", "POST", "/v1/templates/t/preview",
			`{"draft":{"subject":"Hallo"},"data":{"data":` + tooDeep + `}}`, "data.data" + deepPath, "too_deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(tt.method, tt.path, tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
			require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
			var p problem
			r.JSON(t, &p)
			found := false
			for _, fe := range p.Errors {
				if fe.Field == tt.field {
					require.Equal(t, tt.code, fe.Code, "%s", r.Body)
					require.NotEmpty(t, fe.Detail)
					found = true
				}
			}
			require.True(t, found, "no error at %s: %s", tt.field, r.Body)
		})
	}

	// At the limit, everything is accepted.
	e.Must(http.StatusCreated, "POST", "/v1/events", `{"type":"x","project":"p","data":`+okDeep+`}`)
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/c-2", `{"attributes":`+wideJSON(model.MaxDataValues-1)+`}`)

	// Batches answer per item: the bad ones by index with their path, the
	// good ones accepted.
	r := e.Must(http.StatusOK, "POST", "/v1/events/batch", `{"events":[{"type":"x","project":"p","data":{"n":1}},`+
		`{"type":"x","project":"p","data":`+tooDeep+`}]}`)
	var batch struct {
		Results []struct {
			ID     string `json:"id"`
			Errors []struct{ Field, Code string }
		} `json:"results"`
	}
	r.JSON(t, &batch)
	require.Len(t, batch.Results, 2)
	require.NotEmpty(t, batch.Results[0].ID)
	require.Len(t, batch.Results[1].Errors, 1, "%s", r.Body)
	require.Equal(t, "events[1].data"+deepPath, batch.Results[1].Errors[0].Field)
	require.Equal(t, "too_deep", batch.Results[1].Errors[0].Code)

	r = e.Must(http.StatusOK, "POST", "/v1/contacts/bulk", `{"contacts":[{"id":"c-3"},{"id":"c-4","attributes":{"n":1e400}}]}`)
	var bulk struct {
		Upserted int `json:"upserted"`
		Errors   []struct {
			Index  int `json:"index"`
			Errors []struct{ Field, Code string }
		} `json:"errors"`
	}
	r.JSON(t, &bulk)
	require.Equal(t, 1, bulk.Upserted)
	require.Len(t, bulk.Errors, 1)
	require.Equal(t, 1, bulk.Errors[0].Index)
	require.Equal(t, "contacts[1].attributes.n", bulk.Errors[0].Errors[0].Field)
	require.Equal(t, "number_out_of_range", bulk.Errors[0].Errors[0].Code)
}

// TestDeepBodyThroughServer: bodies far deeper than any limit (the 9,990
// levels of the original attack, the 10,000 the JSON decoder stops at, and
// a whole 1 MiB of brackets) are refused with 422 naming the path, quickly,
// through the real HTTP server.
func TestDeepBodyThroughServer(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	for _, levels := range []int{9_990, 10_001} {
		deep, _ := deepJSON(levels, 0)
		start := time.Now()
		r := e.Do("POST", "/v1/events", `{"type":"x","project":"p","data":`+deep+`}`)
		require.Less(t, time.Since(start), 10*time.Second)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
		var p problem
		r.JSON(t, &p)
		require.Len(t, p.Errors, 1)
		require.Equal(t, "too_deep", p.Errors[0].Code)
		require.True(t, strings.HasPrefix(p.Errors[0].Field, "data.a[0].a[0]"), p.Errors[0].Field)
	}
	r := e.Do("POST", "/v1/events", strings.Repeat("[", 1<<20-1))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	require.Contains(t, string(r.Body), `"too_deep"`)
	// Nothing was stored.
	var list struct{ Items []any }
	e.Must(http.StatusOK, "GET", "/v1/events", nil).JSON(t, &list)
	require.Empty(t, list.Items)
}

// TestAcceptedNumbersRoundTrip: numbers within the limits come back with
// exactly the value sent, in event data and in attributes.
func TestAcceptedNumbersRoundTrip(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	numbers := []string{"9007199254740991", "-9007199254740991", "0", "-0", "0.1", "12.50", "1.7976931348623157e308",
		"-5e-324", "1e300", "3.14159265358979323846264338327950288", "0.1000000000000000000000001"}
	var doc strings.Builder
	for i, n := range numbers {
		fmt.Fprintf(&doc, `,"n%02d":%s`, i, n)
	}
	body := "{" + strings.TrimPrefix(doc.String(), ",") + "}"

	e.Must(http.StatusCreated, "PUT", "/v1/contacts/c-1", `{"attributes":`+body+`}`)
	ev := e.Must(http.StatusCreated, "POST", "/v1/events", `{"type":"x","project":"p","data":`+body+`}`).Map(t)
	for _, path := range []string{"/v1/contacts/c-1", "/v1/events/" + ev["id"].(string)} {
		raw := e.Must(http.StatusOK, "GET", path, nil).Body
		for i, n := range numbers {
			requireSameNumber(t, n, numberIn(t, raw, fmt.Sprintf(`"n%02d":`, i)), path)
		}
	}
}

// numberIn returns the number after key in a JSON text (the response's
// own digits: decoding into float64 would hide a lost digit).
func numberIn(t *testing.T, raw []byte, key string) string {
	t.Helper()
	s := string(raw)
	i := strings.Index(s, key)
	require.GreaterOrEqual(t, i, 0, "%s not in %s", key, s)
	s = s[i+len(key):]
	end := strings.IndexAny(s, ",}]")
	return strings.TrimSpace(s[:end])
}

func requireSameNumber(t *testing.T, want, got, where string) {
	t.Helper()
	w, ok1 := new(big.Rat).SetString(want)
	g, ok2 := new(big.Rat).SetString(got)
	require.True(t, ok1 && ok2, "%s: %q or %q is not a number", where, want, got)
	require.Zero(t, w.Cmp(g), "%s: sent %s, got back %s", where, want, got)
}
