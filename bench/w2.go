package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/model"
)

// The mailing of W2 (and of the crash test): one notification for the
// schedule's event type to the contact, in a consent category.
const (
	mailingEventType = "mailing.newsletter"
	mailingProject   = "mailing"
	mailingFlow      = "mailing"
	mailingTemplate  = "newsletter"
	mailingSchedule  = "mailing"
	// mailingCategory is not transactional: contacts need its consent, and
	// opt-outs apply.
	mailingCategory = "newsletter"
)

// mailingHTML is the newsletter's HTML body, about 800 bytes.
const mailingHTML = `<!doctype html>
<html lang="de"><body style="font-family: sans-serif; color: #222;">
<h1 style="font-size: 20px;">Hallo {{ .recipient.name }},</h1>
<p>die Saison beginnt: Für die Messe Köln im April suchen wir wieder Promoterinnen und Promoter
für Standbetreuung, Einlass und Hostessen-Service. Die Einsätze dauern zwei bis fünf Tage,
die Vergütung richtet sich nach unserer aktuellen Honorarliste.</p>
<p>Wenn du dabei sein möchtest, trag dich bitte bis Ende März im Portal ein. Wir melden uns
dann mit den Details zu Schichten, Kleidung und Anreise.</p>
<ul><li>Standbetreuung: 12.–16. April</li><li>Einlass: 13.–15. April</li><li>Catering: 14. April</li></ul>
<p>Viele Grüße<br>deine Agentur Nord</p>
<p style="font-size: 11px; color: #888;">Du bekommst diese Nachricht, weil du unseren Newsletter bestellt hast.</p>
</body></html>`

// prepareMailing configures the mailing and uploads n contacts with the
// category's consent; it returns how long the upload took.
func prepareMailing(ctx context.Context, url string, n int) (time.Duration, error) {
	return prepareMailingOf(ctx, url, n, mailingContact)
}

// prepareMailingOf is prepareMailing with contacts 0 … n-1 built by
// contact.
func prepareMailingOf(ctx context.Context, url string, n int, contact func(i int) client.Contact) (time.Duration, error) {
	c := bulkClient(url)
	if err := setWorkspace(ctx, c); err != nil {
		return 0, err
	}
	tpl := map[string]any{"name": "Newsletter", "locales": map[string]any{"de": map[string]any{
		"subject": "Hallo {{ .recipient.name }}", "html": mailingHTML}}}
	if err := c.Put(ctx, "/v1/templates/"+mailingTemplate, tpl); err != nil {
		return 0, fmt.Errorf("put template: %w", err)
	}
	flow := map[string]any{"name": "Newsletter", "notifications": []any{map[string]any{
		"key": "newsletter", "name": "Newsletter", "event_type": mailingEventType, "template": mailingTemplate,
		"recipients": []string{"role:contact"}, "category": mailingCategory}}}
	if err := c.Put(ctx, "/v1/flows/"+mailingFlow, flow); err != nil {
		return 0, fmt.Errorf("put flow: %w", err)
	}
	if err := c.Put(ctx, "/v1/projects/"+mailingProject, map[string]any{"name": "Newsletter", "flow": mailingFlow}); err != nil {
		return 0, fmt.Errorf("put project: %w", err)
	}
	took, err := bulkContacts(ctx, c, n, contact)
	if err != nil {
		return took, err
	}
	// Disabled: only the harness starts it. The condition matches everyone.
	sc := map[string]any{"name": "Newsletter", "enabled": false, "cron": "0 6 1 1 *", "source": map[string]any{"kind": "contacts"},
		"condition": "true", "event_type": mailingEventType, "project": mailingProject, "role": "contact",
		"occurrence_key": "mailing-{{ .contact.id }}"}
	if err := c.Put(ctx, "/v1/schedules/"+mailingSchedule, sc); err != nil {
		return took, fmt.Errorf("put schedule: %w", err)
	}
	return took, nil
}

// mailingContact is contact i of the mailing, with the newsletter consent.
func mailingContact(i int) client.Contact {
	return client.Contact{ID: contactID(i), Email: contactEmail(i), Name: fmt.Sprintf("Person %d", i), Locale: "de",
		Consents: []string{mailingCategory}}
}

