package main

import (
	"bufio"
	"cmp"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
)

// report collects the results of one run for the Markdown summary.
type report struct {
	cfg      *config
	started  time.Time
	revision string
	results  []*Result
}

func newReport(cfg *config, started time.Time, revision string) *report {
	return &report{cfg: cfg, started: started, revision: revision}
}

func (r *report) add(res *Result) { r.results = append(r.results, res) }

func (r *report) find(name string) *Result {
	for _, res := range r.results {
		if res.Workload == name && res.Error == "" && res.Skipped == "" && res.Rate > 0 {
			return res
		}
	}
	return nil
}

// findMeasured returns a workload's result when it has figures, even if
// it also failed (e.g. W4 with messages that never arrived).
func (r *report) findMeasured(name string) *Result {
	for _, res := range r.results {
		if res.Workload == name && res.Skipped == "" && res.Rate > 0 {
			return res
		}
	}
	return nil
}

// markdown renders the machine, the table of results, the ratios between
// workloads and the first goals.
func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Herold benchmark, %s\n\n", r.started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Herold: %s\n\nMachine: %s\n\n", r.revision, machine())
	fmt.Fprintf(&b, "Database: %s; %d herold serve process%s per workload; SMTP connections %s\n\n",
		databaseLine(r.cfg), r.cfg.replicas, map[bool]string{true: "es", false: ""}[r.cfg.replicas > 1], smtpConns(r.cfg))
	b.WriteString("| workload | result | latency p50 / p99 / max (ms) | errors | server CPU | server peak RSS | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, res := range r.results {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", workloadCell(res), resultCell(res), latencyCell(res),
			res.errorSummary(), cpuCell(cmp.Or(res.ServerLoad, res.Server), res.Replicas), rssCell(res.Server), strings.ReplaceAll(notesCell(res), "|", "/"))
	}
	b.WriteString("\n")
	r.ratios(&b)
	r.goals(&b)
	return b.String()
}

func resultCell(res *Result) string {
	switch {
	case res.Skipped != "":
		return "not run: " + res.Skipped
	case res.Error != "" && res.Rate == 0:
		return "failed: " + excerpt(res.Error, 120)
	}
	return fmt.Sprintf("**%s %s** (%d in %.1f s)", thousands(res.Rate), res.Unit, res.Count, res.Seconds)
}

func latencyCell(res *Result) string {
	l := res.Latency
	if l == nil {
		return "–"
	}
	return fmt.Sprintf("%s (n=%d): %.1f / %.1f / %.1f", res.LatencyOf, l.N, l.P50MS, l.P99MS, l.MaxMS)
}

