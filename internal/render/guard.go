package render

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"text/template/parse"
	"time"
)

// Names of the hidden functions the guard injects into every template. The
// placeholder check rejects any name starting with "__", so authors cannot
// call or shadow them.
const (
	fnTick  = "__herold_tick"
	fnEnter = "__herold_enter"
	fnLeave = "__herold_leave"
	fnShow  = "__herold_show"
)

const (
	// checkEvery is how many ticks pass between two looks at the clock and
	// the context; a tick costs a reflective call anyway, so this keeps the
	// check cheap while stopping a loop within microseconds of its deadline.
	checkEvery = 16
	// maxDepth bounds how deeply {{template}} calls may nest.
	maxDepth = 100
)

// state is the per-render state one pooled instance's functions are bound
// to: the time budget, the size limit, and the recipient's locale, zone and
// "now". It is reset at the start of every render and used by one goroutine
// at a time.
type state struct {
	ctx      context.Context
	deadline time.Time
	maxBytes int
	calls    int
	depth    int
	part     string
	loc      *time.Location
	now      time.Time
	locale   *localeInfo
	// localeName is the Options.Locale locale was parsed from.
	localeName string
	// dates keeps styled dates across renders.
	dates dateMemo
}

// reset prepares s for a new render.
func (s *state) reset(ctx context.Context, opts Options) {
	s.ctx = ctx
	s.deadline = time.Now().Add(opts.Limits.Timeout)
	s.maxBytes = opts.Limits.MaxBytes
	s.calls, s.depth = 0, 0
	s.part = ""
	s.loc = opts.Location
	s.now = opts.Now
	if s.locale == nil || s.localeName != opts.Locale {
		// Parsed once per instance and locale: the recipients of a
		// mailing mostly share one.
		s.locale, s.localeName = newLocaleInfo(opts.Locale), opts.Locale
	}
}

// expire makes every later check fail: used for the compile-time run that
// only forces html/template to escape.
func (s *state) expire() {
	s.ctx = context.Background()
	s.deadline = time.Time{}
	s.maxBytes = 0
	s.loc = time.UTC
	s.now = time.Unix(0, 0).UTC()
	s.locale, s.localeName = newLocaleInfo(""), ""
}

// check reports whether the budget is spent, now.
func (s *state) check() error {
	if err := s.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		}
		return err
	}
	if !time.Now().Before(s.deadline) {
		return ErrTimeout
	}
	return nil
}

// tick counts one unit of work and checks the budget every checkEvery
// ticks. Loops, template calls, output writes and every function that
// builds strings call it.
func (s *state) tick() error {
	s.calls++
	if s.calls%checkEvery != 0 {
		return nil
	}
	return s.check()
}

// out checks a string a function built against the size limit and ticks.
func (s *state) out(v string) (string, error) {
	if err := s.fits(len(v)); err != nil {
		return "", err
	}
	return v, s.tick()
}

// fits reports an error when n bytes exceed the size limit. Functions call
// it before they allocate.
func (s *state) fits(n int) error {
	if n > s.maxBytes || n < 0 {
		return fmt.Errorf("%w: a value of %d bytes is larger than the limit of %d", ErrTooLarge, n, s.maxBytes)
	}
	return nil
}

// hiddenTick is the function behind fnTick.
func (s *state) hiddenTick() (string, error) { return "", s.tick() }

// hiddenEnter is the function behind fnEnter.
func (s *state) hiddenEnter() (string, error) {
	s.depth++
	if s.depth > maxDepth {
		return "", fmt.Errorf("%w: more than %d levels (endless recursion?)", errTooDeep, maxDepth)
	}
	return "", s.tick()
}

// hiddenLeave is the function behind fnLeave.
func (s *state) hiddenLeave() string {
	s.depth--
	return ""
}

// limitWriter collects one part's output and fails with ErrTooLarge as
// soon as it would exceed max bytes; text/template then stops at once.
type limitWriter struct {
	buf []byte
	max int
	st  *state
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > w.max {
		return 0, fmt.Errorf("%w: the output is larger than %d bytes", ErrTooLarge, w.max)
	}
	if err := w.st.tick(); err != nil {
		return 0, err
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// guardTrees rewrites parsed trees so that the budget is checked where
// execution can repeat: every {{range}} body starts with a hidden tick, and
// every defined template's body is wrapped in enter/leave calls that bound
// the nesting depth. The hidden actions are variable declarations, which
// print nothing and which html/template leaves alone whatever the context.
func guardTrees(trees map[string]*parse.Tree, main string) {
	for name, t := range trees {
		if t.Root == nil {
			continue
		}
		guardList(t.Root)
		if name == main {
			continue
		}
		pos := t.Root.Pos
		nodes := make([]parse.Node, 0, len(t.Root.Nodes)+2)
		nodes = append(nodes, hiddenCall(fnEnter, pos, 0))
		nodes = append(nodes, t.Root.Nodes...)
		t.Root.Nodes = append(nodes, hiddenCall(fnLeave, pos, 0))
	}
}

func guardList(l *parse.ListNode) {
	walk(l, func(n parse.Node) {
		if r, ok := n.(*parse.RangeNode); ok {
			tick := hiddenCall(fnTick, r.Pos, r.Line)
			r.List.Nodes = append([]parse.Node{tick}, r.List.Nodes...)
		}
	})
}

// walk calls visit for every node of l and of the lists inside if, with
// and range, a node before the lists it holds.
func walk(l *parse.ListNode, visit func(parse.Node)) {
	walkDot(l, true, func(n parse.Node, _ bool) { visit(n) })
}

// walkDot is walk telling visit whether the dot is surely still what it
// was at the start of l (own): false inside with and range, and, to keep
// it simple, in their else branches too.
func walkDot(l *parse.ListNode, own bool, visit func(parse.Node, bool)) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		visit(n, own)
		switch n := n.(type) {
		case *parse.IfNode:
			walkDot(n.List, own, visit)
			walkDot(n.ElseList, own, visit)
		case *parse.WithNode:
			walkDot(n.List, false, visit)
			walkDot(n.ElseList, false, visit)
		case *parse.RangeNode:
			walkDot(n.List, false, visit)
			walkDot(n.ElseList, false, visit)
		case *parse.ListNode:
			walkDot(n, own, visit)
		}
	}
}

