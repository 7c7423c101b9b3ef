package main

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/model"
)

// The small schedule the mixed workload runs now and then: the mailing's
// newsletter to the ten contacts c-0000000 … c-0000009, a new occurrence
// per run (the run's instant is in the key), over a scan of every contact.
const (
	mixedSchedule = "mixed-small"
	mixedMatches  = 10
)

func mixedTitle(cfg *config) string {
	return fmt.Sprintf("Mixed: %d clients write contacts and events for %s while a %s-message mailing is delivered",
		cfg.mixedClients, cfg.mixedDuration, thousands(float64(cfg.mixedMailing)))
}

// runMixed starts a mailing (a schedule run over -mixed-mailing contacts)
// and, once the sink gets its first message, lets -mixed-clients clients
// mix single and bulk contact writes, single events and batches for
// -mixed-duration while a small schedule is run every -mixed-run-every.
// Then it reads every write back: each contact's last acknowledged version
// and every accepted event must be there.
func runMixed(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	snk, err := startSink(faults{})
	if err != nil {
		return nil, err
	}
	defer snk.close()
	return withServer(ctx, e, serverOptions{name: "mixed", smtpAddr: snk.Addr()}, func(s *server) (*Result, error) {
		if err := prepareMixed(ctx, s.url, cfg); err != nil {
			return nil, err
		}
		res := &Result{Workload: "mixed", Title: mixedTitle(cfg), Unit: "requests/s",
			Params: map[string]any{"clients": cfg.mixedClients, "duration_s": cfg.mixedDuration.Seconds(), "mailing": cfg.mixedMailing,
				"run_every_s": cfg.mixedRunEvery.Seconds(), "seed": cfg.mixedSeed, "contacts_per_client": mixedPool,
				"mix": "30 % PUT contact, 10 % bulk contacts (50–200), 40 % event, 20 % batch (10–50 events)"}}
		if err := s.measure(); err != nil {
			return nil, err
		}
		mailing := startMailingRun(ctx, s.url, cfg.w2Timeout)
		t0 := time.Now()
		if _, err := snk.waitDistinct(ctx, 1, time.Minute, t0.Add(time.Minute)); err != nil {
			return res, fmt.Errorf("mailing: no message arrived: %w", err)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("the mailing's first message arrived %.1f s after its run request; then the clients started", time.Since(t0).Seconds()))
		p := newPoster(s.urls, cfg.mixedClients+4, cfg.reqTimeout)
		defer p.close()
		m := newMixedRun(cfg, p)
		m.drive(ctx)
		atEnd := snk.Stats()
		s.endMeasure()
		mr := <-mailing
		mailingNote(res, mr, atEnd)
		return res, mixedVerdict(ctx, m, res, mr.err)
	})
}

// prepareMixed configures W4's event (one message to a contact of
// -contacts), the mailing, and the small schedule.
func prepareMixed(ctx context.Context, url string, cfg *config) error {
	c := bulkClient(url)
	if err := prepare(ctx, c, scenario{notifications: 1, roles: w4Roles, contacts: cfg.contacts}); err != nil {
		return err
	}
	if _, err := prepareMailing(ctx, url, cfg.mixedMailing); err != nil {
		return err
	}
	// The mailing goes to its own contacts, not to those the clients add
	// while it runs.
	mailing := map[string]any{"name": "Newsletter", "enabled": false, "cron": "0 6 1 1 *", "source": map[string]any{"kind": "contacts"},
		"condition": `contact.id.startsWith("c-")`, "event_type": mailingEventType, "project": mailingProject, "role": "contact",
		"occurrence_key": "mailing-{{ .contact.id }}"}
	if err := c.Put(ctx, "/v1/schedules/"+mailingSchedule, mailing); err != nil {
		return fmt.Errorf("put schedule: %w", err)
	}
	sc := map[string]any{"name": "Mixed", "enabled": false, "cron": "0 6 1 1 *", "source": map[string]any{"kind": "contacts"},
		"condition": `contact.id.startsWith("c-000000")`, "event_type": mailingEventType, "project": mailingProject, "role": "contact",
		"occurrence_key": "mixed-{{ .contact.id }}-{{ .now.UnixNano }}"}
	if err := c.Put(ctx, "/v1/schedules/"+mixedSchedule, sc); err != nil {
		return fmt.Errorf("put schedule: %w", err)
	}
	return nil
}

// mailingRun is the outcome of the mailing's schedule run.
type mailingRun struct {
	run *model.ScheduleRun
	err error
}

// startMailingRun runs the mailing's schedule now and follows the run in
// the background.
func startMailingRun(ctx context.Context, url string, timeout time.Duration) <-chan mailingRun {
	done := make(chan mailingRun, 1)
	go func() {
		run, _, err := runSchedule(ctx, client.MustNew(url, benchKey), mailingSchedule, timeout)
		done <- mailingRun{run, err}
	}()
	return done
}

