// Package ingest accepts events: the one path every event takes, whether a
// host application posted it (alone or in a batch), a schedule emitted it,
// or a person sent a template by hand. It decides each event with the
// pure planner (plan), renders the planned messages, and stores the event
// with its trace, its inline contacts and its messages — queued messages
// are their own delivery queue entries — in one transaction, so a crash
// loses nothing. Events of concurrent requests are committed together
// (see committer); an idempotency key makes a repeated event answer with
// the first result.
package ingest
