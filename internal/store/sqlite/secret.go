package sqlite

import (
	"context"
	"time"
)

func (q queriesImpl) SecretGetOrCreate(ctx context.Context, name string, candidate []byte, at time.Time) ([]byte, error) {
	if _, err := q.db.ExecContext(ctx, query("SecretInsert"), name, candidate, millis(at)); err != nil {
		return nil, mapErr(err)
	}
	var v []byte
	return v, mapErr(q.db.QueryRowContext(ctx, query("SecretGet"), name).Scan(&v))
}
