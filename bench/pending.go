package main

import "context"

// pendingReason is what W2 and W3 report until they are written.
const pendingReason = "TODO: only a hook so far (see bench/pending.go)"

// runW2 is the hook for W2, "mass mailing via a schedule run over 100,000
// contacts". It only reports that it did not run.
//
// TODO(schedules): with schedules in the API (PUT /v1/schedules/{key},
// POST /v1/schedules/{key}/run, GET /v1/schedules/{key}/runs/{id}):
//  1. start a server pointing at the sink: withServer(ctx, e,
//     serverOptions{name: "w2", smtpAddr: snk.Addr()}, …);
//  2. prepare the flow (one notification, role "contact", a category
//     that needs consent) and seedContacts(ctx, api, 100_000) with that
//     consent;
//  3. PUT a disabled schedule over the contacts source whose condition
//     matches every contact, with a per-run occurrence key;
//  4. s.measure(), POST …/run, then sink.waitDistinct for 100,000;
//  5. report messages/s from the run request to the last DATA, the time to
//     the first message, the run's own duration (its report), exactly-once
//     (distinct Message-IDs), server CPU and peak RSS (a run must not hold
//     100,000 rows in memory at once).
func runW2(context.Context, *env) (*Result, error) {
	return &Result{Workload: "w2", Title: "W2 mass mailing: a schedule run over 100,000 contacts",
		Skipped: pendingReason}, nil
}

// runW3 is the hook for W3, "birthday schedule scan over 1,000,000
// contacts".
//
// TODO(schedules):
//  1. seedContacts for 1,000,000 contacts (contactChunk per request) with a
//     birthday attribute spread over the year (about 2,740 per day,
//     including 29 February), capture mailbox;
//  2. PUT a schedule with the birthday preset (on the day, workspace time
//     zone), disabled so only the harness starts it;
//  3. s.measure(), POST …/run and poll the run until it has finished;
//  4. check that exactly the contacts born on that day got one message,
//     and that a second run sends nothing (de-duplicated per occurrence);
//  5. report contacts scanned per second, the run's duration, server CPU
//     and peak RSS.
func runW3(context.Context, *env) (*Result, error) {
	return &Result{Workload: "w3", Title: "W3 birthday scan: a schedule over 1,000,000 contacts",
		Skipped: pendingReason}, nil
}
