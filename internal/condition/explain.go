package condition

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/herold-dev/herold/internal/model"
)

// Limits of what explain reports.
const (
	// maxValues bounds the entries of Result.Values.
	maxValues = 20
	// maxDepth bounds how deep nested data is walked.
	maxDepth = 64
	// maxSites bounds the calls recorded for error messages.
	maxSites = 200
)

// segment is one step of a chain: a field selection (object.status) or an
// index with a literal key (object['due-at'], object.items[0]).
type segment struct {
	key   any // string or int64
	index bool
}

// chain is a maximal selection path from a data root, as written in the
// expression: object.contacts.owner, today.
type chain struct {
	id       int64 // the outermost node
	offset   int32
	root     string
	path     []segment
	testOnly bool // the last step is a has() test
	text     string
}

// helperCall is a helper call whose arguments explain can recompute: data
// chains and literals.
type helperCall struct {
	offset int32
	name   string
	args   []any // *chain or ref.Val
	text   string
}

// callSite describes a call for error messages: its function and, per
// argument (the target of a member call first), a *chain, a ref.Val
// literal, or nil for anything else.
type callSite struct {
	name string
	args []any
}

// analyse records what the program reads: its roots, helpers, chains and
// explainable helper calls, in source order.
func (p *Program) analyse(a *ast.AST) {
	w := walker{info: a.SourceInfo(), roots: map[string]bool{}, helpers: map[string]bool{},
		sites: map[int64]*callSite{}}
	w.walk(a.Expr(), nil)
	for _, r := range mapRoots {
		if w.roots[r] {
			p.roots = append(p.roots, r)
		}
	}
	for _, h := range helperNames {
		if w.helpers[h] {
			p.helpers = append(p.helpers, h)
		}
	}
	byOffset := func(a, b int32) int { return cmp.Compare(a, b) }
	slices.SortStableFunc(w.chains, func(a, b *chain) int { return byOffset(a.offset, b.offset) })
	slices.SortStableFunc(w.calls, func(a, b *helperCall) int { return byOffset(a.offset, b.offset) })
	p.chains, p.calls, p.sites = w.chains, w.calls, w.sites
}

type walker struct {
	info    *ast.SourceInfo
	roots   map[string]bool
	helpers map[string]bool
	chains  []*chain
	calls   []*helperCall
	sites   map[int64]*callSite
}

// walk visits e; shadowed holds the comprehension variables in scope, which
// hide data roots of the same name.
func (w *walker) walk(e ast.Expr, shadowed []string) {
	if e == nil {
		return
	}
	if c := w.chainOf(e, shadowed); c != nil {
		c.id = e.ID()
		c.text = c.render()
		w.chains = append(w.chains, c)
		return
	}
	switch e.Kind() {
	case ast.CallKind:
		call := e.AsCall()
		if !call.IsMemberFunction() && isHelper(call.FunctionName()) {
			w.helpers[call.FunctionName()] = true
			w.helperCall(e, shadowed)
		}
		w.site(e, shadowed)
		w.walk(call.Target(), shadowed)
		for _, arg := range call.Args() {
			w.walk(arg, shadowed)
		}
	case ast.SelectKind:
		w.walk(e.AsSelect().Operand(), shadowed)
	case ast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.walk(el, shadowed)
		}
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			w.walk(en.AsMapEntry().Key(), shadowed)
			w.walk(en.AsMapEntry().Value(), shadowed)
		}
	case ast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			w.walk(f.AsStructField().Value(), shadowed)
		}
	case ast.ComprehensionKind:
		comp := e.AsComprehension()
		w.walk(comp.IterRange(), shadowed)
		w.walk(comp.AccuInit(), shadowed)
		inner := append(slices.Clip(shadowed), comp.IterVar(), comp.AccuVar())
		if comp.HasIterVar2() {
			inner = append(inner, comp.IterVar2())
		}
		w.walk(comp.LoopCondition(), inner)
		w.walk(comp.LoopStep(), inner)
		w.walk(comp.Result(), inner)
	}
}

