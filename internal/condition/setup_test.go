package condition

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// berlin is the workspace zone of the sample data.
var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// setup returns an Env with opts.
func setup(t testing.TB, opts ...Option) *Env {
	t.Helper()
	env, err := New(opts...)
	require.NoError(t, err)
	return env
}

// decode parses JSON the way the store may: with json.Number (useNumber) or
// with float64 numbers.
func decode(t testing.TB, s string, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// sample builds the data model of an association's member, Anna, and one of
// her qualifications, at now, in the Europe/Berlin workspace.
func sample(t testing.TB, now time.Time, useNumber bool) map[string]any {
	t.Helper()
	return model.NewData(model.DataInput{
		Workspace: &model.Workspace{Key: "tsv", Name: "TSV Nord", Timezone: "Europe/Berlin"},
		Event: &model.Event{
			ID: "ev1", Type: "qualification.expiring", Project: "members", Source: model.SourceSchedule,
			OccurredAt: now,
			Data:       decode(t, `{"amount": 12.5, "count": 3, "tags": ["a", "b"]}`, useNumber),
		},
		Project: &model.Project{Key: "members", Name: "Mitglieder", Attributes: map[string]any{}},
		Contact: &model.Contact{
			ID: "c1", Email: "anna@example.org", Name: "Anna", Locale: "de",
			Attributes: decode(t, `{"birthday": "1980-05-17", "membership_status": "active",
				"joined": "01.03.2016"}`, useNumber),
			Consents: []string{"birthday", "newsletter"},
		},
		Object: &model.Object{
			Collection: "qualifications", ID: "q1",
			Attributes: decode(t, `{"name": "Übungsleiter C", "expires_on": "2026-03-20",
				"lead_days": 30, "status": "open", "due_at": "2026-02-27T08:00:00Z",
				"fee": 19.99, "levels": [1, 2, 3]}`, useNumber),
			Contacts:    map[string][]string{"owner": {"c1"}},
			Subscribers: []string{"c2", "c3"},
		},
		Now: now,
	})
}

// march1 is the default evaluation instant: Sunday 1 March 2026, 10:00 UTC
// (11:00 in Berlin).
var march1 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// absent, as a value for with, removes the field.
var absent = struct{ absent bool }{true}

// with returns a copy of data with root's map changed by set.
func with(data map[string]any, root string, set map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = v
	}
	m := map[string]any{}
	if old, ok := data[root].(map[string]any); ok {
		for k, v := range old {
			m[k] = v
		}
	}
	for k, v := range set {
		if v == absent {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	out[root] = m
	return out
}

func jsonNumber(s string) json.Number { return json.Number(s) }

func nan() float64 { return math.NaN() }
