package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/store"
)

// The writer owns the process's one writing connection. SQLite lets one
// connection write at a time; a second writer would wait in SQLite's busy
// handler and, past the busy timeout, fail with "database is locked". So
// there is no second writer: every write transaction of the process is
// handed to one goroutine, which runs the transactions that are waiting
// together, one after the other in a single SQLite transaction (each in a
// savepoint of its own, so one caller's failure does not undo another's),
// and commits them together (group commit). River, which needs a *sql.DB,
// gets the writer's pool of exactly one connection, so its statements take
// their turns on the same connection. Reads use a separate pool of
// read-only connections (PRAGMA query_only), which cannot write at all.
//
// Nothing here decides from SQL text whether a statement writes: a
// statement on the read pool that tries to write fails with "attempt to
// write a readonly database", and every write method of Store goes through
// WithTx by construction (writes.go).
type writer struct {
	db    *sql.DB // at most one open connection
	stmts *stmtCache
	rows  *multiRow
	// reqs is unbuffered: a request is either taken by the writer or
	// still with its caller, never lost in a buffer when the writer stops.
	reqs chan *writeReq
	// first carries the requests of store.WriteFirst contexts, served
	// before those of reqs; likewise unbuffered.
	first chan *writeReq
	quit  chan struct{}
	done  chan struct{}
	stop  sync.Once
	// observe is told of every group commit (see Options.ObserveGroup).
	observe func(n int, d time.Duration)
	// ckpt is told of each commit and finishes a checkpoint when asked
	// to (see checkpointer).
	ckpt *checkpointer
}

// A group ends after maxGroup transactions or when it has been open for
// maxGroupTime, whichever comes first, so that a steady stream of writers
// still commits often and every caller sees its commit soon.
const (
	maxGroup     = 512
	maxGroupTime = 20 * time.Millisecond
)

// errClosed is returned by WithTx after Close.
var errClosed = errors.New("sqlite store is closed")

// writeReq is one WithTx call waiting for its turn.
type writeReq struct {
	ctx context.Context
	// first: a store.WriteFirst request, whose group commits right after
	// it.
	first bool
	// turn receives the group's transaction when it is this request's
	// turn; unbuffered, so that the writer knows the caller took it.
	turn chan *sql.Tx
	// ran receives the result of the caller's function after its
	// savepoint was released or rolled back.
	ran chan error
	// committed receives the group's commit result.
	committed chan error
}

func newWriter(db *sql.DB, stmts *stmtCache, rows *multiRow, observe func(n int, d time.Duration), ckpt *checkpointer) *writer {
	if observe == nil {
		observe = func(int, time.Duration) {}
	}
	w := &writer{db: db, stmts: stmts, rows: rows, reqs: make(chan *writeReq), first: make(chan *writeReq),
		quit: make(chan struct{}), done: make(chan struct{}), observe: observe, ckpt: ckpt}
	go w.loop()
	return w
}