// chainOf returns the chain e is, or nil.
func (w *walker) chainOf(e ast.Expr, shadowed []string) *chain {
	switch e.Kind() {
	case ast.IdentKind:
		name := e.AsIdent()
		if _, ok := model.DataRoots[name]; !ok || slices.Contains(shadowed, name) {
			return nil
		}
		w.roots[name] = true
		return &chain{root: name, offset: w.offset(e)}
	case ast.SelectKind:
		sel := e.AsSelect()
		c := w.chainOf(sel.Operand(), shadowed)
		if c == nil || c.testOnly {
			return nil
		}
		c.path = append(c.path, segment{key: sel.FieldName()})
		c.testOnly = sel.IsTestOnly()
		return c
	case ast.CallKind:
		call := e.AsCall()
		if call.FunctionName() != operators.Index || len(call.Args()) != 2 ||
			call.Args()[1].Kind() != ast.LiteralKind {
			return nil
		}
		var key any
		switch k := call.Args()[1].AsLiteral().(type) {
		case types.String:
			key = string(k)
		case types.Int:
			key = int64(k)
		default:
			return nil
		}
		c := w.chainOf(call.Args()[0], shadowed)
		if c == nil || c.testOnly {
			return nil
		}
		c.path = append(c.path, segment{key: key, index: true})
		return c
	}
	return nil
}

// helperCall records a helper call whose arguments are chains or literals.
func (w *walker) helperCall(e ast.Expr, shadowed []string) {
	call := e.AsCall()
	hc := &helperCall{name: call.FunctionName(), offset: w.offset(e)}
	texts := make([]string, 0, len(call.Args()))
	for _, arg := range call.Args() {
		r := w.argRef(arg, shadowed)
		if r == nil {
			return
		}
		hc.args = append(hc.args, r)
		texts = append(texts, refText(r))
	}
	hc.text = hc.name + "(" + strings.Join(texts, ", ") + ")"
	w.calls = append(w.calls, hc)
}

// site records a call for error messages.
func (w *walker) site(e ast.Expr, shadowed []string) {
	if len(w.sites) >= maxSites {
		return
	}
	call := e.AsCall()
	s := &callSite{name: call.FunctionName()}
	args := call.Args()
	if call.IsMemberFunction() {
		args = append([]ast.Expr{call.Target()}, args...)
	}
	for _, arg := range args {
		s.args = append(s.args, w.argRef(arg, shadowed))
	}
	w.sites[e.ID()] = s
}

// argRef returns arg as a rendered *chain or a ref.Val literal, else nil.
func (w *walker) argRef(arg ast.Expr, shadowed []string) any {
	if arg.Kind() == ast.LiteralKind {
		return arg.AsLiteral()
	}
	c := (&walker{info: w.info, roots: map[string]bool{}}).chainOf(arg, shadowed)
	if c == nil || c.testOnly {
		return nil
	}
	c.text = c.render()
	return c
}

func refText(a any) string {
	switch r := a.(type) {
	case *chain:
		return r.text
	case ref.Val:
		return literalText(r)
	}
	return "…"
}

// offset returns the recorded source position of e (for a call, its opening
// parenthesis), which orders what explain reports.
func (w *walker) offset(e ast.Expr) int32 {
	if r, ok := w.info.GetOffsetRange(e.ID()); ok {
		return r.Start
	}
	return 0
}

func (c *chain) render() string {
	var b strings.Builder
	b.WriteString(c.root)
	for _, s := range c.path {
		switch k := s.key.(type) {
		case int64:
			fmt.Fprintf(&b, "[%d]", k)
		case string:
			if s.index {
				b.WriteString("[" + quote(k) + "]")
			} else {
				b.WriteString("." + k)
			}
		}
	}
	return b.String()
}

func (c *chain) hasKey(key string) bool {
	for _, s := range c.path {
		if s.key == key {
			return true
		}
	}
	return false
}

