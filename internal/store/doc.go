// Package store defines Herold's persistence interface, shaped like River's
// driver interface: methods named noun-then-verb (TemplateUpsert,
// MessageListByEvent), a context first, *Params structs where there are more
// than a few arguments, and ErrNotFound for "no rows" from every driver.
//
// Two drivers implement it: store/sqlite (the embedded default) and, for
// scale-out, a PostgreSQL driver. Both must pass the conformance suite in
// store/storetest. SQL lives only in the drivers, in embedded .sql files.
// Every query is scoped by workspace: no method can read or change another
// workspace's rows.
package store
