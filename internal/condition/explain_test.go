package condition

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func TestExplainValues(t *testing.T) {
	t.Parallel()
	env := setup(t)
	big := make([]any, 50)
	for i := range big {
		big[i] = fmt.Sprint("m", i)
	}
	many := make([]string, 30)
	for i := range many {
		many[i] = fmt.Sprintf("data.f%02d == %d", i, i)
	}
	tests := []struct {
		name      string
		in        string
		data      func(map[string]any) map[string]any
		want      map[string]any // entries that must be present, exactly
		wantLen   int            // the exact number of entries, when set
		wantMatch bool
		wantErr   string
	}{
		{
			name: "lead time with the helper's result",
			in:   "days_until(object.expires_on) <= object.lead_days",
			data: func(d map[string]any) map[string]any { return with(d, "object", map[string]any{"lead_days": 10}) },
			want: map[string]any{
				"object.expires_on":             "2026-03-20",
				"object.lead_days":              10,
				"days_until(object.expires_on)": int64(19),
			},
			wantLen: 3,
		},
		{
			name: "consents and today",
			in:   "'marketing' in contact.consents && today > timestamp('2020-01-01T00:00:00Z')",
			want: map[string]any{
				"contact.consents": []any{"birthday", "newsletter"},
				"today":            "2026-03-01T00:00:00+01:00",
			},
			wantLen: 2,
		},
		{
			name:      "a repeated path is reported once",
			in:        "object.status == 'open' || object.status == 'new'",
			want:      map[string]any{"object.status": "open"},
			wantLen:   1,
			wantMatch: true,
		},
		{
			name:      "guarded optional field",
			in:        "has(contact.birthday) && is_birthday(contact.birthday, 0)",
			data:      func(d map[string]any) map[string]any { return with(d, "contact", map[string]any{"birthday": absent}) },
			want:      map[string]any{"contact.birthday": nil, "is_birthday(contact.birthday, 0)": nil},
			wantLen:   2,
			wantMatch: false,
		},
		{
			name:      "comprehension variable shadows a root",
			in:        "object.levels.exists(object, object > 2)",
			want:      map[string]any{"object.levels": []any{int64(1), int64(2), int64(3)}},
			wantLen:   1,
			wantMatch: true,
		},
		{
			name:      "index with a literal key",
			in:        "object['due_at'] != '' && object.contacts['owner'][0] == 'c1'",
			want:      map[string]any{"object['due_at']": "2026-02-27T08:00:00Z", "object.contacts['owner'][0]": "c1"},
			wantLen:   2,
			wantMatch: true,
		},
		{
			name:      "at most 20 entries, first in source order",
			in:        strings.Join(many, " || "),
			want:      map[string]any{"data.f00": nil, "data.f19": nil},
			wantLen:   20,
			wantMatch: false,
			wantErr:   "data has no field 'f00'",
		},
		{
			name: "long lists are cut",
			in:   "size(data.big) > 100",
			data: func(d map[string]any) map[string]any { return with(d, "data", map[string]any{"big": big}) },
			want: map[string]any{"data.big": append(append([]any{}, big[:20]...), "… 30 more")},
		},
		{
			name:    "missing field",
			in:      "contact.membership_status == 'active' && contact.birthday == '1980-05-17'",
			data:    func(d map[string]any) map[string]any { return with(d, "contact", map[string]any{"birthday": absent}) },
			want:    map[string]any{"contact.membership_status": "active", "contact.birthday": nil},
			wantErr: "contact has no field 'birthday' (guard optional fields with has(contact.birthday))",
		},
		{
			name:    "missing field inside a helper call",
			in:      "is_birthday(contact.birthday, 0)",
			data:    func(d map[string]any) map[string]any { return with(d, "contact", map[string]any{"birthday": absent}) },
			wantErr: "contact has no field 'birthday'",
		},
		{
			name:    "missing nested field",
			in:      "object.contacts.manager[0] == 'c1'",
			want:    map[string]any{"object.contacts.manager[0]": nil},
			wantErr: "object.contacts has no field 'manager'",
		},
		{
			name:    "index out of range",
			in:      "object.subscribers[5] == 'c1'",
			wantErr: "object.subscribers has no element [5]",
		},
		{
			name:    "root not available",
			in:      "recipient.email.endsWith('@example.org')",
			data:    func(d map[string]any) map[string]any { delete(d, model.RootRecipient); return d },
			wantErr: "recipient is not available here",
		},
		{
			name:    "field of an empty recipient",
			in:      "recipient.email.endsWith('@example.org')",
			wantErr: "recipient has no field 'email'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := env.Compile(tt.in)
			require.NoError(t, err)
			data := sample(t, march1, true)
			if tt.data != nil {
				data = tt.data(data)
			}
			res, err := p.Eval(context.Background(), data, berlin)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.wantMatch, res.Match)
			for k, v := range tt.want {
				require.Contains(t, res.Values, k)
				require.EqualValues(t, v, res.Values[k], "value of %s", k)
			}
			if tt.wantLen != 0 {
				require.Len(t, res.Values, tt.wantLen, "values: %v", res.Values)
			}
			_, err = json.Marshal(res.Values)
			require.NoError(t, err)
		})
	}
}

func TestExplainNoValues(t *testing.T) {
	t.Parallel()
	p, err := setup(t).Compile("1 < 2")
	require.NoError(t, err)
	res, err := p.Eval(context.Background(), map[string]any{}, nil)
	require.NoError(t, err)
	require.True(t, res.Match)
	require.Empty(t, res.Values)
}

func TestJSONValue(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ä", 250)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{name: "timestamp", in: march1.In(berlin), want: "2026-03-01T11:00:00+01:00"},
		{name: "long string", in: long, want: strings.Repeat("ä", 200) + "…"},
		{name: "NaN", in: nan(), want: "NaN"},
		{name: "json.Number", in: jsonNumber("1.5"), want: jsonNumber("1.5")},
		{name: "deep", in: map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{}}}}},
			want: map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": "{…}"}}}}},
		{name: "string slice", in: []string{"x"}, want: []any{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, jsonValue(tt.in, 0))
		})
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{in: "due_at", want: `'due_at'`},
		{in: `it's "x"`, want: `'it\'s "x"'`},
		{in: "a\nb", want: `'a\nb'`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, quote(tt.in))
	}
}
