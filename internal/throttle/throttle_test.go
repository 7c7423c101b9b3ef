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
	require.Equal(t, 2*time.Second, th.Fail("k"), "still within the quiet period: the third failure counts on")
	clk.Advance(15 * time.Minute)
	require.Equal(t, 1, th.Len())
	require.Zero(t, th.Wait("k"), "quiet for ForgetAfter")
	require.Zero(t, th.Len(), "and forgotten")
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
	require.Positive(t, th.Wait("attacker"), "a key failing all along is among the most recent and stays")
	require.Positive(t, th.Wait("victim-999@example.org"))
	require.Zero(t, th.Wait("victim-0@example.org"), "the oldest went first")
	require.Equal(t, 100, th.Len())
}

// TestClientAndAccount: the account's delay holds back only clients that
// failed themselves.
func TestClientAndAccount(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 2, BaseDelay: time.Second, MaxDelay: time.Minute, ForgetAfter: 10 * time.Minute})
	fail := func(client string) {
		t.Helper()
		require.Zero(t, th.Try(client, "acct"))
		th.Done(client, "acct", true)
	}
	fail("a")
	fail("b")
	require.Equal(t, time.Second, th.Wait("acct"), "two failures on the account from two clients")
	require.Equal(t, time.Second, th.Try("a", "acct"), "a failed: the account's delay applies")
	require.Zero(t, th.Try("c", "acct"), "c never failed: it may try")
	th.Done("c", "acct", false)
	require.Zero(t, th.Wait("c"), "a success leaves nothing behind")
	require.Equal(t, 3, th.Len(), "a, b and the account")
	require.Equal(t, time.Second, th.Try("a", "acct"), "nor does it lift the account's delay")
	require.Zero(t, th.Try("a", "other"), "a's own delay has not started: other accounts are open")
	th.Done("a", "other", true)
	clk.Advance(time.Second)
	fail("a")
	require.Equal(t, 2*time.Second, th.Wait("acct"))
}

// TestOneAttemptAtATime: past the free failures, concurrent attempts do
// not all pass before the first one's failure counts.
func TestOneAttemptAtATime(t *testing.T) {
	t.Parallel()
	th, clk := setup(t, throttle.Config{Free: 3, BaseDelay: time.Second, MaxDelay: time.Minute, ForgetAfter: 10 * time.Minute})
	// Three in flight at once use up the free failures.
	for range 3 {
		require.Zero(t, th.Try("a", "acct"))
	}
	require.Equal(t, time.Second, th.Try("a", "acct"), "a fourth waits while three are in flight")
	for range 3 {
		th.Done("a", "acct", true)
	}
	clk.Advance(time.Second)
	require.Zero(t, th.Try("a", "acct"), "after the delay one gets through")
	require.Equal(t, time.Second, th.Try("a", "acct"), "but only one")
	th.Done("a", "acct", true)
	require.Equal(t, 2*time.Second, th.Try("a", "acct"))
}
