package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// millis stores a time as Unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis reads Unix milliseconds as UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// jsonMap and jsonList encode JSON columns as TEXT (a BLOB would be read
// as SQLite's binary JSONB by json_each).
func jsonMap[V any](m map[string]V) string { return string(dbutil.Map(m)) }

func jsonList[V any](s []V) string { return string(dbutil.List(s)) }

// fromJSON decodes a JSON column, keeping numbers exact (json.Number).
func fromJSON(s string, v any) error { return dbutil.FromJSONString(s, v) }

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
type scanner = dbutil.Scanner

// collect runs query and scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := dbutil.Collect(rows, func() { rows.Close() }, scan)
	return out, mapErr(err)
}
