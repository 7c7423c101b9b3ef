package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on what Parse reads, so that files cost bounded memory and time.
const (
	// MaxFiles is the most files one set may have.
	MaxFiles = 2000
	// MaxFileSize is the largest file in bytes.
	MaxFileSize = 1 << 20
	// MaxTotalSize is the largest set in bytes.
	MaxTotalSize = 16 << 20
	// maxNodes bounds the values of one file, aliases expanded.
	maxNodes = 100_000
	// maxDepth bounds nesting.
	maxDepth = 64
)

// File is one file of a set: its path relative to the set's directory
// (slashes) and its content.
type File struct {
	Name string `json:"name"`
	Data string `json:"content"`
}

// Problem is one thing wrong in a file.
type Problem struct {
	File string `json:"file"`
	// Line and Column are 1-based; 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Path is the value's path in the file ("spec.notifications[0].template").
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// String is "file:line:column: message".
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			loc += ":" + strconv.Itoa(p.Column)
		}
	}
	if p.Path != "" {
		return loc + ": " + p.Path + ": " + p.Message
	}
	return loc + ": " + p.Message
}

// Problems are a set's problems; as an error, one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, line and column.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// positions locate a document's values by path.
type positions map[string][2]int

// textLoc says where a text value's own lines stand in its file, where
// that is certain: line 1 of the value is the file's line first, and each
// of its lines starts after indent characters of the file's line.
type textLoc struct{ first, indent int }

// texts locate the text values whose lines stand as written (see
// converter.text).
type texts map[string]textLoc

// At returns the problem for the value at path in d (the nearest enclosing
// value that has a position when path itself has none: a missing field
// is reported where its object is).
// Inside is a problem at a line and column inside the text value at
// path (a template's or condition's own lines, 1-based; 0 for unknown).
// The message names that position ("template line 3, column 5"), and the
// problem points at it in the file where the value's lines stand there
// as written; otherwise at the value.
func (d *Document) Inside(path string, line, col int, what, message string) Problem {
	p := d.At(path, "%s%s", message, within(line, col, what))
	if loc, ok := d.texts[path]; ok && line > 0 {
		p.Line, p.Column = loc.first+line-1, loc.indent+max(col, 1)
	}
	return p
}

func (d *Document) At(path, format string, args ...any) Problem {
	p := Problem{File: d.File, Path: path, Message: fmt.Sprintf(format, args...)}
	for q := path; ; {
		if lc, ok := d.pos[q]; ok {
			p.Line, p.Column = lc[0], lc[1]
			return p
		}
		i := strings.LastIndexAny(q, ".[")
		if i < 0 {
			return p
		}
		q = q[:i]
	}
}

// Parse reads a set of files: YAML syntax, the schema, one object per
// file, and no object twice. Documents come back sorted; problems sorted
// by file and line. The JSON Schema an export writes (SchemaFile) is
// skipped, so that an export can be sent back as it is.
func Parse(files []File) ([]*Document, Problems) {
	r := parse(files)
	return r.docs, r.problems
}

// parsed is what parse read.
type parsed struct {
	// docs are the documents without problems.
	docs []*Document
	// partial are the documents whose only problems are unknown fields:
	// without those, they are whole, and Validate checks them further.
	partial []*Document
	// broken are the other files with problems, as documents with only
	// File set, and Kind and Metadata.Name when the file got that far.
	broken   []*Document
	problems Problems
}

