package sqlite

import (
	"math/bits"
	"strconv"
	"strings"
	"sync"
)

// maxRowsPerInsert bounds one multi-row statement (SQLite allows 32,766
// bound parameters; messages have 37 columns). It is a power of two: see
// chunks.
const maxRowsPerInsert = 128

// multiRow builds "INSERT … VALUES (…), (…), …" for n rows from a named
// single-row INSERT whose text ends with its VALUES tuple. Inserting many
// rows with one statement costs a fraction of one statement per row.
type multiRow struct {
	mu    sync.Mutex
	cache map[string]string
}

func newMultiRow() *multiRow { return &multiRow{cache: map[string]string{}} }

func (m *multiRow) query(name string, n int) string {
	key := name + "/" + strconv.Itoa(n)
	m.mu.Lock()
	defer m.mu.Unlock()
	if q, ok := m.cache[key]; ok {
		return q
	}
	single := strings.TrimSuffix(strings.TrimSpace(query(name)), ";")
	i := strings.LastIndex(single, "VALUES")
	head, tuple := single[:i+len("VALUES")], strings.TrimSpace(single[i+len("VALUES"):])
	var b strings.Builder
	b.WriteString(head)
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString(" ")
		b.WriteString(tuple)
	}
	q := b.String()
	m.cache[key] = q
	return q
}

// replaceRows builds a statement whose /*ROWS*/ marker stands for n copies
// of the named row.
func (m *multiRow) replaceRows(name, row string, n int) string {
	key := name + "/rows/" + strconv.Itoa(n)
	m.mu.Lock()
	defer m.mu.Unlock()
	if q, ok := m.cache[key]; ok {
		return q
	}
	one := strings.TrimSuffix(strings.TrimSpace(query(row)), ";")
	rows := make([]string, n)
	for i := range rows {
		rows[i] = one
	}
	q := strings.Replace(query(name), "/*ROWS*/", strings.Join(rows, ", "), 1)
	m.cache[key] = q
	return q
}

// chunks calls fn for consecutive slices whose lengths are powers of two,
// at most maxRowsPerInsert: 300 items go as 128, 128, 32, 8 and 4. Each
// length is another statement text, prepared and kept on the writer's
// connection for good. With a statement for every length from 1 to 100,
// the message INSERTs alone held about 20 MB of SQLite's memory and the
// outcome UPDATEs 11 MB; all 8 powers of two about 1 MB and 0.7 MB
// (BenchmarkStatementMemory). A group of a new length no longer has its
// statement parsed on the writer's turn either.
func chunks[T any](items []T, fn func([]T) error) error {
	for len(items) > 0 {
		n := min(maxRowsPerInsert, 1<<(bits.Len(uint(len(items)))-1))
		if err := fn(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// argList is a pooled argument list of a multi-row statement: a chunk of
// 100 messages binds 3,700 values, a 59 KB list per chunk otherwise.
type argList struct{ a []any }

var argLists = sync.Pool{New: func() any { return new(argList) }}

// maxPooledArgs is the longest list put back: a chunk of the widest table.
const maxPooledArgs = maxRowsPerInsert * 40

// takeArgs returns an empty list with room for n values from the pool.
func takeArgs(n int) *argList {
	l := argLists.Get().(*argList)
	if cap(l.a) < n {
		l.a = make([]any, 0, n)
	}
	return l
}

// release gives the list back, args being what was appended to it: its
// values are cleared first, so the pool keeps no row alive. database/sql
// converts the arguments before ExecContext or QueryContext returns and
// keeps no reference to the list, so it may be released right after.
func (l *argList) release(args []any) {
	clear(args)
	if cap(args) > maxPooledArgs {
		return
	}
	l.a = args[:0]
	argLists.Put(l)
}
