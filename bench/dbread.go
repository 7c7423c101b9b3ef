package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver "sqlite", to read Herold's SQLite file
)

// sentQuery lists the Message-IDs (without angle brackets) of the messages
// Herold has recorded as sent.
const sentQuery = `SELECT message_id_header FROM messages WHERE status = 'sent'`

// sentMessageIDs reads Herold's database directly, read-only, while no
// herold process runs on it (the fault tests call it between a kill and the
// restart): the Message-IDs of every message recorded as sent. The API
// cannot answer then, and must not: a restarted server would already be
// sending.
func (db *database) sentMessageIDs(ctx context.Context) (map[string]bool, error) {
	if db.name != "" {
		return db.sentPostgres(ctx)
	}
	return db.sentSQLite(ctx)
}

// sentSQLite opens the SQLite file read-only (mode=ro: no write, no
// checkpoint; the write-ahead log the killed process left is read, not
// folded in).
func (db *database) sentSQLite(ctx context.Context) (map[string]bool, error) {
	conn, err := sql.Open("sqlite", "file:"+db.arg+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", db.arg, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, sentQuery)
	if err != nil {
		return nil, fmt.Errorf("read sent messages from %s: %w", db.arg, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// sentPostgres reads in a read-only transaction.
func (db *database) sentPostgres(ctx context.Context) (map[string]bool, error) {
	conn, err := pgx.Connect(ctx, db.arg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", db.name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only; nothing to undo
	rows, err := tx.Query(ctx, sentQuery)
	if err != nil {
		return nil, fmt.Errorf("read sent messages from %s: %w", db.name, err)
	}
	out := map[string]bool{}
	var id string
	_, err = pgx.ForEachRow(rows, []any{&id}, func() error {
		out[id] = true
		return nil
	})
	return out, err
}