// workloadCell names the workload, with the database when it is
// PostgreSQL.
func workloadCell(res *Result) string {
	if res.Database != "postgres" {
		return res.Workload
	}
	return fmt.Sprintf("%s (PostgreSQL, %d replica%s)", res.Workload, res.ReplicaCount, plural(res.ReplicaCount))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// cpuCell is the server's CPU; with replicas their sum and each one's
// share (over the whole measurement).
func cpuCell(u *Usage, replicas []*Usage) string {
	if u == nil {
		return "–"
	}
	cell := fmt.Sprintf("%.1f s (%.0f %% of a core)", u.CPUSeconds, u.CPUPercent)
	if len(replicas) > 1 {
		var per []string
		for _, r := range replicas {
			per = append(per, fmt.Sprintf("%.1f", r.CPUSeconds))
		}
		cell += " = " + strings.Join(per, " + ") + " s"
	}
	return cell
}

func rssCell(u *Usage) string {
	if u == nil {
		return "–"
	}
	if u.StartRSSMiB > 0 {
		return fmt.Sprintf("%.0f MiB (%.0f at the start)", u.PeakRSSMiB, u.StartRSSMiB)
	}
	return fmt.Sprintf("%.0f MiB", u.PeakRSSMiB)
}

func notesCell(res *Result) string {
	var parts []string
	if d := res.Delivery; d != nil {
		parts = append(parts, fmt.Sprintf("delivered %d of %d queued by the end of the load, %d after %.0f s more",
			d.AtEnd, d.Queued, d.Drained, d.DrainSeconds))
		if d.ScrapeErrors > 0 {
			parts = append(parts, fmt.Sprintf("**/metrics failed %d times while waiting**", d.ScrapeErrors))
		}
	}
	if s := res.Sink; s != nil && res.Workload != "ceiling" {
		parts = append(parts, fmt.Sprintf("sink: %d messages, %d distinct Message-IDs, %d duplicates, %.0f B/message",
			s.Messages, s.Distinct, s.Duplicates, perMessage(s)))
	}
	if res.Error != "" && res.Rate != 0 {
		parts = append(parts, "error: "+excerpt(res.Error, 160))
	}
	if d := res.DatabaseCPU; d != nil {
		parts = append(parts, fmt.Sprintf("PostgreSQL used %.1f s CPU (%.0f %% of a core)", d.CPUSeconds, d.CPUPercent))
	}
	if len(res.Replicas) > 1 {
		var per []string
		for _, r := range res.Replicas {
			per = append(per, fmt.Sprintf("%.0f", r.PeakRSSMiB))
		}
		parts = append(parts, "peak RSS per replica "+strings.Join(per, " / ")+" MiB (the table shows their sum)")
	}
	if o := res.Others; o != nil && o.CPUPercent >= 10 {
		parts = append(parts, fmt.Sprintf("**other processes used %.0f %% of a core meanwhile**", o.CPUPercent))
	}
	parts = append(parts, res.Notes...)
	return strings.Join(strings.Fields(strings.Join(parts, "; ")), " ")
}

func perMessage(s *SinkStats) float64 {
	if s.Messages == 0 {
		return 0
	}
	return float64(s.Bytes) / float64(s.Messages)
}

// ratios compares figures of the same run.
func (r *report) ratios(b *strings.Builder) {
	ceiling, d1, w1, w4 := r.find("ceiling"), r.find("d1"), r.find("w1-max"), r.find("w4")
	var lines []string
	if ceiling != nil && d1 != nil {
		lines = append(lines, fmt.Sprintf("D1 delivers %s messages/s%s, %.1f %% of the SMTP ceiling (%s messages/s%s).",
			thousands(d1.Rate), sizeOf(d1), 100*d1.Rate/ceiling.Rate, thousands(ceiling.Rate), sizeOf(ceiling)))
	}
	if w1 != nil && w1.Delivery != nil && w1.Count > 0 {
		perEvent := float64(w1.Delivery.Queued) / float64(w1.Count)
		line := fmt.Sprintf("W1-max plans %s messages/s (%.0f per event)", thousands(w1.Rate*perEvent), perEvent)
		if d1 != nil {
			line += fmt.Sprintf(", %.1f× what D1 delivers per second", w1.Rate*perEvent/d1.Rate)
		}
		lines = append(lines, line+".")
	}
	if w2 := r.find("w2"); w2 != nil && ceiling != nil {
		lines = append(lines, fmt.Sprintf("W2 delivers %s messages/s%s, %.1f %% of the SMTP ceiling (%s messages/s%s).",
			thousands(w2.Rate), sizeOf(w2), 100*w2.Rate/ceiling.Rate, thousands(ceiling.Rate), sizeOf(ceiling)))
	}
	if w4 != nil && d1 != nil {
		lines = append(lines, fmt.Sprintf("W4 offers %v messages/s, %.0f %% of D1's delivery rate.",
			w4.Params["rate"], 100*toFloat(w4.Params["rate"])/d1.Rate))
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("Ratios within this run:\n\n")
	for _, l := range lines {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n")
}

// sizeOf is " of 2,510 bytes" (the average message at the sink, so that a
// ratio says which sizes it compares), or "".
func sizeOf(res *Result) string {
	if res.Sink == nil || res.Sink.Messages == 0 {
		return ""
	}
	return " of " + thousands(perMessage(res.Sink)) + " bytes"
}

// goals compares with the delivery engine's goals (docs/benchmarks.md).
func (r *report) goals(b *strings.Builder) {
	var lines []string
	if w1 := r.find("w1-max"); w1 != nil {
		lines = append(lines, fmt.Sprintf("W1-max ≥ 2,500 events/s: %s events/s (%s)", thousands(w1.Rate), met(w1.Rate >= 2500)))
	}
	if p := r.findMeasured("w1-paced"); p != nil && p.Latency != nil {
		lines = append(lines, fmt.Sprintf("W1-paced p99 ≤ 20 ms at %v events/s: %.1f ms (%s)", p.Params["rate"], p.Latency.P99MS,
			met(p.Latency.P99MS <= 20 && p.Failed == 0)))
	}
	if w4 := r.findMeasured("w4"); w4 != nil && w4.Latency != nil {
		line := fmt.Sprintf("W4 p99 ≤ 50 ms: %.1f ms over the %d delivered messages", w4.Latency.P99MS, w4.Latency.N)
		if w4.Failed > 0 {
			line += fmt.Sprintf(", %d requests or messages failed or were not delivered by the end", w4.Failed)
		}
		lines = append(lines, line+" ("+met(w4.Latency.P99MS <= 50 && w4.Failed == 0)+")")
	}
	lines = append(lines, r.scheduleGoals()...)
	lines = append(lines, r.faultGoals()...)
	if len(lines) == 0 {
		return
	}
	b.WriteString("Against the goals:\n\n")
	for _, l := range lines {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n")
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// thousands formats x rounded, with a comma every three digits.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	return string(out)
}

// machine describes this machine: cores, CPU model, memory, Go, kernel.
func machine() string {
	model, mem := "unknown CPU", "unknown memory"
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		model = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		var kb int64
		if _, err := fmt.Sscanf(v, "%d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%d cores (nproc), %s, %s, %s, Linux %s", runtime.NumCPU(), model, mem, runtime.Version(),
		strings.TrimSpace(string(kernel)))
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// scheduleGoals compares W2 and W3 with their goals.
func (r *report) scheduleGoals() []string {
	var lines []string
	if w2 := r.findMeasured("w2"); w2 != nil {
		if w2.Database == "postgres" {
			// Three replicas must not be slower than one: compare two runs.
			lines = append(lines, fmt.Sprintf("W2 on PostgreSQL ≥ 5,000 messages/s: %s messages/s with %d replica(s) (%s)",
				thousands(w2.Rate), w2.ReplicaCount, met(w2.Rate >= 5000 && w2.Error == "")))
		} else {
			lines = append(lines, fmt.Sprintf("W2 ≥ 10,000 messages/s: %s messages/s (%s)", thousands(w2.Rate), met(w2.Rate >= 10000 && w2.Error == "")))
		}
		if c := r.find("ceiling"); c != nil {
			lines = append(lines, fmt.Sprintf("W2 ≥ 75 %% of the ceiling: %.1f %% (messages%s in W2, %s in the ceiling) (%s)",
				100*w2.Rate/c.Rate, sizeOf(w2), strings.TrimPrefix(sizeOf(c), " "), met(w2.Rate >= 0.75*c.Rate)))
		}
		if v, ok := w2.Params["server_cpu_ms_per_message"]; ok {
			lines = append(lines, fmt.Sprintf("W2 server CPU per message: %v ms", v))
		}
		if w2.Server != nil {
			lines = append(lines, fmt.Sprintf("W2 peak RSS ≤ 200 MB: %.0f MB (%s)", w2.Server.PeakRSSMiB*1.048576, met(w2.Server.PeakRSSMiB*1.048576 <= 200)))
		}
	}
	var w3 []*Result
	for _, res := range r.results {
		if strings.HasPrefix(res.Workload, "w3-") && res.Skipped == "" && res.Seconds > 0 {
			w3 = append(w3, res)
		}
	}
	for _, res := range w3 {
		n := toFloat(res.Params["contacts"])
		if n < 1_000_000 {
			continue
		}
		rss := 0.0
		if res.Server != nil {
			rss = res.Server.PeakRSSMiB * 1.048576
		}
		lines = append(lines, fmt.Sprintf("W3 run over %s contacts ≤ 5 s: %.2f s, peak RSS %.0f MB (%s)", thousands(n), res.Seconds, rss,
			met(res.Seconds <= 5 && res.Error == "")))
	}
	if len(w3) >= 2 {
		a, z := w3[0], w3[len(w3)-1]
		na, nz := toFloat(a.Params["contacts"]), toFloat(z.Params["contacts"])
		lines = append(lines, fmt.Sprintf("W3 growth from %s to %s contacts (%.0f×): run time %.1f×, peak RSS %.1f×",
			thousands(na), thousands(nz), nz/na, z.Seconds/a.Seconds, rssOf(z)/max(rssOf(a), 1)))
	}
	return lines
}

func rssOf(res *Result) float64 {
	if res.Server == nil {
		return 0
	}
	return res.Server.PeakRSSMiB
}

// faultGoals states the fault tests' outcomes.
func (r *report) faultGoals() []string {
	var lines []string
	for _, res := range r.results {
		switch res.Workload {
		case "crash":
			lines = append(lines, fmt.Sprintf("Crash: 0 lost, duplicates ≤ in flight, delivery resumed ≤ 10 s after each kill: %v lost, %v / %v duplicates (recipient / Message-ID), %v in flight; resumed at most %v s after a kill (%s)",
				res.Params["lost"], res.Params["recipient_duplicates"], res.Params["message_id_duplicates"], res.Params["in_flight"],
				res.Params["resume_max_s"], met(res.Error == "" && toFloat(res.Params["resume_max_s"]) <= 10)))
		case "load":
			lines = append(lines, fmt.Sprintf("Load: no 5xx but 503, no lost event: %d failed requests, %v lost (%s)",
				res.Failed, res.Params["lost"], met(res.Error == "")))
		case "mixed":
			lines = append(lines, fmt.Sprintf("Mixed: no error, no 5xx but 503, no lost write: %d failed requests, %v 503s, %v contacts and %v events missing (%s)",
				res.Failed, res.Params["http_503"], res.Params["contacts_missing"], res.Params["events_missing"], met(res.Error == "")))
		}
		if r, ok := res.Params["sigterm"].(*sigtermRun); ok {
			lines = append(lines, fmt.Sprintf("SIGTERM (%s): exit 0 within %s, 0 lost, 0 duplicates: exit %d after %.2f s, %d lost, %d / %d duplicates (recipient / Message-ID) (%s)",
				res.Workload, heroldShutdownTimeout, r.ExitCode, r.ExitS, r.Lost, r.RecipientDups, r.MessageIDDups, met(res.Error == "")))
		}
	}
	return lines
}

// databaseLine describes -postgres for the report, without a password.
func databaseLine(cfg *config) string {
	switch cfg.postgres {
	case "":
		return "SQLite (a fresh file per workload)"
	case "auto":
		return "PostgreSQL, a private server started by the harness (initdb; fsync and synchronous_commit off), a fresh database per workload"
	}
	u, err := url.Parse(cfg.postgres)
	if err != nil {
		return "PostgreSQL, a fresh database per workload"
	}
	return "PostgreSQL at " + u.Redacted() + ", a fresh database per workload"
}
