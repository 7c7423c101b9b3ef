package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3/lock"

	"github.com/herold-dev/herold/internal/store/dbutil"
)

func newLocker() (lock.SessionLocker, error) { return lock.NewPostgresSessionLocker() }

type scanner = dbutil.Scanner

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := dbutil.Collect(rows, rows.Close, scan)
	return out, mapErr(err)
}

// utc normalises times read from the database (pgx returns local time).
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
