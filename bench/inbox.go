package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/client"
)

// The inbox workload: -inbox-clients browsers hold the live feed stream
// of one contact each; then each of them gets one in-app item. It
// measures how long an item takes from the event's POST to its arrival
// in the stream, and what an idle stream costs the server in memory.
const inboxEventType = "inbox.ping"

func inboxTitle(cfg *config) string {
	return fmt.Sprintf("Inbox: %s live feed streams, one in-app item each: post → item in the stream, memory per idle stream",
		thousands(float64(cfg.inboxClients)))
}

// inboxStream is one browser's stream: it reports when it is open and
// when its first item arrives.
type inboxStream struct {
	ready   chan struct{}
	arrived chan time.Time
}

func runInbox(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	n := cfg.inboxClients
	// Every stream is a connection: lift the server's connection bound.
	o := serverOptions{name: "inbox", extra: []string{"--http-max-conns", "-1"}}
	return withServer(ctx, e, o, func(s *server) (*Result, error) {
		c := client.MustNew(s.url, benchKey)
		secret, ws, err := prepareInbox(ctx, c, n)
		if err != nil {
			return nil, err
		}
		pid := s.procs[0].pid()
		// First the figures that drive the collector (and grow the heap),
		// so that both resident-set readings come after them.
		steadyBefore, err := steadyGoMemory(ctx, s.url)
		if err != nil {
			return nil, err
		}
		before, err := settledRSS(pid)
		if err != nil {
			return nil, err
		}
		goBefore, err := scrapeMetrics(ctx, s.url, goMemory...)
		if err != nil {
			return nil, err
		}
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
		streams := make([]*inboxStream, n)
		var openErrs sync.Map
		for i := range n {
			st := &inboxStream{ready: make(chan struct{}), arrived: make(chan time.Time, 1)}
			streams[i] = st
			tok := client.FeedToken(secret, ws, contactID(i), time.Now().Add(time.Hour))
			go func() {
				if err := st.follow(sctx, hc, s.url+"/v1/feed/"+ws+"/stream?token="+tok); err != nil && sctx.Err() == nil {
					openErrs.Store(i, err)
				}
			}()
		}
		deadline := time.After(60 * time.Second)
		for i, st := range streams {
			select {
			case <-st.ready:
			case <-deadline:
				return nil, fmt.Errorf("only %d of %d streams opened within 60 s", i, n)
			}
		}
		after, err := settledRSS(pid)
		if err != nil {
			return nil, err
		}
		goAfter, err := scrapeMetrics(ctx, s.url, goMemory...)
		if err != nil {
			return nil, err
		}
		steadyAfter, err := steadyGoMemory(ctx, s.url)
		if err != nil {
			return nil, err
		}
		if err := s.measure(); err != nil {
			return nil, err
		}
		lat, failed, elapsed := postInboxEvents(ctx, s.url, streams, cfg.inboxRate)
		res := &Result{Workload: "inbox", Title: inboxTitle(cfg), Unit: "items/s", Count: int64(len(lat)),
			Failed: failed, Rate: round(float64(len(lat))/elapsed.Seconds(), 0), Seconds: round(elapsed.Seconds(), 2),
			Latency: summarize(lat), LatencyOf: "POST sent → item read from the stream",
			Params: map[string]any{"clients": n, "rate": cfg.inboxRate,
				"rss_before_mib": round(float64(before)/1024, 1), "rss_streams_open_mib": round(float64(after)/1024, 1),
				"kib_per_idle_stream": round(float64(after-before)/float64(n), 1)}}
		stacks, heap := "go_memstats_stack_inuse_bytes", "go_memstats_heap_inuse_bytes"
		res.Params["stack_kib_per_stream"] = round((goAfter[stacks]-goBefore[stacks])/1024/float64(n), 1)
		res.Params["heap_kib_per_stream"] = round((goAfter[heap]-goBefore[heap])/1024/float64(n), 1)
		res.Params["goroutines_per_stream"] = round((goAfter["go_goroutines"]-goBefore["go_goroutines"])/float64(n), 2)
		openErrs.Range(func(k, v any) bool {
			res.Notes = append(res.Notes, fmt.Sprintf("stream %v: %v", k, v))
			return len(res.Notes) < 5
		})
		if res.Latency != nil && res.Latency.P99MS > 100 {
			res.Notes = append(res.Notes, "p99 above the goal of 100 ms")
		}
		// What the server keeps per stream: its heap and stacks once the
		// garbage of setting up is collected (the goal, 20 KiB); the RSS
		// figure above moves with the heap's slack.
		steady := (steadyAfter[stacks] + steadyAfter[heap] - steadyBefore[stacks] - steadyBefore[heap]) / 1024 / float64(n)
		res.Params["steady_go_kib_per_stream"] = round(steady, 1)
		if steady > 20 {
			res.Notes = append(res.Notes, "memory per idle stream above the goal of 20 KiB")
		}
		return res, nil
	})
}

