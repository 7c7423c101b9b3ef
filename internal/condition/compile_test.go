package condition

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/timeutil"
)

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tests := []struct {
		name    string
		in      string
		want    []Issue // Message is matched as a substring
		wantErr string  // exact Error() text, when set
	}{
		{
			name: "syntax error on line 2",
			in:   "object.status == 'open' &&\n object.lead_days = 3",
			want: []Issue{{Line: 2, Column: 19, Message: "Syntax error"}},
		},
		{
			name:    "unknown variable",
			in:      "objct.status == 'open'",
			want:    []Issue{{Line: 1, Column: 1, Message: "undeclared reference to 'objct'"}},
			wantErr: "1:1: undeclared reference to 'objct' (did you mean 'object'?)",
		},
		{
			name: "unknown variable after an operator",
			in:   "object.status == 'open' && contct.name == 'x'",
			want: []Issue{{Line: 1, Column: 28, Message: "undeclared reference to 'contct'"}},
		},
		{
			name: "unknown function at its name",
			in:   "object.status == 'open' ||\n  weeks_until(object.expires_on) < 2",
			want: []Issue{{Line: 2, Column: 3, Message: "undeclared reference to 'weeks_until'"}},
		},
		{
			name:    "unknown field of the event",
			in:      "event.type == 'booking.confirmed' &&\n  has(event.typ)",
			want:    []Issue{{Line: 2, Column: 13, Message: "event has no field 'typ'"}},
			wantErr: "2:13: event has no field 'typ' (it has id, type, occurred_at, source, project)",
		},
		{
			name: "unknown field of the workspace by index",
			in:   "workspace['nme'] == 'TSV'",
			want: []Issue{{Line: 1, Column: 12, Message: "workspace has no field 'nme' (it has key, name)"}},
		},
		{
			name: "a comprehension variable named like a root is not checked",
			in:   "[{'typ': 1}].exists(event, event.typ == 1) && event.occurred_at < now",
		},
		{
			name: "wrong arity",
			in:   "days_until(object.expires_on, 3) < 2",
			want: []Issue{{Line: 1, Column: 1, Message: "found no matching overload for 'days_until'"}},
		},
		{
			name: "wrong argument type",
			in:   "is_birthday(contact.birthday, 'tomorrow')",
			want: []Issue{{Line: 1, Column: 1, Message: "found no matching overload for 'is_birthday'"}},
		},
		{
			name:    "int result",
			in:      "1 + 2",
			want:    []Issue{{Line: 1, Column: 1, Message: "must be true or false"}},
			wantErr: "1:1: condition must be true or false, but this gives int",
		},
		{
			name: "string result after a comment",
			in:   "// the status\n  object.status + ''",
			want: []Issue{{Line: 2, Column: 3, Message: "but this gives string"}},
		},
		{
			name: "negative days_before",
			in:   "is_birthday(contact.birthday, -1)",
			want: []Issue{{Line: 1, Column: 31, Message: "days_before must not be negative"}},
		},
		{
			name: "unknown leap-day policy",
			in:   "is_birthday(contact.birthday, 0, 'feb29')",
			want: []Issue{{Line: 1, Column: 34, Message: `unknown leap-day policy "feb29"`}},
		},
		{
			name: "bad regular expression",
			in:   "object.name.matches('[')",
			want: []Issue{{Line: 1, Column: 21, Message: "invalid matches argument"}},
		},
		{
			name: "bad timestamp literal",
			in:   "now > timestamp('yesterday')",
			want: []Issue{{Line: 1, Column: 17, Message: "invalid timestamp argument"}},
		},
		{
			name: "empty",
			in:   "  \n ",
			want: []Issue{{Line: 1, Column: 1, Message: "condition is empty"}},
		},
		{
			name: "too long",
			in:   "true || " + strings.Repeat("true || ", 600) + "false",
			want: []Issue{{Line: 1, Column: 1, Message: "condition is too long (4813 characters, at most 4096)"}},
		},
		{
			name: "not UTF-8",
			in:   "object.name == '\xff'",
			want: []Issue{{Line: 1, Column: 1, Message: "not valid UTF-8"}},
		},
		{
			name: "nested too deep",
			in:   strings.Repeat("(", 150) + "true" + strings.Repeat(")", 150),
			want: []Issue{{Line: 1, Message: "recursion"}},
		},
		{
			name: "unknown field of a fixed root is fine at compile time",
			in:   "workspace.key == 'tsv' && contact.anything == 1",
		},
		{
			name: "dyn result is checked at evaluation",
			in:   "object.active",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := env.Compile(tt.in)
			if len(tt.want) == 0 {
				require.NoError(t, err)
				require.Equal(t, tt.in, p.Source())
				return
			}
			require.Nil(t, p)
			var ce *CompileError
			require.True(t, errors.As(err, &ce), "want *CompileError, got %T: %v", err, err)
			require.Equal(t, tt.in, ce.Expr)
			require.GreaterOrEqual(t, len(ce.Issues), len(tt.want), "issues: %v", ce.Issues)
			for i, w := range tt.want {
				got := ce.Issues[i]
				require.Equal(t, w.Line, got.Line, "line of %v", got)
				if w.Column != 0 {
					require.Equal(t, w.Column, got.Column, "column of %v", got)
				}
				require.Contains(t, got.Message, w.Message)
			}
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, err.Error())
			}
		})
	}
}