// contactEmail is contact i's address.
func contactEmail(i int) string { return strings.ReplaceAll(contactID(i), "-", "") + "@example.org" }

// runW2 sends a mailing to every contact through one schedule run and
// measures delivery into the sink.
func runW2(ctx context.Context, e *env) (*Result, error) {
	n := e.cfg.w2Contacts
	title := fmt.Sprintf("W2 mass mailing: a schedule run over %s contacts", thousands(float64(n)))
	return withMailing(ctx, e, "w2", title, func(s *server, snk *sink, res *Result) error {
		before, berr := readStages(ctx, s.urls)
		t0 := time.Now()
		type runResult struct {
			run  *model.ScheduleRun
			poll time.Duration
			err  error
		}
		done := make(chan runResult, 1)
		go func() {
			run, poll, err := runSchedule(ctx, client.MustNew(s.url, benchKey), mailingSchedule, e.cfg.w2Timeout)
			done <- runResult{run, poll, err}
		}()
		st, waitErr := snk.waitDistinct(ctx, int64(n), time.Minute, t0.Add(e.cfg.w2Timeout))
		rr := <-done
		after, aerr := readStages(ctx, s.urls)
		s.endMeasure()
		if err := errors.Join(berr, aerr); err != nil {
			res.Notes = append(res.Notes, "writer's busy time not read: "+err.Error())
		} else if busy := writerBusy(res, before, after); busy != "" {
			res.Notes = append(res.Notes, busy+" (until the last message arrived)")
		}
		mailingStats(s, res, st, t0, "run request")
		if rr.run != nil {
			res.Params["run"] = rr.run
			res.Notes = append(res.Notes, fmt.Sprintf("run: %s, %.1f s (created → finished), %d scanned, %d matched, %d emitted, %d errors",
				rr.run.Status, runSeconds(rr.run), rr.run.Scanned, rr.run.Matched, rr.run.Emitted, rr.run.Errors))
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%d of %d messages carried List-Unsubscribe", st.ListUnsubscribe, st.Messages))
		err := mailingChecked(ctx, s, res, st, n, cmpErr(waitErr, rr.err))
		if err == nil && rr.run.Emitted != n {
			err = fmt.Errorf("the run emitted %d events for %d contacts", rr.run.Emitted, n)
		}
		if err == nil {
			res.Notes = append(res.Notes, "every message arrived exactly once and is recorded as sent")
		}
		return err
	})
}

// withMailing is W2's frame: a sink, a server with the mailing and its n
// contacts prepared (-w2-contacts), the measurement started, and send,
// which sends the mailing, ends the measurement and fills res.
func withMailing(ctx context.Context, e *env, name, title string, send func(s *server, snk *sink, res *Result) error) (*Result, error) {
	cfg := e.cfg
	n := cfg.w2Contacts
	snk, err := startSink(cfg.faults)
	if err != nil {
		return nil, err
	}
	defer snk.close()
	return withServer(ctx, e, serverOptions{name: name, smtpAddr: snk.Addr()}, func(s *server) (*Result, error) {
		setup, err := prepareMailing(ctx, s.url, n)
		if err != nil {
			return nil, err
		}
		res := &Result{Workload: name, Title: title, Unit: "messages/s", Params: map[string]any{"contacts": n,
			"template_html_bytes": len(mailingHTML), "category": mailingCategory, "smtp_conns": smtpConns(cfg),
			"setup_s": round(setup.Seconds(), 1)}}
		if err := s.measure(); err != nil {
			return nil, err
		}
		return res, send(s, snk, res)
	})
}

// mailingStats fills res from the sink's figures of a mailing started at
// t0 by what.
func mailingStats(s *server, res *Result, st SinkStats, t0 time.Time, what string) {
	res.Rate, res.Seconds, res.Count = round(st.Rate(), 0), round(st.Window().Seconds(), 2), st.Distinct
	res.Sink = &st
	res.Failed = res.Params["contacts"].(int) - int(st.Distinct)
	cpuPerMessage(s, res, st.Distinct)
	if !st.FirstMail.IsZero() {
		res.Notes = append(res.Notes, fmt.Sprintf("first MAIL %.2f s after the %s", st.FirstMail.Sub(t0).Seconds(), what))
	}
}

// mailingChecked returns err, else the first failed check of a mailing
// to n contacts: history lists every message as sent, and the sink got
// each exactly once.
func mailingChecked(ctx context.Context, s *server, res *Result, st SinkStats, n int, err error) error {
	if herr := checkHistory(ctx, s, res, n); herr != nil && err == nil {
		err = herr
	}
	if err == nil && (st.Duplicates > 0 || st.Distinct != int64(n)) {
		err = fmt.Errorf("sink: %d distinct Message-IDs for %d contacts, %d duplicates", st.Distinct, n, st.Duplicates)
	}
	return err
}

// cpuPerMessage notes the server's CPU time per delivered message (ms,
// over all cores and replicas) from the measurement endMeasure ended.
func cpuPerMessage(s *server, res *Result, delivered int64) {
	m := s.final
	if m == nil || m.server == nil || delivered == 0 {
		return
	}
	perMsg := m.server.CPUSeconds * 1000 / float64(delivered)
	res.Params["server_cpu_ms_per_message"] = round(perMsg, 3)
	res.Notes = append(res.Notes, fmt.Sprintf("server CPU %.3f ms per delivered message (%.1f s for %d messages)",
		perMsg, m.server.CPUSeconds, delivered))
	if io := m.server.IO; io != nil {
		n := float64(delivered)
		res.Params["server_read_calls_per_message"] = round(float64(io.ReadCalls)/n, 2)
		res.Params["server_write_calls_per_message"] = round(float64(io.WriteCalls)/n, 2)
		res.Notes = append(res.Notes, fmt.Sprintf("server system calls per delivered message: %.2f reads, %.2f writes "+
			"(files and sockets: %.1f KB read, %.1f KB written)", float64(io.ReadCalls)/n, float64(io.WriteCalls)/n,
			float64(io.ReadBytes)/n/1000, float64(io.WriteBytes)/n/1000))
	}
}

// checkHistory checks that Herold recorded every message as sent: its
// /metrics counters (summed over replicas, polled until they settle) and
// a count of GET /v1/messages?status=sent, after the measurement.
func checkHistory(ctx context.Context, s *server, res *Result, want int) error {
	deadline := time.Now().Add(time.Minute)
	var sent, failed, retries float64
	var err error
	for {
		sent, failed, retries, _, err = deliveryCounters(ctx, s.urls)
		if (err == nil && int(sent+failed) >= want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		res.Notes = append(res.Notes, "server counters unavailable: "+err.Error())
	} else {
		res.Notes = append(res.Notes, fmt.Sprintf("server counted %.0f sent, %.0f failed, %.0f retries", sent, failed, retries))
	}
	t0 := time.Now()
	nSent, nOther, err := historyCount(ctx, s)
	if err != nil {
		return err
	}
	res.Notes = append(res.Notes, fmt.Sprintf("history (GET /v1/messages, %.1f s): %d sent, %d in other statuses", time.Since(t0).Seconds(), nSent, nOther))
	if nSent != want || nOther != 0 {
		return fmt.Errorf("history: %d messages sent and %d in other statuses, want %d sent", nSent, nOther, want)
	}
	return nil
}

// historyCount counts the messages history (GET /v1/messages) lists as
// sent and those in any other status.
func historyCount(ctx context.Context, s *server) (sent, other int, err error) {
	c := client.MustNew(s.url, benchKey, client.WithTimeout(2*time.Minute))
	if sent, err = messageCount(ctx, c, "sent", nil); err != nil {
		return 0, 0, err
	}
	other, err = messageCount(ctx, c, notSent, nil)
	return sent, other, err
}

// cmpErr returns the first non-nil error.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// smtpConns describes herold's SMTP connections for the report.
func smtpConns(cfg *config) string {
	if cfg.serverSMTPConns > 0 {
		return fmt.Sprint(cfg.serverSMTPConns)
	}
	return "herold's default"
}
