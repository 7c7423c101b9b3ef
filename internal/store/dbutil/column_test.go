package dbutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
)

// fresh decodes as FromJSON did before decoders were pooled: a new
// decoder per column.
func fresh(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// columns are JSON columns as the stores hold them, and a few they do
// not (trailing text, a value over several reads, a bare number).
var columns = []string{
	`{}`, `[]`, `null`, `{"plan":"pro","seats":12,"ratio":0.125,"big":123456789012345678901234567890}`,
	`{"name":"Jürgen Ä","tags":["a","b"],"nested":{"x":[1,{"y":null}],"ok":true}}`,
	`["newsletter","product"]`, ` {"leading":"space"}`, `{"trailing":"space"} `, `{"a":1} {"b":2}`,
	`42`, `"text"`, `{"long":"` + strings.Repeat("ß", 3000) + `"}`, // more than one buffer
	`{"huge":"` + strings.Repeat("x", maxPooledColumn) + `"}`,
}

// TestFromJSONPooled decodes every column, in bytes and as a string,
// after every other column and after broken ones (which must not leave a
// pooled decoder in a bad state): the same value as a new decoder gives.
func TestFromJSONPooled(t *testing.T) {
	t.Parallel()
	broken := []string{`{"open":`, `{"a":1}}`, `[1,2`, `{"n":01}`, `nul`}
	for _, before := range append(append([]string{}, columns...), broken...) {
		for _, col := range columns {
			for _, asString := range []bool{false, true} {
				var prev any
				_ = FromJSON([]byte(before), &prev)
				var m map[string]any
				_ = FromJSONString(before, &m) // a type mismatch, for lists and scalars
				var want, got any
				require.NoError(t, fresh([]byte(col), &want))
				if asString {
					require.NoError(t, FromJSONString(col, &got))
				} else {
					require.NoError(t, FromJSON([]byte(col), &got))
				}
				require.Equal(t, want, got, "%.30q after %.30q", col, before)
			}
		}
	}
	var l []string
	require.NoError(t, FromJSONString(`[]`, &l))
	require.Equal(t, []string{}, l)
	require.NoError(t, FromJSONString(`["a","b"]`, &l))
	require.Equal(t, []string{"a", "b"}, l)
	require.ErrorContains(t, FromJSONString(`{"open":`, &l), "decode json column")
}

// TestFromJSONConcurrent decodes from 8 goroutines at once, so pooled
// decoders move between goroutines.
func TestFromJSONConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				col := fmt.Sprintf(`{"g":%d,"i":%d,"name":"Person %d"}`, g, i, i)
				var got map[string]any
				if err := FromJSONString(col, &got); err != nil {
					errs <- err
					return
				}
				if got["g"] != json.Number(fmt.Sprint(g)) || got["i"] != json.Number(fmt.Sprint(i)) {
					errs <- fmt.Errorf("goroutine %d, column %d: got %v", g, i, got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFromJSONBytes pins what decoding a contact's attributes costs: the
// map and its values, not a decoder and its 512-byte buffer per column.
func TestFromJSONBytes(t *testing.T) {
	col := `{"plan":"pro","city":"Köln"}`
	got := alloctest.BytesPerRun(t, 200, func() {
		var m map[string]any
		if err := FromJSONString(col, &m); err != nil {
			t.Fatal(err)
		}
	})
	want := alloctest.BytesPerRun(t, 200, func() { sink = map[string]any{"plan": "pro", "city": "Köln"} })
	t.Logf("%v bytes per column; the map alone %v", got, want)
	require.Less(t, got, want+200, "bytes allocated per column")
}

var sink map[string]any
