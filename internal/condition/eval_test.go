package condition

import (
	"context"
	"fmt"
	"maps"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEvalRealisticData(t *testing.T) {
	t.Parallel()
	env := setup(t)
	base := func(t *testing.T, useNumber bool) map[string]any { return sample(t, march1, useNumber) }
	tests := []struct {
		name    string
		in      string
		data    func(map[string]any) map[string]any // changes to the sample, optional
		want    bool
		wantErr string
	}{
		{name: "membership status not in list", in: "contact.membership_status in ['cancelled', 'paused']", want: false},
		{
			name: "membership status in list", in: "contact.membership_status in ['cancelled', 'paused']",
			data: func(d map[string]any) map[string]any {
				return with(d, "contact", map[string]any{"membership_status": "paused"})
			},
			want: true,
		},
		{name: "consent given", in: "'birthday' in contact.consents", want: true},
		{name: "consent missing", in: "'marketing' in contact.consents", want: false},
		{name: "whole JSON number compares with int", in: "object.lead_days > 3", want: true},
		{name: "whole JSON number in arithmetic", in: "object.lead_days - 10 == 20 && object.lead_days * 2 == 60", want: true},
		{name: "fractional JSON number", in: "data.amount > 12 && data.amount < 13.0 && object.fee < 20", want: true},
		{name: "JSON list of numbers", in: "2 in object.levels && !(4 in object.levels)", want: true},
		{name: "JSON list of strings", in: "'b' in data.tags", want: true},
		{name: "lead time reached", in: "days_until(object.expires_on) <= object.lead_days", want: true},
		{
			name: "lead time not reached", in: "days_until(object.expires_on) <= object.lead_days",
			data: func(d map[string]any) map[string]any {
				return with(d, "object", map[string]any{"lead_days": 10})
			},
			want: false,
		},
		{
			name: "overdue by more than 24 hours and open",
			in:   "hours_since(object.due_at) > 24 && !(object.status in ['done', 'closed'])", want: true,
		},
		{
			name: "overdue but done",
			in:   "hours_since(object.due_at) > 24 && !(object.status in ['done', 'closed'])",
			data: func(d map[string]any) map[string]any {
				return with(d, "object", map[string]any{"status": "done"})
			},
			want: false,
		},
		{
			name: "due 10 hours ago",
			in:   "hours_since(object.due_at) > 24 && !(object.status in ['done', 'closed'])",
			data: func(d map[string]any) map[string]any {
				return with(d, "object", map[string]any{"due_at": "2026-03-01T00:00:00Z"})
			},
			want: false,
		},
		{name: "event fields", in: "event.type == 'qualification.expiring' && event.occurred_at == now && event.source == 'schedule'", want: true},
		{name: "linked contact", in: "object.contacts.owner[0] == contact.id && size(object.subscribers) == 2", want: true},
		{name: "workspace", in: "workspace.key == 'tsv' && project.name == 'Mitglieder'", want: true},
		{name: "timestamp arithmetic", in: "now - timestamp(object.due_at) > duration('24h')", want: true},
		{name: "string functions", in: "contact.email.endsWith('@example.org') && object.name.startsWith('Übungs')", want: true},
		{name: "exists over data", in: "object.levels.exists(l, l > 2)", want: true},
		{name: "optional field guarded", in: "has(contact.phone) && contact.phone != ''", want: false},
		{name: "non-bool field", in: "object.status", wantErr: "condition must be true or false, got string"},
		{name: "non-bool number", in: "object.lead_days", wantErr: "condition must be true or false, got int"},
		{name: "text compared with a number", in: "object.status > 3", wantErr: "cannot apply '>' to object.status (string) and 3 (int)"},
		{name: "double plus int", in: "data.amount + 1 > 3", wantErr: "cannot apply '+' to data.amount (double) and 1 (int)"},
		{name: "member call on a number", in: "object.lead_days.startsWith('3')", wantErr: "cannot apply 'startsWith' to object.lead_days (int) and '3' (string)"},
	}
	for _, useNumber := range []bool{true, false} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/useNumber=%v", tt.name, useNumber), func(t *testing.T) {
				t.Parallel()
				p, err := env.Compile(tt.in)
				require.NoError(t, err)
				data := base(t, useNumber)
				if tt.data != nil {
					data = tt.data(data)
				}
				res, err := p.Eval(context.Background(), data, berlin)
				m, mErr := p.Matcher(data, berlin)
				require.NoError(t, mErr)
				match, matchErr := m.Match(context.Background(), data)
				if tt.wantErr != "" {
					require.ErrorContains(t, err, tt.wantErr)
					require.ErrorContains(t, matchErr, tt.wantErr)
					require.False(t, res.Match)
					require.False(t, match)
					return
				}
				require.NoError(t, err)
				require.NoError(t, matchErr)
				require.Equal(t, tt.want, res.Match)
				require.Equal(t, tt.want, match, "Match agrees with Eval")
			})
		}
	}
}

