package model

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
)

// w2Data is the input of a W2 event's data model: a schedule's event
// about a contact who is also its only actor.
func w2Data() DataInput {
	c := &Contact{ID: "c-0004711", Email: "c0004711@example.org", Name: "Person 4711", Locale: "de",
		Attributes: map[string]any{"city": "Köln"}, Consents: []string{"newsletter"}}
	return DataInput{
		Workspace: &Workspace{Key: "agentur-nord", Name: "Agentur Nord", Timezone: "Europe/Berlin"},
		Event: &Event{ID: "e-1", Type: "mailing", Project: "p", Source: SourceSchedule,
			OccurredAt: time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC),
			Data:       map[string]any{"schedule": "mailing", "occurrence": "mailing-c-0004711"}},
		Project: &Project{Key: "p", Name: "Projekt", Flow: "f", Attributes: map[string]any{"budget": 3}},
		Contact: c,
		Actors:  map[string][]*Contact{"contact": {c}},
		Now:     time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC),
	}
}

func TestNewData(t *testing.T) {
	t.Parallel()
	in := w2Data()
	other := &Contact{ID: "c-2", Name: "Zweite"}
	in.Actors["watcher"] = []*Contact{other}
	in.Actors["nobody"] = nil
	got := NewData(in)
	berlin := LoadLocation("Europe/Berlin")
	contact := map[string]any{"id": "c-0004711", "email": "c0004711@example.org", "name": "Person 4711", "locale": "de",
		"timezone": "", "consents": []any{"newsletter"}, "opt_outs": []any{}, "city": "Köln"}
	want := map[string]any{
		RootEvent: map[string]any{"id": "e-1", "type": "mailing", "occurred_at": in.Event.OccurredAt, "source": "schedule",
			"project": "p"},
		RootData:      in.Event.Data,
		RootContact:   contact,
		RootRecipient: map[string]any{},
		RootObject:    map[string]any{},
		RootProject:   map[string]any{"key": "p", "name": "Projekt", "flow": "f", "budget": 3},
		RootActors: map[string]any{"contact": contact, "watcher": map[string]any{"id": "c-2", "email": "", "name": "Zweite",
			"locale": "", "timezone": "", "consents": []any{}, "opt_outs": []any{}}},
		RootWorkspace: map[string]any{"key": "agentur-nord", "name": "Agentur Nord"},
		RootNow:       in.Now.In(berlin),
		// 29 February does not exist in 2026: 23:30 UTC on the 28th is
		// already 1 March in Berlin.
		RootToday: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin),
	}
	require.Equal(t, want, got)
	actors := got[RootActors].(map[string]any)
	require.Equal(t, reflect.ValueOf(got[RootContact]).Pointer(), reflect.ValueOf(actors["contact"]).Pointer(),
		"the contact who is also an actor shares one map")
	require.NotEqual(t, reflect.ValueOf(got[RootContact]).Pointer(), reflect.ValueOf(actors["watcher"]).Pointer())
}

func TestNewDataEmpty(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	got := NewData(DataInput{Now: now})
	require.Equal(t, map[string]any{
		RootEvent: map[string]any{}, RootData: map[string]any{}, RootContact: map[string]any{},
		RootRecipient: map[string]any{}, RootObject: map[string]any{}, RootProject: map[string]any{},
		RootActors: map[string]any{}, RootWorkspace: map[string]any{"key": "", "name": ""},
		RootNow: now, RootToday: time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC),
	}, got)
	got = NewData(DataInput{Event: &Event{ID: "e"}, Now: now})
	require.Equal(t, map[string]any{}, got[RootData], "an event without data has an empty data map")
}

// TestNewDataBytes pins what a W2 event's data model costs.
func TestNewDataBytes(t *testing.T) {
	in := w2Data()
	got := alloctest.BytesPerRun(t, 200, func() { NewData(in) })
	t.Logf("%v bytes per data model", got)
	require.Less(t, got, 3000.0)
}

// TestNewDataSharesTheWorkspacesPart: a data model given the
// workspace's part built before is the one built from the workspace, it
// holds that very map, and it costs that map (about 300 bytes) less.
func TestNewDataSharesTheWorkspacesPart(t *testing.T) { // not parallel: it counts bytes
	in := w2Data()
	own := NewData(in)
	shared := in
	shared.WorkspaceData = in.Workspace.Data()
	got := NewData(shared)
	require.Equal(t, own, got)
	require.Equal(t, reflect.ValueOf(shared.WorkspaceData).Pointer(), reflect.ValueOf(got[RootWorkspace]).Pointer())
	built := alloctest.BytesPerRun(t, 200, func() { NewData(in) })
	reused := alloctest.BytesPerRun(t, 200, func() { NewData(shared) })
	t.Logf("%v bytes per data model, %v with the workspace's part shared", built, reused)
	require.LessOrEqual(t, reused, built-200)
	require.Equal(t, map[string]any{"key": "", "name": ""}, (*Workspace)(nil).Data())
}

func BenchmarkNewData(b *testing.B) {
	in := w2Data()
	b.ReportAllocs()
	for b.Loop() {
		NewData(in)
	}
}