// mailingNote describes the mailing's run and what the sink got.
func mailingNote(res *Result, mr mailingRun, st SinkStats) {
	switch {
	case mr.err != nil:
		res.Notes = append(res.Notes, "mailing run: "+mr.err.Error())
	case mr.run != nil:
		res.Notes = append(res.Notes, fmt.Sprintf("mailing run: %s in %.1f s, %d emitted", mr.run.Status, runSeconds(mr.run), mr.run.Emitted))
	}
	res.Sink = &st
	res.Notes = append(res.Notes, fmt.Sprintf("the sink got %d messages (mailing, events, schedule runs) by the end of the clients' run, %.0f messages/s",
		st.Messages, st.Rate()))
}

// drive runs the clients and the schedule runner for -mixed-duration and
// keeps the clients, the schedule runs and the time it took in m.
func (m *mixedRun) drive(ctx context.Context) {
	t0 := time.Now()
	deadline := t0.Add(m.cfg.mixedDuration)
	m.clients = make([]*mixedClient, m.cfg.mixedClients)
	var wg sync.WaitGroup
	for i := range m.clients {
		m.clients[i] = newMixedClient(m, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.clients[i].run(ctx, deadline)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.runs = m.runSchedules(ctx, deadline)
	}()
	wg.Wait()
	m.elapsed = time.Since(t0)
}

// scheduleRunCheck is one run of the small schedule: what the run ended
// as, or why it could not be followed.
type scheduleRunCheck struct {
	Status  string  `json:"status"`
	Emitted int     `json:"emitted"`
	Seconds float64 `json:"s"`
	Problem string  `json:"problem,omitempty"`
}

// runSchedules runs the small schedule now every -mixed-run-every until the
// deadline, each time waiting for the run to finish.
func (m *mixedRun) runSchedules(ctx context.Context, deadline time.Time) []scheduleRunCheck {
	var out []scheduleRunCheck
	for next := time.Now(); next.Before(deadline) && ctx.Err() == nil; next = next.Add(m.cfg.mixedRunEvery) {
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(next)):
		}
		var run model.ScheduleRun
		t0 := time.Now()
		n503, err := retry503(ctx, func() error {
			return m.p.post(ctx, "/v1/schedules/"+mixedSchedule+"/run", map[string]any{}, &run)
		})
		m.record(opRun, t0, n503, err)
		if err != nil {
			continue
		}
		out = append(out, m.followRun(ctx, &run, t0))
	}
	return out
}

// followRun polls a run until it has ended (at most -w3-timeout).
func (m *mixedRun) followRun(ctx context.Context, run *model.ScheduleRun, t0 time.Time) scheduleRunCheck {
	limit := time.Now().Add(m.cfg.w3Timeout)
	for run.Status != "finished" && run.Status != "failed" {
		if time.Now().After(limit) || ctx.Err() != nil {
			return scheduleRunCheck{Status: run.Status, Problem: fmt.Sprintf("run %s still %s after %s", run.ID, run.Status, m.cfg.w3Timeout)}
		}
		time.Sleep(200 * time.Millisecond)
		if err := m.p.get(ctx, "/v1/schedules/"+mixedSchedule+"/runs/"+run.ID, run); err != nil {
			return scheduleRunCheck{Status: run.Status, Problem: "poll run: " + err.Error()}
		}
	}
	c := scheduleRunCheck{Status: run.Status, Emitted: run.Emitted, Seconds: round(time.Since(t0).Seconds(), 2)}
	if run.Status != "finished" || run.Emitted != mixedMatches || run.Errors > 0 {
		c.Problem = fmt.Sprintf("run %s: %s, %d emitted of %d, %d errors %v", run.ID, run.Status, run.Emitted, mixedMatches, run.Errors, run.ErrorSamples)
	}
	return c
}