func TestCompileErrorListsIssues(t *testing.T) {
	t.Parallel()
	err := &CompileError{Expr: "x", Issues: []Issue{
		{Line: 1, Column: 17, Message: "Syntax error: a"},
		{Line: 2, Column: 3, Message: "b"},
	}}
	require.Equal(t, "1:17: Syntax error: a; 2:3: b", err.Error())
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      []Option
		wantErr string
	}{
		{name: "defaults", in: nil},
		{name: "mar1 policy", in: []Option{WithLeapDayPolicy(timeutil.LeapDayMar1)}},
		{name: "unknown policy", in: []Option{WithLeapDayPolicy("feb29")}, wantErr: `unknown leap-day policy "feb29"`},
		{name: "negative length", in: []Option{WithMaxLength(-1)}, wantErr: "max length must be positive"},
		{name: "negative timeout", in: []Option{WithTimeout(-1)}, wantErr: "timeout must be positive"},
		{name: "negative cache", in: []Option{WithCacheSize(-5)}, wantErr: "cache size must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, err := New(tt.in...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Nil(t, env)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, env)
		})
	}
}

func TestMaxLengthOption(t *testing.T) {
	t.Parallel()
	env := setup(t, WithMaxLength(20))
	_, err := env.Compile("object.status == 'open'")
	require.ErrorContains(t, err, "condition is too long (23 characters, at most 20)")
	_, err = env.Compile("object.x=='üüüüü'") // 17 characters, 22 bytes
	require.NoError(t, err, "length counts characters, not bytes")
}

// Admins save conditions from several requests at once; a fresh Env must take
// concurrent compiles, of good and bad expressions, without a data race (run
// under -race, as make test does).
func TestConcurrentCompileOfAFreshEnv(t *testing.T) {
	t.Parallel()
	for range 20 {
		env := setup(t)
		exprs := []string{
			"[{'typ': 1}].exists(event, event.typ == 1) && event.occurred_at < now",
			"objct.status == 'open'",
			"contact.tags.exists(t, t == 'vip')",
			"unknown_helper(object.due_at) > 1",
		}
		var wg sync.WaitGroup
		for _, e := range exprs {
			wg.Go(func() {
				_, err := env.Compile(e)
				if strings.HasPrefix(e, "objct") || strings.HasPrefix(e, "unknown") {
					assert.Error(t, err, e)
				} else {
					assert.NoError(t, err, e)
				}
			})
		}
		wg.Wait()
	}
}
