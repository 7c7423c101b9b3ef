// Package inbound reads and classifies the mail Herold receives: delivery
// status notifications (RFC 3464 and the non-standard bounces of Postfix,
// Exim, Microsoft Exchange and Gmail), complaints (ARF, RFC 5965),
// automatic replies (RFC 3834 and common markers) and human mail, each
// with the evidence that decided it. Parsing is bounded (nesting, parts,
// text kept) so that a hostile message costs bounded work; the size of the
// whole message is the listener's to bound.
package inbound