// mixedVerdict reports each operation, reads every write back and decides:
// no error of any kind (a 503 retried after Retry-After is none), every
// acknowledged contact version and every accepted event present, every
// schedule run finished, the mailing's included, and no message delivered
// twice (nothing here is a fault that would excuse one).
func mixedVerdict(ctx context.Context, m *mixedRun, res *Result, mailingErr error) error {
	ok, n503 := 0, int64(0)
	ops := map[string]*opStats{}
	res.Errors, res.ErrorExamples = map[string]int{}, map[string]string{}
	for _, op := range mixedOps {
		st := m.ops[op].stats()
		ops[op] = st
		ok, n503 = ok+st.OK, n503+st.HTTP503
		res.Failed += st.N - st.OK
		for class, n := range st.Errors {
			res.Errors[op+": "+class] = n
			res.ErrorExamples[op+": "+class] = st.Examples[class]
		}
		res.Notes = append(res.Notes, st.describe(op))
	}
	res.Rate, res.Count, res.Seconds = round(float64(ok)/m.elapsed.Seconds(), 0), int64(ok), round(m.elapsed.Seconds(), 2)
	res.Latency, res.LatencyOf = ops[opEvent].Latency, opEvent+" (503 retries included)"
	res.Params["operations"], res.Params["http_503"], res.Params["schedule_runs"] = ops, n503, m.runs
	var problems []string
	for _, r := range m.runs {
		if r.Problem != "" {
			problems = append(problems, r.Problem)
		}
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%d runs of the small schedule, %d with problems", len(m.runs), len(problems)))
	if mailingErr != nil {
		problems = append(problems, "the mailing's run: "+mailingErr.Error())
	}
	written, stale, listErr := checkContacts(ctx, m.p, m.clients)
	t0 := time.Now()
	missing, readErrs := readBack(ctx, m.p, m.events)
	res.Params["contacts_written"], res.Params["contacts_missing"] = written, stale
	res.Params["events_accepted"], res.Params["events_missing"], res.Params["event_read_errors"] = len(m.events), missing, readErrs
	res.Notes = append(res.Notes, fmt.Sprintf("read back: %d contacts written, %d without their last acknowledged version; %d accepted events, %d missing, %d read errors (%.1f s)",
		written, stale, len(m.events), missing, readErrs, time.Since(t0).Seconds()))
	switch {
	case listErr != nil:
		return fmt.Errorf("read contacts back: %w", listErr)
	case res.Failed > 0:
		return fmt.Errorf("%d requests failed: %s", res.Failed, res.errorSummary())
	case stale > 0 || missing > 0 || readErrs > 0:
		return fmt.Errorf("missing writes: %d contacts, %d events (%d read errors)", stale, missing, readErrs)
	case len(problems) > 0:
		return fmt.Errorf("schedule runs: %s", strings.Join(problems, "; "))
	case res.Sink != nil && res.Sink.Duplicates > 0:
		return fmt.Errorf("the sink got %d messages a second time (same Message-ID)", res.Sink.Duplicates)
	}
	res.Notes = append(res.Notes, "no error, no 5xx but 503, every acknowledged write read back")
	return nil
}

// opStats is one operation's outcome in the mixed workload.
type opStats struct {
	N        int               `json:"requests"`
	OK       int               `json:"ok"`
	Latency  *Latency          `json:"latency,omitempty"`
	Errors   map[string]int    `json:"errors,omitempty"`
	Examples map[string]string `json:"error_examples,omitempty"`
	HTTP503  int64             `json:"http_503"`
}

func (t *opTally) stats() *opStats {
	st := &t.c.out
	out := &opStats{N: st.Sent, OK: st.OK, Latency: summarize(st.Latencies), HTTP503: t.n503.Load()}
	if len(st.Errors) > 0 {
		out.Errors, out.Examples = st.Errors, st.Example
	}
	return out
}

// describe is one line of the report: count, latency, errors, 503s.
func (st *opStats) describe(op string) string {
	lat := "–"
	if l := st.Latency; l != nil {
		lat = fmt.Sprintf("%.1f / %.1f / %.1f ms", l.P50MS, l.P99MS, l.MaxMS)
	}
	errs := "0"
	if len(st.Errors) > 0 {
		var classes []string
		for c, n := range st.Errors {
			classes = append(classes, fmt.Sprintf("%s: %d", c, n))
		}
		sort.Strings(classes)
		errs = strings.Join(classes, ", ")
	}
	return fmt.Sprintf("%s: %d requests, p50 / p99 / max %s, errors %s, 503s %d", op, st.N, lat, errs, st.HTTP503)
}

// checkContacts lists every contact (GET /v1/contacts) and compares each
// client's contacts with their last acknowledged version. A stored version
// below it is a lost write; one above it can only come from a request that
// failed after the server applied it, which is counted as an error anyway.
func checkContacts(ctx context.Context, p *poster, clients []*mixedClient) (written, stale int, err error) {
	stored := map[string]int{}
	cursor := ""
	for {
		q := url.Values{"limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []struct {
				ID         string `json:"id"`
				Attributes struct {
					V int `json:"v"`
				} `json:"attributes"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := p.get(ctx, "/v1/contacts?"+q.Encode(), &page); err != nil {
			return 0, 0, err
		}
		for _, c := range page.Items {
			stored[c.ID] = c.Attributes.V
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for _, c := range clients {
		for k, v := range c.acked {
			if v == 0 {
				continue
			}
			written++
			if got, ok := stored[c.contactID(k)]; !ok || got < v {
				stale++
			}
		}
	}
	return written, stale, nil
}