// withTx runs fn in the writer's current group transaction. It waits for
// its turn however long that takes (admission control in front of the
// API bounds how many wait); only ctx ends the wait.
func (w *writer) withTx(ctx context.Context, fn func(tx store.Tx) error) error {
	r := &writeReq{ctx: ctx, first: store.IsWriteFirst(ctx), turn: make(chan *sql.Tx), ran: make(chan error, 1),
		committed: make(chan error, 1)}
	queue := w.reqs
	if r.first {
		queue = w.first
	}
	select {
	case queue <- r:
	case <-ctx.Done():
		return fmt.Errorf("begin transaction: %w", ctx.Err())
	case <-w.quit:
		return fmt.Errorf("begin transaction: %w", errClosed)
	}
	var tx *sql.Tx
	select {
	case tx = <-r.turn:
	case <-ctx.Done():
		// The writer watches ctx too and skips this request.
		return fmt.Errorf("begin transaction: %w", ctx.Err())
	}
	if tx == nil { // the group's BEGIN failed
		return fmt.Errorf("begin transaction: %w", <-r.committed)
	}
	if err := w.run(ctx, tx, r, fn); err != nil {
		return err
	}
	if err := <-r.committed; err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// run executes fn inside a savepoint of tx and reports the outcome to the
// writer, also when fn panics (the panic goes on after the savepoint is
// rolled back and the writer is told). A ctx that ends before fn returns
// undoes fn's writes: the caller is told the transaction did not happen,
// so nothing of it may be committed.
func (w *writer) run(ctx context.Context, tx *sql.Tx, r *writeReq, fn func(tx store.Tx) error) (err error) {
	stmts := txExec{c: w.stmts, tx: tx}
	bg := context.WithoutCancel(ctx) // the savepoint's own statements always run
	if _, err := stmts.ExecContext(bg, "SAVEPOINT herold"); err != nil {
		r.ran <- err
		return fmt.Errorf("begin transaction: %w", err)
	}
	undo := func(cause error) error {
		_, rbErr := stmts.ExecContext(bg, "ROLLBACK TO herold")
		_, relErr := stmts.ExecContext(bg, "RELEASE herold")
		r.ran <- errors.Join(cause, rbErr, relErr)
		return cause
	}
	finished := false
	defer func() {
		if !finished { // fn panicked
			_ = undo(errors.New("transaction function panicked"))
		}
	}()
	err = fn(&txStore{tx: tx, queriesImpl: queriesImpl{db: stmts, rows: w.rows}})
	finished = true
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("commit: %w", ctx.Err())
	}
	if err != nil {
		return undo(err)
	}
	if _, err := stmts.ExecContext(bg, "RELEASE herold"); err != nil {
		return undo(fmt.Errorf("commit: %w", err))
	}
	r.ran <- nil
	return nil
}

func (w *writer) loop() {
	defer close(w.done)
	for {
		select {
		case <-w.quit: // after the group in progress, however many wait
			return
		default:
		}
		r := w.next()
		if r == nil {
			select {
			case r = <-w.first:
			case r = <-w.reqs:
			case <-w.quit:
				return
			}
		}
		if w.ckpt.due() {
			w.ckpt.finish(w.db)
		}
		w.group(r)
	}
}

// next returns a waiting request, one of w.first before any other, or
// nil when none waits.
func (w *writer) next() *writeReq {
	select {
	case r := <-w.first:
		return r
	default:
	}
	select {
	case r := <-w.first:
		return r
	case r := <-w.reqs:
		return r
	default:
		return nil
	}
}

// group runs first and the requests waiting behind it in one transaction
// and commits them together.
func (w *writer) group(first *writeReq) {
	// The transaction is not tied to any caller's context: one caller
	// giving up must not roll back the others.
	tx, err := w.db.BeginTx(context.Background(), nil)
	if err != nil {
		w.refuse(first, err)
		return
	}
	var ok []*writeReq
	start := time.Now()
	defer func() { w.observe(len(ok), time.Since(start)) }()
	for r := first; r != nil; {
		if w.serve(tx, r) {
			ok = append(ok, r)
		}
		if r.first {
			break // its caller waits for this commit, not for the others'
		}
		r = nil
		if len(ok) < maxGroup && time.Since(start) < maxGroupTime {
			r = w.next()
		}
	}
	err = tx.Commit()
	w.ckpt.committed()
	for _, r := range ok {
		r.committed <- err
	}
}

// serve gives r its turn in tx and waits until its function ran; it
// reports whether r's writes are part of the group.
func (w *writer) serve(tx *sql.Tx, r *writeReq) bool {
	select {
	case r.turn <- tx:
	case <-r.ctx.Done():
		return false // the caller gave up before its turn
	}
	return <-r.ran == nil
}

// refuse answers a request that could not get a transaction.
func (w *writer) refuse(r *writeReq, err error) {
	select {
	case r.turn <- nil:
	case <-r.ctx.Done():
		return
	}
	r.committed <- err
}

// close stops the writer after the group in progress; it may be called
// more than once.
func (w *writer) close() {
	w.stop.Do(func() { close(w.quit) })
	<-w.done
}
