package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// workspaceCacheTTL is how long a workspace row read on the read pool is
// used again without reading it anew: the longest a change made by
// another process (an admin's `herold` command on the same file) takes to
// reach this server, as for a revoked key (service.keyCacheTTL). Changes
// made through this process are seen at once (workspaceCache.purge).
const workspaceCacheTTL = 2 * time.Second

// workspaceCache keeps the workspace rows that Store.WorkspaceGetByID read,
// by workspace id, for workspaceCacheTTL. Every API request reads its
// workspace (service.Authenticate); on SQLite each such read is a read
// transaction, which after any commit starts by dropping the connection's
// page cache, under a mutex the writer needs for every page it touches.
// At W1-max's 2,000 requests a second those reads slowed the writer by
// about a tenth (docs/decisions.md).
//
// The cache keeps the row's column values, not a *model.Workspace: each
// caller gets a workspace scanned afresh from them, which it may change
// freely, and a column added to the workspace is cached without a change
// here.
//
// The writer purges the cache after each commit of a transaction that
// wrote a workspace (txStore's workspace writes), before the writing
// caller returns. A read that began before such a purge does not store
// what it read (gen), since that may predate the change.
type workspaceCache struct {
	mu   sync.Mutex
	gen  uint64
	rows map[int64]cachedRow
	now  func() time.Time
}

type cachedRow struct {
	vals    []any
	expires time.Time
}

func newWorkspaceCache() *workspaceCache {
	return &workspaceCache{rows: map[int64]cachedRow{}, now: time.Now}
}

// get returns the cached row of workspace id if it is fresh, and the
// generation to hand to put after a miss.
func (c *workspaceCache) get(id int64) ([]any, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rows[id]
	if ok && c.now().Before(r.expires) {
		return r.vals, c.gen
	}
	delete(c.rows, id)
	return nil, c.gen
}

// put keeps a row read on the read pool unless a purge happened since gen
// was read.
func (c *workspaceCache) put(id int64, vals []any, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.rows[id] = cachedRow{vals: vals, expires: c.now().Add(workspaceCacheTTL)}
	}
}

// purge forgets every row. Workspaces change rarely, and forgetting all is
// simpler than finding the ones a transaction wrote.
func (c *workspaceCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.rows)
}

// WorkspaceGetByID implements store.Queries: on the read pool through the
// cache; inside a transaction (txStore) always from the database.
func (s *Store) WorkspaceGetByID(ctx context.Context, id int64) (*model.Workspace, error) {
	vals, gen := s.workspaces.get(id)
	if vals != nil {
		return scanWorkspace(replay(vals))
	}
	rec := &recorder{r: s.db.QueryRowContext(ctx, query("WorkspaceGetByID"), id)}
	w, err := scanWorkspace(rec)
	if err == nil {
		s.workspaces.put(id, rec.vals, gen)
	}
	return w, err
}

// recorder scans a row and keeps the values it scanned.
type recorder struct {
	r    scanner
	vals []any
}

func (r *recorder) Scan(dest ...any) error {
	if err := r.r.Scan(dest...); err != nil {
		return err
	}
	r.vals = make([]any, len(dest))
	for i, d := range dest {
		r.vals[i] = reflect.ValueOf(d).Elem().Interface()
	}
	return nil
}

// replay scans the values a recorder kept into the same destinations.
type replay []any

func (v replay) Scan(dest ...any) error {
	if len(dest) != len(v) {
		return fmt.Errorf("cached row has %d columns, scan wants %d", len(v), len(dest))
	}
	for i, d := range dest {
		reflect.ValueOf(d).Elem().Set(reflect.ValueOf(v[i]))
	}
	return nil
}
