package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache prepares each named query once: parsing SQL was a sixth of the
// CPU time of ingesting events.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt // nil while being prepared in the background
	wg sync.WaitGroup
}

// get returns the statement, preparing it on the pool first if needed.
// Only callers that hold no connection may wait for one.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[q]; st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

// lookup returns the statement if it is prepared; otherwise it starts
// preparing it in the background and returns nil, and the caller runs the
// query directly. The writer's transaction holds the writer's only
// connection, so it cannot wait for a statement to be prepared on it; the
// background preparation gets the connection after the transaction.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, known := c.m[q]
	if known {
		return st
	}
	c.m[q] = nil
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := c.db.Prepare(q)
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, still := c.m[q]; !still || err != nil {
			// Closed meanwhile, or failed (the direct run reports why).
			delete(c.m, q)
			if st != nil {
				_ = st.Close()
			}
			return
		}
		c.m[q] = st
	}()
	return nil
}

// warm prepares every single-row named statement now, while nothing else
// holds the connection: a long transaction of the writer (a bulk upsert
// of 50,000 contacts) cannot wait for a statement to be prepared on its
// own connection, and would otherwise parse each statement anew. Multi-row
// statements (whose text depends on the row count) are prepared as they
// come, between transactions. Statements that do not fit this database
// yet (before the migrations) are left for later.
func (c *stmtCache) warm(ctx context.Context) {
	for _, q := range queries {
		if strings.Contains(q, "/*ROWS*/") {
			continue
		}
		if st, err := c.db.PrepareContext(ctx, q); err == nil {
			c.mu.Lock()
			if old := c.m[q]; old != nil {
				_ = old.Close()
			}
			c.m[q] = st
			c.mu.Unlock()
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	for _, st := range c.m {
		if st != nil {
			_ = st.Close()
		}
	}
	c.m = map[string]*sql.Stmt{}
	c.mu.Unlock()
	c.wg.Wait()
}

// poolExec runs cached statements on the pool.
type poolExec struct{ c *stmtCache }

func (p poolExec) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := p.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p poolExec) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p poolExec) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.c.get(ctx, q)
	if err != nil {
		// database/sql has no way to make a Row carry an error; let the
		// pool prepare it again and report the error on Scan.
		return p.c.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txExec runs cached statements inside the writer's transaction. The
// transaction holds several callers' writes, so one caller's context must
// not interrupt a statement: SQLite rolls back the whole transaction when
// a writing statement inside it is interrupted. A statement therefore runs
// to its end whatever happens to ctx, and a cancelled ctx only stops the
// caller's next statement.
type txExec struct {
	c  *stmtCache
	tx *sql.Tx
}

func (t txExec) stmt(ctx context.Context, q string) *sql.Stmt {
	if st := t.c.lookup(q); st != nil {
		return t.tx.StmtContext(ctx, st)
	}
	return nil
}

func (t txExec) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t txExec) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t txExec) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	// A Row cannot carry ctx's error; the statement is short and its
	// result is used, so it runs.
	ctx = context.WithoutCancel(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}
