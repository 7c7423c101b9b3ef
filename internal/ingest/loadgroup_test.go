package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
)

// holdLoads makes the committer's first group read wait until release is
// called, records every group's size and calls also, when given, with it.
func holdLoads(f *fixture, also func(n int)) (sizes func() []int, release func()) {
	var mu sync.Mutex
	var got []int
	gate := make(chan struct{})
	f.g.committer.loads.hook = func(n int) {
		mu.Lock()
		first := len(got) == 0
		got = append(got, n)
		mu.Unlock()
		if also != nil {
			also(n)
		}
		if first {
			<-gate
		}
	}
	return func() []int {
			mu.Lock()
			defer mu.Unlock()
			return append([]int(nil), got...)
		}, sync.OnceFunc(func() {
			close(gate)
		})
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// acceptLater accepts ping(who) on a goroutine of its own; the function
// it returns waits for the answer.
func acceptLater(ctx context.Context, f *fixture, who string) func() (*Result, error) {
	done := make(chan struct{})
	var res *Result
	var err error
	go func() {
		defer close(done)
		res, err = f.g.Accept(ctx, f.ws, ping(who))
	}()
	return func() (*Result, error) {
		<-done
		return res, err
	}
}

// waitingNow is how many events wait for the next group read.
func (l *loadGroup) waitingNow() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiting)
}

// Events arriving while a read runs are read together in the next one,
// and each still gets its own contacts, messages and subjects.
func TestConcurrentEventsShareOneSnapshotRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 12
	for i := range n {
		f.contacts(contact(fmt.Sprintf("c%d", i)))
	}
	f.g.Start()
	t.Cleanup(f.g.Stop)
	sizes, release := holdLoads(f, nil)
	t.Cleanup(release)
	results := make([]*Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	wg.Go(func() { results[0], errs[0] = f.g.Accept(f.ctx, f.ws, ping("c0")) })
	waitFor(t, "the first read", func() bool { return len(sizes()) == 1 })
	for i := 1; i < n; i++ {
		wg.Go(func() { results[i], errs[i] = f.g.Accept(f.ctx, f.ws, ping(fmt.Sprintf("c%d", i))) })
	}
	waitFor(t, "the others to wait", func() bool { return f.g.committer.loads.waitingNow() == n-1 })
	release()
	wg.Wait()
	require.Equal(t, []int{1, n - 1}, sizes(), "one read for the first, one for all that waited")
	for i, res := range results {
		require.NoError(t, errs[i])
		require.Len(t, res.Messages, 1)
		id := fmt.Sprintf("c%d", i)
		require.Equal(t, id, res.Messages[0].To.ContactID)
		require.Equal(t, "Hallo Person "+id, res.Messages[0].Subject)
		m, err := f.st.MessageGet(f.ctx, f.ws.ID, res.Messages[0].ID)
		require.NoError(t, err)
		require.Equal(t, "Hallo Person "+id, m.Subject)
	}
}

// An event read in a group sees every contact change committed before it
// arrived, even when the group's read was already under way then.
func TestGroupReadSeesWritesBeforeTheEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"))
	f.g.Start()
	t.Cleanup(f.g.Stop)
	sizes, release := holdLoads(f, nil)
	t.Cleanup(release)
	firstDone := acceptLater(f.ctx, f, "anna")
	waitFor(t, "the first read", func() bool { return len(sizes()) == 1 })
	renamed := contact("ben")
	renamed.Name = "Benedikt"
	f.contacts(renamed)
	secondDone := acceptLater(f.ctx, f, "ben")
	waitFor(t, "the second to wait", func() bool { return f.g.committer.loads.waitingNow() == 1 })
	release()
	first, err := firstDone()
	require.NoError(t, err)
	second, err := secondDone()
	require.NoError(t, err)
	require.Equal(t, []int{1, 1}, sizes())
	require.Equal(t, "Hallo Person anna", first.Messages[0].Subject)
	require.Equal(t, "Hallo Benedikt", second.Messages[0].Subject, "the name saved before the event was sent")
}

// A request given up while its read serves others does not fail theirs.
func TestCancelledReaderFailsNoOtherEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"), contact("cem"))
	f.g.Start()
	t.Cleanup(f.g.Stop)
	// ben's request will read for the group of ben and cem, and is given
	// up while that read waits.
	benCtx, cancel := context.WithCancel(f.ctx)
	sizes, release := holdLoads(f, func(n int) {
		if n == 2 {
			cancel()
		}
	})
	t.Cleanup(release)
	go func() { _, _ = f.g.Accept(f.ctx, f.ws, ping("anna")) }()
	waitFor(t, "the first read", func() bool { return len(sizes()) == 1 })
	go func() { _, _ = f.g.Accept(benCtx, f.ws, ping("ben")) }()
	waitFor(t, "ben to wait", func() bool { return f.g.committer.loads.waitingNow() == 1 })
	cemDone := acceptLater(f.ctx, f, "cem")
	waitFor(t, "cem to wait", func() bool { return f.g.committer.loads.waitingNow() == 2 })
	release()
	cem, err := cemDone()
	require.Equal(t, []int{1, 2}, sizes())
	require.NoError(t, err)
	require.Equal(t, "Hallo Person cem", cem.Messages[0].Subject)
	require.Equal(t, model.MsgQueued, cem.Messages[0].Status)
}

