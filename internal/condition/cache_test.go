package condition

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCachedReturnsTheSameProgram(t *testing.T) {
	t.Parallel()
	env := setup(t)
	a, err := env.Cached("object.status == 'open'")
	require.NoError(t, err)
	b, err := env.Cached("object.status == 'open'")
	require.NoError(t, err)
	require.Same(t, a, b)
	c, err := env.Cached("object.status == 'closed'")
	require.NoError(t, err)
	require.NotSame(t, a, c)
	require.Equal(t, "object.status == 'closed'", c.Source())
}

func TestCachedKeepsErrors(t *testing.T) {
	t.Parallel()
	env := setup(t)
	_, err1 := env.Cached("objct.status == 'open'")
	_, err2 := env.Cached("objct.status == 'open'")
	var ce *CompileError
	require.ErrorAs(t, err1, &ce)
	require.Same(t, err1, err2)
	require.Equal(t, 1, env.cache.len())
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	env := setup(t, WithCacheSize(3))
	expr := func(i int) string { return fmt.Sprintf("object.n == %d", i) }
	first, err := env.Cached(expr(0))
	require.NoError(t, err)
	kept, err := env.Cached(expr(1))
	require.NoError(t, err)
	for i := 2; i < 6; i++ {
		_, err := env.Cached(expr(i))
		require.NoError(t, err)
		// Using expr(1) keeps it the most recent but one.
		again, err := env.Cached(expr(1))
		require.NoError(t, err)
		require.Same(t, kept, again)
	}
	require.Equal(t, 3, env.cache.len())
	evicted, err := env.Cached(expr(0))
	require.NoError(t, err)
	require.NotSame(t, first, evicted, "the least recently used expression was evicted")
}

func TestConcurrentEval(t *testing.T) {
	t.Parallel()
	env := setup(t, WithCacheSize(4))
	newYork := mustLoad("America/New_York")
	late := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // 2 March in Berlin
	cases := []struct {
		expr string
		now  time.Time
		loc  *time.Location
		want bool
	}{
		{"days_until(object.expires_on) <= object.lead_days", march1, berlin, true},
		{"is_birthday('1990-03-02', 0)", late, berlin, true},
		{"is_birthday('1990-03-02', 0)", late, newYork, false},
		{"'birthday' in contact.consents && age(contact.birthday) == 45", march1, time.UTC, true},
		{"hours_since(object.due_at) > 24 && !(object.status in ['done','closed'])", march1, berlin, true},
		{"contact.membership_status in ['cancelled', 'paused']", march1, berlin, false},
	}
	data := map[time.Time]map[string]any{march1: sample(t, march1, true), late: sample(t, late, false)}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				c := cases[(g+i)%len(cases)]
				p, err := env.Cached(c.expr)
				if err != nil {
					errs <- err
					return
				}
				res, err := p.Eval(context.Background(), data[c.now], c.loc)
				if err != nil {
					errs <- err
					return
				}
				if res.Match != c.want || len(res.Values) == 0 {
					errs <- fmt.Errorf("%s in %s: got %v %v, want %v", c.expr, c.loc, res.Match, res.Values, c.want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.LessOrEqual(t, env.cache.len(), 4)
}
