package condition

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestReadFailure reads back the messages of real evaluations, so that a
// change to a message that the cockpit and explain no longer recognise
// fails here.
func TestReadFailure(t *testing.T) {
	t.Parallel()
	env := setup(t)
	cheap := setup(t, WithCostLimit(1))
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	vars := func(data map[string]any) map[string]any {
		return map[string]any{"data": data, "object": map[string]any{"id": "o1"}, model.RootNow: now}
	}
	for _, tc := range []struct {
		name string
		env  *Env
		expr string
		vars map[string]any
		kind string
		want map[string]string
	}{
		{"missing field", env, "data.count > 3", vars(map[string]any{}), "no_field",
			map[string]string{"parent": "data", "key": "count", "guard": "data.count"}},
		{"missing nested field", env, `object.status == "open"`, vars(nil), "no_field",
			map[string]string{"parent": "object", "key": "status", "guard": "object.status"}},
		{"missing element", env, "data.list[2] == 1", vars(map[string]any{"list": []any{1}}), "no_element",
			map[string]string{"parent": "data.list", "index": "2"}},
		{"no object at all", env, `object.status == "open"`, map[string]any{"data": map[string]any{}}, "not_available",
			map[string]string{"root": "object"}},
		{"wrong types", env, "data.count > 3", vars(map[string]any{"count": "abc"}), "types",
			map[string]string{"op": ">", "args": "data.count (string) and 3 (int)"}},
		{"not true or false", env, "data.n", vars(map[string]any{"n": 1}), "not_bool", map[string]string{"type": "int"}},
		{"too costly", cheap, "data.l.all(x, x > 0)", vars(map[string]any{"l": []any{1, 2, 3}}), "too_costly",
			map[string]string{"units": "1"}},
		{"not a date", env, "days_until(data.d) < 3", vars(map[string]any{"d": `un"bekannt`}), "not_date",
			map[string]string{"function": "days_until", "value": `un"bekannt`}},
		{"empty date", env, "days_until(data.d) < 3", vars(map[string]any{"d": ""}), "empty_date",
			map[string]string{"function": "days_until"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := tc.env.Compile(tc.expr)
			require.NoError(t, err)
			_, err = p.Eval(context.Background(), tc.vars, time.UTC)
			require.Error(t, err)
			f, ok := ReadFailure(err.Error())
			require.True(t, ok, "%q is read back", err.Error())
			require.Equal(t, tc.kind, f.Kind, err.Error())
			for name, want := range tc.want {
				require.Equal(t, want, f.Parts[name], "%s of %q", name, err.Error())
			}
		})
	}
	// As recorded after a record's label, and messages of other origins.
	f, ok := ReadFailure(`contact r-hans: is_birthday: "unbekannt" is not a date (use YYYY-MM-DD, DD.MM.YYYY or RFC 3339)`)
	require.True(t, ok)
	require.Equal(t, Failure{Kind: "not_date", Parts: map[string]string{"function": "is_birthday", "value": "unbekannt"}}, f)
	f, ok = ReadFailure("condition took too long to evaluate (more than 50ms)")
	require.True(t, ok)
	require.Equal(t, Failure{Kind: "too_slow", Parts: map[string]string{"limit": "50ms"}}, f)
	f, ok = ReadFailure(OverBudget(1_000_000).Error())
	require.True(t, ok)
	require.Equal(t, Failure{Kind: "over_budget", Parts: map[string]string{"budget": "1000000"}}, f)
	f, ok = ReadFailure("99999999999 is out of range for a date")
	require.True(t, ok)
	require.Equal(t, "date_type", f.Kind)
	_, ok = ReadFailure("database is closed")
	require.False(t, ok)
}
