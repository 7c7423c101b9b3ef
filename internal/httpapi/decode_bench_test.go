package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/herold-dev/herold/internal/alloctest"
	"github.com/herold-dev/herold/internal/service"
)

// w1Body is an event as the benchmark harness's W1 posts it.
var w1Body = []byte(`{"type":"job.offered","project":"bench","actors":{"promoter":["c-000017"],"agency":["c-000018"]},` +
	`"data":{"seq":17,"job":"Standbetreuung","date":"2026-04-15","reply_by":"2026-04-10"}}`)

// checkValue works out what it asks of each type once: checking an
// event again costs no reflection beyond walking the value.
func TestCheckValueOfAnEventAllocatesLittle(t *testing.T) { // not parallel: it counts allocations
	var generic any
	if err := json.Unmarshal(w1Body, &generic); err != nil {
		t.Fatal(err)
	}
	ty := reflect.TypeOf(eventInput{})
	var errs []service.FieldError
	checkValue(generic, ty, "", &errs)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	// What is left: sorting each object's keys (the order of errors) and
	// the paths of the actors' lists (fmt.Sprintf: its printers are pooled,
	// so the count is taken without the race detector).
	if n := alloctest.AllocsPerRun(t, 50, func() { checkValue(generic, ty, "", &errs) }); n > 20 {
		t.Errorf("checking a W1 event costs %v allocations, want at most 20", n)
	}
}

// BenchmarkDecodeEvent decodes W1's event body as POST /v1/events does.
func BenchmarkDecodeEvent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var in eventInput
		if err := decodeBytes(w1Body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// An event's actors become the service's input as they were: ids in
// order, inline contacts with their paths, an empty role left out; and
// ids alone cost no paths.
func TestEventInputKeepsActorsAndPaths(t *testing.T) { // not parallel: it counts allocations
	var in eventInput
	body := []byte(`{"type":"t","actors":{"to":["a",{"id":"b","email":"b@example.org"}],"none":[]},"contact":{"id":"c","email":"c@example.org"}}`)
	if err := decodeBytes(body, &in); err != nil {
		t.Fatal(err)
	}
	out := in.service()
	if got := fmt.Sprint(out.Actors); got != "map[to:[a b]]" {
		t.Errorf("actors = %s", got)
	}
	if got := fmt.Sprint(out.ContactFields); got != "[actors.to[1] contact]" || len(out.Contacts) != 2 || out.Contact != "c" {
		t.Errorf("inline contacts: %s, %d, %q", got, len(out.Contacts), out.Contact)
	}
	var ids eventInput
	if err := decodeBytes(w1Body, &ids); err != nil {
		t.Fatal(err)
	}
	// The input, its actors' map, the sorted roles and a list per role.
	if n := testing.AllocsPerRun(50, func() { ids.service() }); n > 5 {
		t.Errorf("an event of ids costs %v allocations, want at most 5", n)
	}
}
