package ingest

import (
	"fmt"
	"testing"

	"github.com/herold-dev/herold/internal/model"
)

// BenchmarkAcceptScheduled accepts W2-shaped events, a hundred at a time
// as a schedule run emits them: each about one contact, with the run as
// its origin, one newsletter message each (per op: one event).
//
//	go test -run '^$' -bench AcceptScheduled -benchmem -count 5 ./internal/ingest/
func BenchmarkAcceptScheduled(b *testing.B) {
	f := newFixture(b)
	const contacts = 1000
	cs := make([]*model.Contact, contacts)
	for i := range cs {
		cs[i] = contact(fmt.Sprintf("c%d", i), "news")
	}
	f.contacts(cs...)
	origin := &model.Step{Code: model.StepScheduled, Params: map[string]string{"schedule": "s", "run": "r1"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i += 100 {
		ins := make([]*Input, min(100, b.N-i))
		for j := range ins {
			id := fmt.Sprintf("c%d", (i+j)%contacts)
			in := news(id)
			in.Contact, in.Source, in.Origin = id, model.SourceSchedule, origin
			ins[j] = in
		}
		if _, err := f.g.AcceptMany(f.ctx, f.ws, ins, nil); err != nil {
			b.Fatal(err)
		}
	}
}