func TestEvalDoesNotChangeVars(t *testing.T) {
	t.Parallel()
	env := setup(t)
	data := sample(t, march1, true)
	before := fmt.Sprintf("%#v", data["object"])
	p, err := env.Compile("object.lead_days == 30 && today < now")
	require.NoError(t, err)
	res, err := p.Eval(context.Background(), data, time.UTC)
	require.NoError(t, err)
	require.True(t, res.Match)
	require.Equal(t, before, fmt.Sprintf("%#v", data["object"]), "numbers are normalized in a copy")
	require.Equal(t, march1, data["now"].(time.Time).UTC())
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          any
		want        any
		wantChanged bool
	}{
		{name: "whole float", in: 3.0, want: int64(3), wantChanged: true},
		{name: "negative zero", in: math.Copysign(0, -1), want: int64(0), wantChanged: true},
		{name: "fraction", in: 2.5, want: 2.5},
		{name: "huge float stays double", in: 1e300, want: 1e300},
		{name: "int json.Number", in: jsonNumber("42"), want: int64(42), wantChanged: true},
		{name: "whole float json.Number", in: jsonNumber("5.0"), want: int64(5), wantChanged: true},
		{name: "fraction json.Number", in: jsonNumber("5.25"), want: 5.25, wantChanged: true},
		{name: "string", in: "5", want: "5"},
		{name: "nested", in: map[string]any{"a": []any{1.0, "x"}, "b": "y"},
			want: map[string]any{"a": []any{int64(1), "x"}, "b": "y"}, wantChanged: true},
		{name: "nested unchanged", in: map[string]any{"a": []any{"x"}}, want: map[string]any{"a": []any{"x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, changed := normalize(tt.in, 0)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantChanged, changed)
		})
	}
}

// A schedule's scan makes one Matcher per worker and passes it record after
// record: each decision must be the one Eval gives for that record alone,
// whatever came before (a root or field the previous record had and this
// one lacks included), and an error must not stick to the next record.
func TestMatcherReusedAcrossRecords(t *testing.T) {
	t.Parallel()
	env := setup(t)
	p, err := env.Compile("has(object.lead_days) && days_until(object.expires_on) <= object.lead_days")
	require.NoError(t, err)
	base := sample(t, march1, true)
	delete(base, "object")
	m, err := p.Matcher(base, berlin)
	require.NoError(t, err)
	records := []map[string]any{
		{"expires_on": "2026-03-20", "lead_days": 30},  // 19 days ahead, within 30
		{"expires_on": "2026-03-20"},                   // no lead time: false
		{"expires_on": "2026-05-20", "lead_days": 30},  // too far ahead
		{"expires_on": "kein Datum", "lead_days": 30},  // an error
		{"expires_on": "2026-03-02", "lead_days": 1.0}, // tomorrow, lead 1 (a float from JSON)
		nil, // no object at all: an error
		{"expires_on": "2026-03-01", "lead_days": 0},
	}
	want := []bool{true, false, false, false, true, false, true}
	for i, obj := range records {
		data := maps.Clone(base)
		if obj != nil {
			data["object"] = obj
		}
		res, evalErr := p.Eval(context.Background(), data, berlin)
		got, matchErr := m.Match(context.Background(), data)
		if evalErr != nil {
			require.EqualError(t, matchErr, evalErr.Error(), "record %d", i)
		} else {
			require.NoError(t, matchErr, "record %d", i)
		}
		require.Equal(t, res.Match, got, "record %d", i)
		require.Equal(t, want[i], got, "record %d", i)
		require.Equal(t, i == 3 || i == 5, matchErr != nil, "record %d: %v", i, matchErr)
	}
}