// parse is Parse that also keeps the files with problems.
func parse(files []File) *parsed {
	r := &parsed{}
	if len(files) > MaxFiles {
		r.problems = Problems{{Message: fmt.Sprintf("%d files; at most %d are read at once", len(files), MaxFiles)}}
		return r
	}
	total := 0
	seen := map[string]*Document{}
	for _, f := range files {
		if path.Base(f.Name) == SchemaFile {
			// The schema an export writes next to the files travels with
			// them (GET /v1/config/export returns it); it is not one.
			continue
		}
		total += len(f.Data)
		if len(f.Data) > MaxFileSize || total > MaxTotalSize {
			r.problems = append(r.problems, Problem{File: f.Name, Message: fmt.Sprintf("too large: files of at most %d bytes, %d in all", MaxFileSize, MaxTotalSize)})
			r.broken = append(r.broken, &Document{File: f.Name})
			break
		}
		d, fps, whole := parseFile(f)
		r.problems = append(r.problems, fps...)
		switch {
		case len(fps) > 0 && whole:
			r.partial = append(r.partial, d)
			continue
		case len(fps) > 0:
			if d != nil {
				r.broken = append(r.broken, d)
			}
			continue
		}
		if prev := seen[d.ID()]; prev != nil {
			r.problems = append(r.problems, d.At("metadata.name", "%s %q is defined in %s already", d.Kind, d.Metadata.Name, prev.File))
			continue
		}
		seen[d.ID()] = d
		r.docs = append(r.docs, d)
	}
	Sort(r.docs)
	r.problems.Sort()
	return r
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFile reads one file. With problems, the document it returns is
// whole but for unknown fields it left out (whole), or has only File
// set, and Kind and Metadata.Name when the file got that far; none when
// the file is empty.
func parseFile(f File) (d *Document, ps Problems, whole bool) {
	dec := yaml.NewDecoder(strings.NewReader(f.Data))
	var root yaml.Node
	unread := &Document{File: f.Name}
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			// Nothing in it to check further, nor an object it defines.
			return nil, Problems{{File: f.Name, Line: 1, Column: 1, Message: "the file is empty; put one object in it (apiVersion, kind, metadata, spec)"}}, false
		}
		p := Problem{File: f.Name, Message: err.Error()}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		return unread, Problems{p}, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return unread, Problems{{File: f.Name, Line: extra.Line, Column: extra.Column, Message: "a second document in the file: put one object per file"}}, false
	}
	c := &converter{file: f.Name, pos: positions{}, texts: texts{}, lines: strings.Split(f.Data, "\n"),
		runes: map[int][]rune{}}
	node := &root
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	v := c.convert(node, fileSchema(), "", 0)
	m, _ := v.(map[string]any)
	d = &Document{File: f.Name, pos: c.pos, texts: c.texts, APIVersion: APIVersion}
	d.Kind, _ = m["kind"].(string)
	if meta, ok := m["metadata"].(map[string]any); ok {
		d.Metadata.Name, _ = meta["name"].(string)
	}
	if len(c.problems) > 0 && (len(c.problems) > c.unknown || c.kind == "" || d.Metadata.Name == "") {
		unread.Kind, unread.Metadata.Name = c.kind, d.Metadata.Name
		return unread, c.problems, false
	}
	d.Spec, _ = m["spec"].(map[string]any)
	if d.Spec == nil {
		d.Spec = map[string]any{}
	}
	pruneZero(d.Spec)
	return d, c.problems, true
}

// converter turns YAML nodes into JSON values, checking them against the
// schema on the way and recording where each value is.
type converter struct {
	file     string
	pos      positions
	texts    texts
	lines    []string       // the file's lines
	runes    map[int][]rune // those of them text has read, as characters
	problems Problems
	// unknown counts the problems that are unknown fields, which the
	// value leaves out and is otherwise whole without.
	unknown int
	nodes   int
	// kind is the document's kind once read, which selects the spec's
	// schema.
	kind string
}

func (c *converter) fail(n *yaml.Node, path, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Line: n.Line, Column: n.Column, Path: path, Message: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (c *converter) convert(n *yaml.Node, s *schema, path string, depth int) any {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	c.nodes++
	if c.nodes > maxNodes || depth > maxDepth {
		if c.nodes == maxNodes+1 || depth == maxDepth+1 {
			c.fail(n, path, "too large or too deeply nested (at most %d values, %d levels)", maxNodes, maxDepth)
		}
		return nil
	}
	c.pos[path] = [2]int{n.Line, n.Column}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	switch s.Type {
	case "object":
		return c.object(n, s, path, depth)
	case "array":
		if n.Kind != yaml.SequenceNode {
			c.fail(n, path, "expected a list")
			return nil
		}
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			out = append(out, c.convert(e, s.Items, fmt.Sprintf("%s[%d]", path, i), depth+1))
		}
		return out
	case "string":
		if n.Kind != yaml.ScalarNode {
			c.fail(n, path, "expected text")
			return nil
		}
		if s.Const != "" && n.Value != s.Const {
			c.fail(n, path, "must be %q", s.Const)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, n.Value) {
			c.fail(n, path, "%q is not one of %s", n.Value, strings.Join(s.Enum, ", "))
		}
		if s.MinLength > 0 && n.Value == "" {
			c.fail(n, path, "must not be empty")
		}
		c.text(n, path)
		return n.Value
	case "integer", "number", "boolean":
		return c.typedScalar(n, s.Type, path)
	}
	return c.anyValue(n, path, depth)
}

