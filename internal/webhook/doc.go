// Package webhook posts signed JSON to the HTTP endpoints a workspace
// registers: the signature of the Standard Webhooks specification
// (webhook-id, webhook-timestamp, webhook-signature "v1,<base64
// HMAC-SHA256 over id.timestamp.body>" under a "whsec_" secret), a guard
// that refuses at dial time, after DNS resolution, every address an
// outside caller must not reach from the server (loopback, private,
// link-local, …), and the pure decision of what an attempt's response
// means: delivered, retry later (with backoff, jitter and Retry-After),
// or stop (410 Gone).
//
// A Sender delivers one payload to one URL and reports the attempt;
// Decide says what the attempt means; a Deliverer puts both together over
// the store: one attempt of one stored delivery, recorded, counted for
// the endpoint's circuit breaker. The service queues deliveries and the
// River job (package jobs) calls the Deliverer and reschedules by its
// answer.
package webhook
