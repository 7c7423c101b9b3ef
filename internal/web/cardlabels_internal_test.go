package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCardLabels: each body cell gets its column's header as data-label
// (colspans counted, header controls and empty headers giving none, a
// cell's own label kept, nested tables with their own headers), and the
// rest of the page passes through unchanged.
func TestCardLabels(t *testing.T) {
	in := `<!doctype html><P class=x>Ä &amp; b</P><textarea><td></textarea>` +
		`<table><thead><tr><th><input type="checkbox" aria-label="Alle"></th><TH colspan="2">Empfänger &amp; <span class="visually-hidden">Kopie</span></th><th>"Status"</th><th></th></tr></thead>` +
		`<tbody><tr><td><input type=checkbox></td><td>a</td><td class="num">b</td><td data-label="eigen">c</td><td>d</td></tr>` +
		`<tr><Td>1<table><thead><tr><th>Innen</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table></td><td>2</td></tr></tbody></table>` +
		`<table><tr><td>ohne Kopf</td></tr></table>`
	want := `<!doctype html><P class=x>Ä &amp; b</P><textarea><td></textarea>` +
		`<table><thead><tr><th><input type="checkbox" aria-label="Alle"></th><TH colspan="2">Empfänger &amp; <span class="visually-hidden">Kopie</span></th><th>"Status"</th><th></th></tr></thead>` +
		`<tbody><tr><td><input type=checkbox></td><td data-label="Empfänger &amp; Kopie">a</td><td data-label="Empfänger &amp; Kopie" class="num">b</td><td data-label="eigen">c</td><td>d</td></tr>` +
		`<tr><Td>1<table><thead><tr><th>Innen</th></tr></thead><tbody><tr><td data-label="Innen">x</td></tr></tbody></table></td><td data-label="Empfänger &amp; Kopie">2</td></tr></tbody></table>` +
		`<table><tr><td>ohne Kopf</td></tr></table>`
	require.Equal(t, want, string(cardLabels([]byte(in))))
	plain := []byte(`<p>no table</p>`)
	require.Equal(t, plain, cardLabels(plain))
}
