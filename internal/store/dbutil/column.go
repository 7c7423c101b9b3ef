package dbutil

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// columnText is a JSON column's text, read as bytes or as a string.
type columnText struct {
	b []byte
	s string
}

func (t columnText) len() int { return len(t.b) + len(t.s) }

// isEmptyList reports whether the text is "[]".
func (t columnText) isEmptyList() bool {
	return string(t.b) == "[]" || t.s == "[]"
}

// Read hands out the text, then io.EOF.
func (t *columnText) Read(p []byte) (int, error) {
	if len(t.b) > 0 {
		n := copy(p, t.b)
		t.b = t.b[n:]
		return n, nil
	}
	if len(t.s) > 0 {
		n := copy(p, t.s)
		t.s = t.s[n:]
		return n, nil
	}
	return 0, io.EOF
}

// columnDecoder is a json.Decoder (numbers as json.Number) with the
// reader it reads, kept in columnDecoders between columns: scans decode
// a few JSON columns per row (a contact's attributes, consents, opt-outs
// and preferences; a message's addresses and timeline), and a new
// decoder costs its state and a 512-byte buffer per column.
type columnDecoder struct {
	src columnText
	dec *json.Decoder
}

var columnDecoders = sync.Pool{New: func() any {
	d := new(columnDecoder)
	d.dec = json.NewDecoder(&d.src)
	d.dec.UseNumber()
	return d
}}

// maxPooledColumn is the longest column a pooled decoder decodes: its
// buffer grows to the column's length, and the pool should not pin the
// buffer of one huge column.
const maxPooledColumn = 64 << 10

// fromColumn decodes the first JSON value of t into v, as a new decoder
// would. A decoder goes back to the pool only when it read exactly t, so
// the next column starts with an empty buffer and no error.
func fromColumn(t columnText, v any) error {
	// Lists of strings are mostly empty (a contact's consents and
	// opt-outs): no decoder needed.
	if l, ok := v.(*[]string); ok && t.isEmptyList() {
		*l = []string{}
		return nil
	}
	n := t.len()
	if n > maxPooledColumn {
		dec := json.NewDecoder(&t)
		dec.UseNumber()
		return decodeColumn(dec, v)
	}
	d := columnDecoders.Get().(*columnDecoder)
	d.src = t
	start := d.dec.InputOffset()
	err := decodeColumn(d.dec, v)
	if err == nil && d.dec.InputOffset()-start == int64(n) && d.src.len() == 0 {
		columnDecoders.Put(d)
	}
	return err
}

func decodeColumn(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode json column: %w", err)
	}
	return nil
}
