package web

import (
	"bytes"
	"html"
	"io"
	"strconv"
	"strings"

	nethtml "golang.org/x/net/html"
)

// cardLabels gives every body cell of a table with a header row the text
// of its column's header as data-label, so that on a phone screen the
// stylesheet shows each row as a card of "label: value" lines (see
// app.css, "Tables become cards"). Doing it once on the rendered page,
// rather than by hand in each template, means no table can forget a
// label or get one out of step with its header. The page passes through
// byte for byte otherwise; cells that have a data-label keep it.
func cardLabels(page []byte) []byte {
	if !bytes.Contains(page, []byte("<thead")) {
		return page
	}
	out := bytes.NewBuffer(make([]byte, 0, len(page)+len(page)/8))
	z := nethtml.NewTokenizer(bytes.NewReader(page))
	// One entry per open table, innermost last.
	type table struct {
		heads  []string // the header texts, one per column
		inHead bool
		col    int // the next body cell's column
	}
	var (
		tables  []*table
		th      *strings.Builder // the text of the header cell being read
		span    int              // its colspan
		control bool             // it holds a form control
	)
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			if z.Err() != io.EOF {
				return page // cannot happen reading bytes; never cut a page short
			}
			break
		}
		// TagName lower-cases the token in place: keep the raw bytes first.
		raw := append([]byte(nil), z.Raw()...)
		var t *table
		if len(tables) > 0 {
			t = tables[len(tables)-1]
		}
		switch tt {
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "input", "select", "button":
				// A header holding a control ("select all") labels no value.
				control = true
			case "table":
				tables = append(tables, &table{})
			case "thead":
				if t != nil {
					t.inHead = true
				}
			case "tr":
				if t != nil {
					t.col = 0
				}
			case "th", "td":
				if t == nil {
					break
				}
				attrs := map[string]string{}
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					attrs[string(k)] = string(v)
				}
				n, err := strconv.Atoi(attrs["colspan"])
				if err != nil || n < 1 || n > 100 {
					n = 1
				}
				if t.inHead {
					th, span, control = &strings.Builder{}, n, false
					break
				}
				col := t.col
				t.col += n
				if _, ok := attrs["data-label"]; ok || col >= len(t.heads) || t.heads[col] == "" {
					break
				}
				// raw starts with "<td" or "<th": insert the attribute after it.
				out.Write(raw[:3])
				out.WriteString(` data-label="` + html.EscapeString(t.heads[col]) + `"`)
				out.Write(raw[3:])
				continue
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "table":
				if t != nil {
					tables = tables[:len(tables)-1]
				}
			case "thead":
				if t != nil {
					t.inHead = false
				}
			case "th", "td":
				if t != nil && th != nil {
					text := strings.Join(strings.Fields(th.String()), " ")
					if control {
						text = ""
					}
					for range span {
						t.heads = append(t.heads, text)
					}
					th = nil
				}
			}
		case nethtml.TextToken:
			if th != nil {
				th.Write(z.Text())
			}
		}
		out.Write(raw)
	}
	return out.Bytes()
}
