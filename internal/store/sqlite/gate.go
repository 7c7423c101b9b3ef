package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"time"
	"unicode"
)

// SQLite lets one connection write at a time; a second writer waits in
// SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and
// retries, so a write that could start after a millisecond often starts
// after tens. Herold and River share one pool, and each of River's fetches
// and completions is a write. The gate makes every write of the process
// queue in Go instead: a transaction holds it from BEGIN to COMMIT or
// ROLLBACK (transactions begin IMMEDIATE, so each one writes), and a
// statement outside a transaction that writes holds it while it runs. The
// waiters are served in about the order they came, and none sleeps longer
// than it has to.
//
// Herold's transactions (Store.WithTx) pass the gate before they take a
// connection, so the many that wait hold none; statements outside a
// transaction, River's and a few of Herold's, pass it with their
// connection in hand (the driver sees them only then). A holder must
// therefore never wait for a second connection — the statement cache
// already prepares in the background for that reason — and the pool (8)
// is larger than the number of such statements that wait at once.
type gate struct {
	ch   chan struct{}
	wait time.Duration // the longest wait before giving up, as busy_timeout
}

func newGate(wait time.Duration) *gate { return &gate{ch: make(chan struct{}, 1), wait: wait} }

// errGateTimeout is returned when a write waited for the gate longer than
// the busy timeout: the same condition SQLite reports as "database is
// locked".
var errGateTimeout = errors.New("database is locked: another write held it too long")

func (g *gate) acquire(ctx context.Context) error {
	select {
	case g.ch <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errGateTimeout
	}
}

func (g *gate) release() { <-g.ch }

// gatedConnector opens connections whose writes pass the gate.
type gatedConnector struct {
	inner driver.Connector
	gate  *gate
}

func (c *gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &gatedConn{inner: cn, gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.inner.Driver() }

// innerConn is what the SQLite driver's connections offer.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type gatedConn struct {
	inner driver.Conn
	gate  *gate
	inTx  bool // the conn is in a transaction, which holds the gate
}

func (c *gatedConn) conn() innerConn { return c.inner.(innerConn) }

func (c *gatedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.conn().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &gatedStmt{inner: st, conn: c, writes: writes(query)}, nil
}

func (c *gatedConn) Close() error { return c.inner.Close() }

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// gateHeld marks the context of a BeginTx whose caller passed the gate
// already: Store.WithTx passes it before it takes a connection.
type gateHeld struct{}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	owns := ctx.Value(gateHeld{}) == nil
	if owns {
		if err := c.gate.acquire(ctx); err != nil {
			return nil, err
		}
	}
	tx, err := c.conn().BeginTx(ctx, opts)
	if err != nil {
		if owns {
			c.gate.release()
		}
		return nil, err
	}
	c.inTx = true
	return &gatedTx{inner: tx, conn: c, owns: owns}, nil
}

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.exec(ctx, writes(query), func() (driver.Result, error) { return c.conn().ExecContext(ctx, query, args) })
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.query(ctx, writes(query), func() (driver.Rows, error) { return c.conn().QueryContext(ctx, query, args) })
}

// exec runs a statement, through the gate if it writes outside a
// transaction (which holds the gate already).
func (c *gatedConn) exec(ctx context.Context, write bool, run func() (driver.Result, error)) (driver.Result, error) {
	if !write || c.inTx {
		return run()
	}
	if err := c.gate.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.gate.release()
	return run()
}

// query is exec for statements with rows: the gate is kept until the rows
// of a writing statement (UPDATE … RETURNING) are closed, since the
// statement runs until then.
func (c *gatedConn) query(ctx context.Context, write bool, run func() (driver.Rows, error)) (driver.Rows, error) {
	if !write || c.inTx {
		return run()
	}
	if err := c.gate.acquire(ctx); err != nil {
		return nil, err
	}
	rows, err := run()
	if err != nil {
		c.gate.release()
		return nil, err
	}
	return &heldRows{Rows: rows, gate: c.gate}, nil
}

func (c *gatedConn) Ping(ctx context.Context) error         { return c.conn().Ping(ctx) }
func (c *gatedConn) ResetSession(ctx context.Context) error { return c.conn().ResetSession(ctx) }
func (c *gatedConn) IsValid() bool                          { return c.conn().IsValid() }

type gatedTx struct {
	inner driver.Tx
	conn  *gatedConn
	owns  bool // the transaction passed the gate itself and leaves it
}

func (t *gatedTx) Commit() error   { defer t.end(); return t.inner.Commit() }
func (t *gatedTx) Rollback() error { defer t.end(); return t.inner.Rollback() }

func (t *gatedTx) end() {
	if !t.conn.inTx {
		return
	}
	t.conn.inTx = false
	if t.owns {
		t.conn.gate.release()
	}
}

type gatedStmt struct {
	inner  driver.Stmt
	conn   *gatedConn
	writes bool
}

type innerStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func (s *gatedStmt) Close() error  { return s.inner.Close() }
func (s *gatedStmt) NumInput() int { return s.inner.NumInput() }

func (s *gatedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *gatedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func (s *gatedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.exec(ctx, s.writes, func() (driver.Result, error) { return s.inner.(innerStmt).ExecContext(ctx, args) })
}

func (s *gatedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.query(ctx, s.writes, func() (driver.Rows, error) { return s.inner.(innerStmt).QueryContext(ctx, args) })
}

type heldRows struct {
	driver.Rows
	gate *gate
}

func (r *heldRows) Close() error {
	err := r.Rows.Close()
	if r.gate != nil {
		r.gate.release()
		r.gate = nil
	}
	return err
}

// writes reports whether a statement changes the database: its first
// keyword after comments is one that writes, or it is a WITH whose body
// does.
func writes(query string) bool {
	q := skipComments(query)
	kw := strings.ToUpper(firstWord(q))
	switch kw {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER":
		return true
	case "WITH":
		up := strings.ToUpper(q)
		for _, w := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE"} {
			if containsWord(up, w) {
				return true
			}
		}
	}
	return false
}

func skipComments(q string) string {
	for {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		switch {
		case strings.HasPrefix(q, "--"):
			i := strings.IndexByte(q, '\n')
			if i < 0 {
				return ""
			}
			q = q[i+1:]
		case strings.HasPrefix(q, "/*"):
			i := strings.Index(q, "*/")
			if i < 0 {
				return ""
			}
			q = q[i+2:]
		default:
			return q
		}
	}
}

func firstWord(q string) string {
	i := strings.IndexFunc(q, func(r rune) bool { return !unicode.IsLetter(r) })
	if i < 0 {
		return q
	}
	return q[:i]
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordChar(rune(s[j-1]))
		after := j+len(w) == len(s) || !isWordChar(rune(s[j+len(w)]))
		if before && after {
			return true
		}
		i = j + len(w)
	}
}

func isWordChar(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
