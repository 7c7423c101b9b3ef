package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herold-dev/herold/internal/store"
)

// millis stores a time as Unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis reads Unix milliseconds as UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// toJSON encodes v for a JSON column; nil maps and slices become {} or [].
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Values come from decoded JSON or model types; failing here is a
		// programming error worth surfacing loudly.
		panic(fmt.Sprintf("sqlite: encode json column: %v", err))
	}
	return string(b)
}

func jsonMap[V any](m map[string]V) string {
	if m == nil {
		return "{}"
	}
	return toJSON(m)
}

func jsonList[V any](s []V) string {
	if s == nil {
		return "[]"
	}
	return toJSON(s)
}

// fromJSON decodes a JSON column, keeping numbers exact (json.Number).
func fromJSON(s string, v any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode json column: %w", err)
	}
	return nil
}

// mapErr turns driver errors into store errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		}
	}
	return err
}

// affected returns ErrNotFound when an UPDATE or DELETE touched no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// scanner is what *sql.Row and *sql.Rows offer.
type scanner interface {
	Scan(dest ...any) error
}

// collect runs query and scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