// text records where a text value's lines stand in the file when they
// stand there as they are: a value on one line, plain or quoted without
// escapes, or a literal block (|) whose first line is written out.
// Folded blocks, escapes and values over several plain lines are left
// out: a position inside them would be a guess.
func (c *converter) text(n *yaml.Node, path string) {
	line := func(i int) string { // the file's 1-based line i, or ""
		if i < 1 || i > len(c.lines) {
			return ""
		}
		return strings.TrimSuffix(c.lines[i-1], "\r")
	}
	// A line's characters, converted once: a flow list of 100,000 short
	// values on one long line must not convert the line for each.
	runes := func(i int) []rune {
		r, ok := c.runes[i]
		if !ok {
			r = []rune(line(i))
			c.runes[i] = r
		}
		return r
	}
	v := n.Value
	switch n.Style {
	case 0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		quote := ""
		switch n.Style {
		case yaml.DoubleQuotedStyle:
			quote = `"`
		case yaml.SingleQuotedStyle:
			quote = "'"
		}
		if strings.Contains(v, "\n") || n.Column < 1 {
			return
		}
		src, want, at := runes(n.Line), []rune(quote+v+quote), n.Column-1
		if at+len(want) > len(src) || !slices.Equal(src[at:at+len(want)], want) {
			return
		}
		c.texts[path] = textLoc{first: n.Line, indent: n.Column - 1 + len(quote)}
	case yaml.LiteralStyle:
		first, _, _ := strings.Cut(v, "\n")
		src := line(n.Line + 1)
		body := strings.TrimLeft(src, " ")
		if first == "" || body != first {
			return
		}
		c.texts[path] = textLoc{first: n.Line + 1, indent: len(src) - len(body)}
	}
}

func (c *converter) object(n *yaml.Node, s *schema, path string, depth int) any {
	if n.Kind != yaml.MappingNode {
		c.fail(n, path, "expected a mapping of names to values")
		return nil
	}
	out := map[string]any{}
	if path == "" {
		if kn := valueOf(n, "kind"); kn != nil && specSchemas[kn.Value] != nil {
			c.kind = kn.Value
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		p := join(path, key)
		if _, dup := out[key]; dup {
			c.fail(k, p, "%q is given twice", key)
			continue
		}
		sub := s.Properties[key]
		if sub == nil {
			sub = s.additional()
		}
		if sub == nil && s.Additional == false {
			c.fail(k, p, "unknown field %q; known fields: %s", key, strings.Join(known(s), ", "))
			c.unknown++
			continue
		}
		if sub == nil {
			sub = &schema{}
		}
		if path == "" && key == "spec" && c.kind != "" {
			sub = specSchemas[c.kind]
		}
		out[key] = c.convert(v, sub, p, depth+1)
	}
	for _, r := range s.Required {
		if _, ok := out[r]; !ok {
			c.fail(n, path, "%s is required", join(path, r))
		}
	}
	return out
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func known(s *schema) []string { return slices.Sorted(maps.Keys(s.Properties)) }

func (c *converter) typedScalar(n *yaml.Node, typ, path string) any {
	if n.Kind != yaml.ScalarNode {
		c.fail(n, path, "expected a %s", typ)
		return nil
	}
	switch typ {
	case "boolean":
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			c.fail(n, path, "expected true or false, not %q", n.Value)
		}
		return b
	case "integer":
		var i int64
		if n.Tag != "!!int" || n.Decode(&i) != nil {
			c.fail(n, path, "expected a whole number, not %q", n.Value)
		}
		return json.Number(strconv.FormatInt(i, 10))
	}
	var f float64
	if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
		c.fail(n, path, "expected a number, not %q", n.Value)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// anyValue converts free data (attributes) by the YAML tags.
func (c *converter) anyValue(n *yaml.Node, path string, depth int) any {
	switch n.Kind {
	case yaml.MappingNode:
		return c.object(n, &schema{Type: "object", Additional: &schema{}}, path, depth)
	case yaml.SequenceNode:
		return c.convert(n, &schema{Type: "array", Items: &schema{}}, path, depth)
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return c.typedScalar(n, "boolean", path)
		case "!!int", "!!float":
			// Numbers in JSON form stay exact, however large (the server
			// decides what it accepts); YAML's other forms (0x1F, 1_000,
			// .inf) go through the YAML decoder.
			if json.Valid([]byte(n.Value)) {
				return json.Number(n.Value)
			}
			if n.Tag == "!!int" {
				return c.typedScalar(n, "integer", path)
			}
			return c.typedScalar(n, "number", path)
		}
		return n.Value
	}
	c.fail(n, path, "unexpected YAML node")
	return nil
}