// Each API event's time is observed per stage, for finding what a slow
// request waited for.
func TestAcceptObservesItsStages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := metrics.Discard()
	f.g.cfg.Metrics = m
	f.contacts(contact("anna"))
	f.g.Start()
	t.Cleanup(f.g.Stop)
	_, err := f.g.Accept(f.ctx, f.ws, ping("anna"))
	require.NoError(t, err)
	for _, stage := range []string{metrics.StageLoad, metrics.StagePlan, metrics.StageQueue, metrics.StageTurn, metrics.StageWrite} {
		var d dto.Metric
		require.NoError(t, m.IngestStage.WithLabelValues(stage).(prometheus.Histogram).Write(&d))
		require.Equal(t, uint64(1), d.GetHistogram().GetSampleCount(), stage)
	}
}

// BenchmarkAcceptConcurrent accepts W1-max's event (3 notifications × 2
// recipients) from 50 concurrent callers through the group commit, on a
// real SQLite file: the CPU per event of the ingest path without HTTP.
func BenchmarkAcceptConcurrent(b *testing.B) {
	f := newFixture(b)
	var notes []model.Notification
	for i := range 3 {
		notes = append(notes, model.Notification{Key: fmt.Sprintf("w%d", i), EventType: "w1", Template: "t",
			Recipients: []model.Recipient{"role:promoter", "role:agency"}, Status: model.StatusActive,
			Category: model.CategoryTransactional, Channel: model.ChannelEmail})
	}
	_, err := f.st.FlowUpsert(f.ctx, f.ws.ID, &model.Flow{Key: "f", Name: "F", CreatedAt: start, UpdatedAt: start, Notifications: notes})
	require.NoError(b, err)
	const contacts = 1000
	cs := make([]*model.Contact, contacts)
	for i := range cs {
		cs[i] = contact(fmt.Sprintf("c%d", i))
	}
	f.contacts(cs...)
	f.g.Start()
	b.Cleanup(f.g.Stop)
	var mu sync.Mutex
	seq := 0
	took := make([]time.Duration, 0, b.N)
	b.SetParallelism(25) // 50 callers on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	defer func() {
		b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		slices.Sort(took)
		if len(took) > 0 {
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			seq++
			i := seq
			mu.Unlock()
			in := &Input{Type: "w1", Project: "p", Data: map[string]any{"job": "Messe"}, Actors: map[string][]string{
				"promoter": {fmt.Sprintf("c%d", i%contacts)}, "agency": {fmt.Sprintf("c%d", (i+1)%contacts)}}}
			t0 := time.Now()
			res, err := f.g.Accept(f.ctx, f.ws, in)
			d := time.Since(t0)
			mu.Lock()
			took = append(took, d)
			mu.Unlock()
			if err != nil || len(res.Messages) != 6 {
				b.Errorf("accept: %v, %d messages", err, len(res.Messages))
				return
			}
		}
	})
}

// processCPU is the CPU time the test process used so far (user and
// system): on a shared machine a steadier measure than the wall clock.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A group read that panics fails its events with an error, and the
// events after it are read as usual.
func TestPanickingGroupReadFailsOnlyItsEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"), contact("cem"), contact("dora"))
	f.g.Start()
	t.Cleanup(f.g.Stop)
	sizes, release := holdLoads(f, func(n int) {
		if n == 2 {
			panic("boom")
		}
	})
	t.Cleanup(release)
	go func() { _, _ = f.g.Accept(f.ctx, f.ws, ping("anna")) }()
	waitFor(t, "the first read", func() bool { return len(sizes()) == 1 })
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, who := range []string{"ben", "cem"} {
		wg.Go(func() { _, errs[i] = f.g.Accept(f.ctx, f.ws, ping(who)) })
		waitFor(t, who+" to wait", func() bool { return f.g.committer.loads.waitingNow() == i+1 })
	}
	release()
	wg.Wait()
	for _, err := range errs {
		require.ErrorContains(t, err, "boom")
	}
	res, err := f.g.Accept(f.ctx, f.ws, ping("dora"))
	require.NoError(t, err)
	require.Equal(t, "Hallo Person dora", res.Messages[0].Subject)
	require.Equal(t, []int{1, 2, 1}, sizes())
}
