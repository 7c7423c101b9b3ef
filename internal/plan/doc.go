// Package plan is Herold's decision engine, a pure function:
//
//	event + configuration snapshot + contacts → trace + planned messages
//
// Plan walks project → flow → the flow's notifications for the event type →
// status → condition → recipients, and records every decision as a
// model.Step while it makes it. The trace is stored with the event, so that
// explain reads what happened and never re-simulates it.
//
// Recipients are resolved in the order the notification lists them. A role
// resolves from the most specific source that has members: the event's
// actors, else the project's role members, else the object's linked contacts;
// "subscribers" are the object's subscribers, "contact:ID" a named contact,
// "email:..." a literal address. One person reached several ways gets one
// message (CC and BCC are de-duplicated against To). Suppressed recipients
// (no address, invalid address, opted out, consent missing) are planned as
// suppressed messages with their reason.
//
// Plan does no I/O: the caller loads the input (see ContactIDs), renders the
// planned messages and stores everything in one transaction.
package plan