// neverNil is every function of funcMap declared to return a concrete
// type (a string, a bool, a number), whose result cannot be nil.
var neverNil = func() map[string]bool {
	m := map[string]bool{}
	for name, fn := range funcMap(&state{}) {
		if t := reflect.TypeOf(fn); t.NumOut() > 0 && t.Out(0).Kind() != reflect.Interface {
			m[name] = true
		}
	}
	return m
}()

// showNothing rewrites the trees of a text part (subject or text) so that
// an action whose value is nil prints nothing, as html/template does:
// text/template would print "<no value>" for a missing key read with get
// or index, a JSON null, or the first element of an empty list. Every
// printing action whose value may be nil gets a hidden last command,
// {{ … | __herold_show }}. The HTML part is left alone: it already prints
// nothing for nil, and html/template refuses commands after its escapers.
func showNothing(trees map[string]*parse.Tree) {
	for _, t := range trees {
		walk(t.Root, func(n parse.Node) {
			if a, ok := n.(*parse.ActionNode); ok {
				appendShow(a)
			}
		})
	}
}

// leanTrees returns trees with a copy of the main tree in which showNothing
// leaves out the nil check of every printing action that is a field chain
// read from the data root (.a.b outside with, range and defined
// templates, where the dot is the data), and the chains' paths
// (["a","b"]). A chain's value is nil only when the value at its path is:
// missing keys stop execution whatever follows, so when nilFree holds for
// the render's data, the lean trees print what the checked trees print,
// without a reflective call per action. nil when no action qualifies.
func leanTrees(trees map[string]*parse.Tree, main string) (map[string]*parse.Tree, [][]string) {
	t := trees[main].Copy()
	var paths [][]string
	walkDot(t.Root, true, func(n parse.Node, root bool) {
		a, ok := n.(*parse.ActionNode)
		if !ok {
			return
		}
		if path := rootPath(a.Pipe); root && path != nil {
			paths = append(paths, path)
		} else {
			appendShow(a)
		}
	})
	if len(paths) == 0 {
		return nil, nil
	}
	lean := make(map[string]*parse.Tree, len(trees))
	for name, tree := range trees {
		lean[name] = tree // the others get their checks from showNothing
	}
	lean[main] = t
	return lean, paths
}

// rootPath returns the path of a printing pipeline that is one field chain
// read from the data root, or nil.
func rootPath(p *parse.PipeNode) []string {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return nil
	}
	// $.a.b is left alone: a template may assign to $.
	if f, ok := p.Cmds[0].Args[0].(*parse.FieldNode); ok {
		return f.Ident
	}
	return nil
}

// nilFree reports whether every path leads through maps of data to a
// value other than nil.
func nilFree(data map[string]any, paths [][]string) bool {
	for _, path := range paths {
		var v any = data
		for _, key := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if v = m[key]; v == nil {
				return false
			}
		}
	}
	return true
}

// appendShow adds fnShow to the pipeline of a printing action, unless its
// last command is a function that never returns nil.
func appendShow(a *parse.ActionNode) {
	p := a.Pipe
	if len(p.Decl) > 0 || len(p.Cmds) == 0 {
		return // an assignment prints nothing
	}
	if id, ok := p.Cmds[len(p.Cmds)-1].Args[0].(*parse.IdentifierNode); ok && neverNil[id.Ident] {
		return
	}
	show := parse.NewIdentifier(fnShow).SetPos(a.Pos)
	p.Cmds = append(p.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: a.Pos, Args: []parse.Node{show}})
}

// hiddenShow is the function behind fnShow: nil becomes "".
func hiddenShow(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// hiddenCall builds the action {{$fn := fn}}. Nodes built outside the
// parser carry no tree; error messages then locate them in the template
// being executed, at pos.
func hiddenCall(fn string, pos parse.Pos, line int) *parse.ActionNode {
	ident := parse.NewIdentifier(fn).SetPos(pos)
	cmd := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{ident}}
	decl := &parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$" + fn}}
	pipe := &parse.PipeNode{
		NodeType: parse.NodePipe, Pos: pos, Line: line,
		Decl: []*parse.VariableNode{decl}, Cmds: []*parse.CommandNode{cmd},
	}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Line: line, Pipe: pipe}
}
