package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/throttle"
)

var start = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func setup(t *testing.T, cfg throttle.Config) (*throttle.Throttle, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(start)
	return throttle.New(cfg, clk.Now), clk
}

func TestDelaysGrowAndCap(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 3, BaseDelay: time.Second, MaxDelay: 10 * time.Second, ForgetAfter: time.Minute})
	var got []time.Duration
	for range 8 {
		require.Zero(t, th.Wait("k"), "the delay has passed")
		d := th.Fail("k")
		got = append(got, d)
		require.Equal(t, d, th.Wait("k"))
		clk.Advance(d)
	}
	s := time.Second
	require.Equal(t, []time.Duration{0, 0, 1 * s, 2 * s, 4 * s, 8 * s, 10 * s, 10 * s}, got)
	require.Zero(t, th.Wait("other"), "keys are independent")
}

func TestWaitAtTheEdges(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 1, BaseDelay: 4 * time.Second, MaxDelay: time.Minute, ForgetAfter: 10 * time.Minute})
	require.Equal(t, 4*time.Second, th.Fail("k"))
	clk.Advance(4*time.Second - time.Nanosecond)
	require.Equal(t, time.Nanosecond, th.Wait("k"), "just before the end of the delay")
	clk.Advance(time.Nanosecond)
	require.Zero(t, th.Wait("k"), "exactly at the end of the delay")
	require.True(t, th.Failing("k"))
	clk.Advance(time.Minute)
	require.Zero(t, th.Wait("k"), "a minute past")
	require.Equal(t, 8*time.Second, th.Fail("k"), "failures within the quiet period keep counting")
}

func TestQuietPeriodForgets(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 2, BaseDelay: time.Second, MaxDelay: time.Minute, ForgetAfter: 15 * time.Minute})
	th.Fail("k")
	require.Equal(t, time.Second, th.Fail("k"))
	clk.Advance(15*time.Minute - time.Second)
	require.True(t, th.Failing("k"), "still within the quiet period")
	clk.Advance(time.Second)
	require.False(t, th.Failing("k"), "quiet for ForgetAfter")
	require.Zero(t, th.Len())
	require.Zero(t, th.Fail("k"), "counting starts over")
}

func TestMemoryIsBounded(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 1, MaxKeys: 100})
	th.Fail("attacker")
	for i := range 1000 {
		clk.Advance(time.Millisecond)
		th.Fail(fmt.Sprintf("victim-%d@example.org", i))
		if i%10 == 0 {
			clk.Advance(time.Millisecond)
			th.Fail("attacker")
		}
		require.LessOrEqual(t, th.Len(), 100)
	}
	require.Equal(t, 100, th.Len())
	require.True(t, th.Failing("attacker"), "a key failing all along is among the most recent and stays")
	require.True(t, th.Failing("victim-999@example.org"))
	require.False(t, th.Failing("victim-0@example.org"), "the oldest went first")
}
