// Package delivery sends queued messages. The message row is its own queue
// entry: a Dispatcher claims due messages in batches with a lease (one
// statement; replicas on PostgreSQL skip each other's rows), sends them
// over its channel, decides each outcome with the pure Decide, and records
// the outcomes in batches, each in the message's own row.
//
// What a stop and a crash do:
//
//   - Stop stops claiming, gives back the messages claimed but not started
//     (their leases are released and they are due again at once), lets
//     every send in progress finish and records its outcome. A SIGTERM
//     therefore sends nothing twice.
//   - A crash leaves the process's claims leased. Whoever claims next
//     (another replica when the lease runs out, or the restarted single
//     server at once, see store.PipelineQueries.MessageLeaseExpire) sends
//     them again, with the same Message-ID. Only messages whose outcome
//     was not yet recorded can be sent twice, and outcomes are recorded as
//     soon as the writer takes them.
//   - When recording fails (the database restarts), the outcomes are kept
//     and the write is retried, never the send: a message the mail server
//     accepted is recorded as sent even if its lease passed to another
//     process meanwhile, and that process's outcome then no longer applies.
package delivery
