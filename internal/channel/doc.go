// Package channel is the boundary between Herold's engine and the outside
// world it delivers to. A Sender takes one rendered Email and either hands it
// over (returning the receiver's reply for history and explain) or fails with
// an *Error that says whether trying again can help.
//
// The retry decision is the one thing every channel must get right, because
// the delivery worker acts on it without looking further: a retryable error
// is retried with exponential backoff up to a maximum age, a permanent one
// fails the message at once. The rules follow mail server semantics:
//
//   - network errors (refused, timed out, dropped) and 4xx replies, including
//     421 "service not available", are retryable;
//   - 5xx replies to the message's transaction are permanent, with the
//     server's reply text kept in Error.Reply;
//   - a message that cannot be built (a line break in a header, a missing
//     sender) is permanent and never reaches the wire.
//
// Any error that is not an *Error counts as retryable (IsPermanent), so a
// forgotten wrap errs on the side of trying again rather than dropping mail.
//
// BuildMIME renders the RFC 5322 message exactly as the SMTP channel sends
// it; the capture mailbox and .eml downloads use it so what an admin inspects
// is byte for byte what a receiver would get.
package channel