// prepareInbox configures an in-app notification to the event's "to"
// actor, n contacts, and the feed secret; it returns the secret and the
// workspace key.
func prepareInbox(ctx context.Context, c *client.Client, n int) (secret, ws string, err error) {
	if err := setWorkspace(ctx, c); err != nil {
		return "", "", err
	}
	if err := c.Put(ctx, "/v1/templates/inbox", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Termin {{ .data.seq }} beginnt in 15 Minuten", "text": "Raum 2",
		"inapp": map[string]any{"link": "/kalender/{{ .data.seq }}"}}}}); err != nil {
		return "", "", fmt.Errorf("put template: %w", err)
	}
	if err := c.Put(ctx, "/v1/flows/inbox", map[string]any{"notifications": []any{map[string]any{"key": "reminder",
		"event_type": inboxEventType, "template": "inbox", "recipients": []string{"role:to"},
		"channels": []string{"inapp"}}}}); err != nil {
		return "", "", fmt.Errorf("put flow: %w", err)
	}
	if err := c.Put(ctx, "/v1/projects/"+benchProject, map[string]any{"flow": "inbox"}); err != nil {
		return "", "", fmt.Errorf("put project: %w", err)
	}
	if err := seedContacts(ctx, c, n); err != nil {
		return "", "", err
	}
	var sec struct{ Secret, Workspace string }
	if err := c.Do(ctx, "POST", "/v1/inbox/secret", nil, &sec); err != nil {
		return "", "", fmt.Errorf("make the feed secret: %w", err)
	}
	return sec.Secret, sec.Workspace, nil
}

// follow reads the stream: ready after its first event (the counts),
// arrived at its first item.
func (st *inboxStream) follow(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	ready, arrived := false, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "event: counts" && !ready:
			ready = true
			close(st.ready)
		case line == "event: item" && !arrived:
			arrived = true
			st.arrived <- time.Now()
		case strings.HasPrefix(line, "data: ") && arrived && ready:
			// keep reading: the stream stays open until the end
		}
	}
	return sc.Err()
}

// postInboxEvents posts one event per stream at rate per second and
// collects each item's time from the POST to its arrival.
func postInboxEvents(ctx context.Context, url string, streams []*inboxStream, rate int) (lat []time.Duration, failed int, elapsed time.Duration) {
	p := newPoster([]string{url}, 256, 30*time.Second)
	defer p.close()
	sent := make([]time.Time, len(streams))
	var mu sync.Mutex
	var wg sync.WaitGroup
	t0 := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(max(rate, 1)))
	defer tick.Stop()
	for i := range streams {
		<-tick.C
		sent[i] = time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := map[string]any{"type": inboxEventType, "project": benchProject,
				"actors": map[string]any{"to": []string{contactID(i)}}, "data": map[string]any{"seq": i}}
			if err := p.post(ctx, "/v1/events", ev, nil); err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	timeout := time.After(30 * time.Second)
	for i, st := range streams {
		select {
		case at := <-st.arrived:
			lat = append(lat, at.Sub(sent[i]))
		case <-timeout:
			return lat, failed + len(streams) - len(lat), time.Since(t0)
		}
	}
	return lat, failed, time.Since(t0)
}

// goMemory are the Go runtime's figures that split a stream's memory
// into goroutine stacks and heap.
var goMemory = []string{"go_memstats_stack_inuse_bytes", "go_memstats_heap_inuse_bytes", "go_goroutines"}

// settledRSS is the server's resident set after a moment's rest, in KiB.
func settledRSS(pid int) (int64, error) {
	time.Sleep(2 * time.Second) // let the allocations of setting up settle
	return statusKiB(pid, "VmRSS:")
}

// steadyGoMemory returns the Go runtime's memory figures once setting
// up has been collected: it drives the server's garbage collector
// through two cycles (each /metrics scrape allocates, as any request
// does; the second cycle runs on what the first left alive). The
// resident set cannot be read that way: freed heap stays resident for
// reuse in amounts that move with the heap's size, tens of MiB here, which
// is ±30 KiB per stream at 1,000 streams.
func steadyGoMemory(ctx context.Context, url string) (map[string]float64, error) {
	const gcs = "go_gc_duration_seconds_count"
	start, err := scrapeMetrics(ctx, url, gcs)
	if err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		m, err := scrapeMetrics(ctx, url, append([]string{gcs}, goMemory...)...)
		if err != nil {
			return nil, err
		}
		if m[gcs] >= start[gcs]+2 {
			return m, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the server's garbage collector did not run twice within 60 s of scraping")
		}
	}
}