// lookup walks the chain through act. found is false when a part is
// absent; at is then the index of the first absent segment (-1: the root).
func (c *chain) lookup(act map[string]any) (v any, found bool, at int) {
	v, ok := act[c.root]
	if !ok {
		return nil, false, -1
	}
	for i, s := range c.path {
		if v, ok = step(v, s.key); !ok {
			return nil, false, i
		}
	}
	return v, true, 0
}

// missing describes the part of the chain the data lacks, if any. A has()
// test on the last segment is not a missing part.
func (c *chain) missing(act map[string]any) (string, bool) {
	_, found, at := c.lookup(act)
	if found || (c.testOnly && at == len(c.path)-1) {
		return "", false
	}
	if at < 0 {
		return fmt.Sprintf("%s is not available here", c.root), true
	}
	parent := (&chain{root: c.root, path: c.path[:at]}).render()
	field := (&chain{root: c.root, path: c.path[:at+1]}).render()
	switch k := c.path[at].key.(type) {
	case int64:
		return fmt.Sprintf("%s has no element [%d] (check its size() first)", parent, k), true
	default:
		return fmt.Sprintf("%s has no field '%v' (guard optional fields with has(%s))", parent, k, field), true
	}
}

// step selects key from a map or index key from a list.
func step(v any, key any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		s, ok := key.(string)
		if !ok {
			return nil, false
		}
		r, ok := x[s]
		return r, ok
	case []any:
		i, ok := key.(int64)
		if !ok || i < 0 || i >= int64(len(x)) {
			return nil, false
		}
		return x[i], true
	case nil:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		s, ok := key.(string)
		if !ok || rv.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		r := rv.MapIndex(reflect.ValueOf(s).Convert(rv.Type().Key()))
		if !r.IsValid() {
			return nil, false
		}
		return r.Interface(), true
	case reflect.Slice, reflect.Array:
		i, ok := key.(int64)
		if !ok || i < 0 || i >= int64(rv.Len()) {
			return nil, false
		}
		return rv.Index(int(i)).Interface(), true
	}
	return nil, false
}

// explain reports the values of the chains, then the results of the helper
// calls, up to maxValues entries.
func (p *Program) explain(act map[string]any, clk *clock) map[string]any {
	if len(p.chains) == 0 && len(p.calls) == 0 {
		return nil
	}
	out := make(map[string]any, min(len(p.chains)+len(p.calls), maxValues))
	for _, c := range p.chains {
		if len(out) >= maxValues {
			return out
		}
		v, _, _ := c.lookup(act)
		out[c.text] = jsonValue(v, 0)
	}
	for _, hc := range p.calls {
		if len(out) >= maxValues {
			return out
		}
		if _, seen := out[hc.text]; !seen {
			out[hc.text] = jsonValue(hc.eval(act, clk), 0)
		}
	}
	return out
}

// eval recomputes the helper call from the data; nil when it fails.
func (hc *helperCall) eval(act map[string]any, clk *clock) any {
	args := make([]ref.Val, len(hc.args))
	for i, a := range hc.args {
		switch x := a.(type) {
		case ref.Val:
			args[i] = x
		case *chain:
			v, found, _ := x.lookup(act)
			if !found {
				return nil
			}
			args[i] = nativeToVal(v)
		}
	}
	if hc.name == fnIsBirthday {
		if _, ok := args[1].(types.Int); !ok || len(args) == 3 && args[2].Type() != types.StringType {
			return nil
		}
	}
	r := clk.call(hc.name, args)
	if types.IsError(r) {
		return nil
	}
	return r.Value()
}

func literalText(v ref.Val) string {
	switch x := v.(type) {
	case types.String:
		return quote(string(x))
	case types.Bytes:
		return "b" + quote(string(x))
	case types.Uint:
		return strconv.FormatUint(uint64(x), 10) + "u"
	case types.Double:
		s := strconv.FormatFloat(float64(x), 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	case types.Null:
		return "null"
	}
	return fmt.Sprint(v.Value())
}

// quote writes s as a single-quoted CEL string literal.
func quote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + strings.ReplaceAll(q, "'", `\'`) + "'"
}
