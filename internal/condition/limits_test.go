package condition

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bigData holds data.big, a list of n numbers, and data.s, a string.
func bigData(n int) map[string]any {
	big := make([]any, n)
	for i := range big {
		big[i] = i
	}
	return map[string]any{
		"data": map[string]any{"big": big, "s": strings.Repeat("x", 1000)},
		"now":  march1,
	}
}

// literalList returns "[0, 1, …, n-1]".
func literalList(n int) string {
	nums := make([]string, n)
	for i := range nums {
		nums[i] = fmt.Sprint(i)
	}
	return "[" + strings.Join(nums, ",") + "]"
}

// slowLimit bounds the wall-clock time a stopped evaluation may take. The
// cost limit stops the runaways below after 10-20 ms; unstopped they would
// run for minutes (10^8 and more iterations). The bound is generous because
// the race detector and other work on the machine slow tests down a lot.
const slowLimit = 5 * time.Second

func TestCostLimit(t *testing.T) {
	t.Parallel()
	list := literalList(100)
	nest := func(body string) string { // four loops over list: 10^8 iterations
		return list + ".all(a, " + list + ".all(b, " + list + ".all(c, " + list + ".all(d, " + body + "))))"
	}
	tests := []struct {
		name    string
		in      string
		opts    []Option
		want    bool
		wantErr error
	}{
		{name: "nested comprehensions over data", in: "data.big.all(x, data.big.all(y, data.big.all(z, x + y + z >= 0)))", wantErr: ErrCostLimit},
		{name: "nested comprehensions over literals", in: nest("a + b + c + d >= 0"), wantErr: ErrCostLimit},
		{name: "string building", in: "data.big.map(x, data.big.map(y, data.big.map(z, data.s + data.s + string(z)))).size() > 0", wantErr: ErrCostLimit},
		{name: "string building over literals", in: nest("size('abcdefghij' + string(a) + string(b)) > 0"), wantErr: ErrCostLimit},
		{name: "one pass over data is fine", in: "data.big.exists(x, x == 999)", want: true},
		{name: "a small limit", in: "data.big.exists(x, x == 999)", opts: []Option{WithCostLimit(100)}, wantErr: ErrCostLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A long timeout, so that the cost limit is what stops them.
			opts := append([]Option{WithTimeout(time.Minute)}, tt.opts...)
			p, err := setup(t, opts...).Compile(tt.in)
			require.NoError(t, err)
			start := time.Now()
			res, err := p.Eval(context.Background(), bigData(1000), nil)
			elapsed := time.Since(start)
			require.Less(t, elapsed, slowLimit)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorContains(t, err, "condition exceeded its cost limit")
				require.False(t, res.Match)
				if strings.Contains(tt.in, "data.big") {
					require.Contains(t, res.Values, "data.big", "values are reported even then")
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Match)
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	// Without a cost limit worth the name, only the deadline stops this:
	// 10^9 iterations.
	env := setup(t, WithCostLimit(1<<62), WithTimeout(20*time.Millisecond))
	p, err := env.Compile("data.big.all(x, data.big.all(y, data.big.all(z, x + y + z >= 0)))")
	require.NoError(t, err)
	start := time.Now()
	_, err = p.Eval(context.Background(), bigData(1000), nil)
	require.Less(t, time.Since(start), slowLimit)
	require.ErrorIs(t, err, ErrTimeout)
	require.EqualError(t, err, "condition took too long to evaluate (more than 20ms)")
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	env := setup(t, WithCostLimit(1<<62), WithTimeout(time.Minute))
	p, err := env.Compile("data.big.all(x, data.big.all(y, data.big.all(z, x + y + z >= 0)))")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err = p.Eval(ctx, bigData(1000), nil)
	require.Less(t, time.Since(start), slowLimit)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.Is(err, ErrTimeout))
}

func TestParserLimits(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "deep nesting", in: strings.Repeat("[", 150) + "1" + strings.Repeat("]", 150) + " != []", wantErr: "recursion"},
		{name: "deep calls", in: strings.Repeat("size(", 120) + "'x'" + strings.Repeat(")", 120) + " > 0", wantErr: "recursion"},
		{name: "many macros", in: strings.Repeat("[1].all(x,x>0)&&", 250) + "true", wantErr: "expression count exceeds limit of 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := env.Compile(tt.in)
			require.Less(t, time.Since(start), slowLimit)
			var ce *CompileError
			require.ErrorAs(t, err, &ce)
			require.Contains(t, strings.ToLower(err.Error()), tt.wantErr)
		})
	}
}

// TestEvalCost: an evaluation reports what it cost, the same every time
// for the same data (the planner's per-event budget relies on it), also
// when it ended with an error; one stopped by the clock is charged the
// cost limit; with its context done already nothing is evaluated, not
// even a call (matches on a long text) that would not look at the context
// until it returns.
func TestEvalCost(t *testing.T) {
	t.Parallel()
	env := setup(t, WithTimeout(time.Minute))
	data := bigData(1000)
	cost := func(expr string) (uint64, error) {
		t.Helper()
		p, err := env.Compile(expr)
		require.NoError(t, err)
		first, err := p.Eval(context.Background(), data, nil)
		again, err2 := p.Eval(context.Background(), data, nil)
		require.Equal(t, first.Cost, again.Cost, "%s: the same cost every time", expr)
		require.Equal(t, err, err2)
		return first.Cost, err
	}
	small, err := cost("data.s == 'x'")
	require.NoError(t, err)
	require.Positive(t, small)
	require.Less(t, small, uint64(10))
	pass, err := cost("data.big.exists(x, x == 999)")
	require.NoError(t, err)
	require.Greater(t, pass, uint64(1000), "a pass over 1,000 entries")
	over, err := cost("data.big.all(x, data.big.all(y, x + y >= 0))")
	require.ErrorIs(t, err, ErrCostLimit)
	require.GreaterOrEqual(t, over, uint64(DefaultCostLimit), "an evaluation over the limit costs at least the limit")
	missing, err := cost("data.nothing == 1")
	require.Error(t, err)
	require.Positive(t, missing)

	slow, err := setup(t, WithTimeout(time.Millisecond), WithCostLimit(1<<40)).Compile(
		"data.big.all(x, data.big.all(y, data.big.all(z, x + y + z >= 0)))")
	require.NoError(t, err)
	res, err := slow.Eval(context.Background(), data, nil)
	require.ErrorIs(t, err, ErrTimeout)
	require.Equal(t, uint64(1<<40), res.Cost, "stopped by the clock: charged the limit")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	regex, err := env.Compile(`data.s.matches("(a|aa)*(b|c|d)+x$")`)
	require.NoError(t, err)
	res, err = regex.Eval(ctx, map[string]any{"data": map[string]any{"s": strings.Repeat("a", 400_000)}, "now": march1}, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, res.Cost)
}
