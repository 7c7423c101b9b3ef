package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template/parse"

	"github.com/herold-dev/herold/internal/model"
)

// scope says what dot and $ refer to at a point of a template: the root of
// the data model, or something the checker cannot know (inside range and
// with, or in a defined template called with another value).
type scope struct {
	dotRoot    bool
	dollarRoot bool
}

// call is one {{template "name" PIPE}} inside the template caller, and
// whether PIPE is the data root (assuming the caller sees the root).
type call struct {
	caller, name string
	root         bool
}

// maxProblems bounds the problems reported per part.
const maxProblems = 50

// checker walks the parse trees of one part and records every unknown
// function, unknown placeholder and reserved name with its position.
type checker struct {
	part     string
	src      string
	trees    map[string]*parse.Tree
	report   bool
	caller   string
	calls    []call
	problems []Problem
}

// checkTrees checks the trees of one part parsed from src. The main tree
// sees the data root as dot and $. A defined template is checked as seeing
// the root too when it is called, and every call passes the root
// ({{template "x" .}} where dot is the root) from a template that sees the
// root; otherwise only its functions and reserved names are checked.
func checkTrees(part, src string, trees map[string]*parse.Tree) []Problem {
	// First pass: collect the calls, assuming every template sees the root.
	all := map[string]bool{}
	for name := range trees {
		all[name] = true
	}
	probe := &checker{part: part, src: src, trees: trees}
	probe.walkAll(all)
	c := &checker{part: part, src: src, trees: trees, report: true}
	c.walkAll(rootedTemplates(part, trees, probe.calls))
	slices.SortStableFunc(c.problems, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	if len(c.problems) > maxProblems {
		more := len(c.problems) - maxProblems
		c.problems = append(c.problems[:maxProblems], Problem{Part: part, Message: fmt.Sprintf("and %d more problems", more)})
	}
	return c.problems
}

// rootedTemplates decides which defined templates see the root, starting
// from all and un-rooting, transitively, every template that is never
// called, called with something else, or called from an un-rooted one.
func rootedTemplates(part string, trees map[string]*parse.Tree, calls []call) map[string]bool {
	rooted := map[string]bool{}
	for name := range trees {
		rooted[name] = name != part
	}
	called := map[string]bool{}
	callees := map[string][]string{}
	for _, cl := range calls {
		called[cl.name] = true
		callees[cl.caller] = append(callees[cl.caller], cl.name)
	}
	var queue []string
	unroot := func(name string) {
		if rooted[name] {
			rooted[name] = false
			queue = append(queue, name)
		}
	}
	for name := range trees {
		if !called[name] {
			unroot(name)
		}
	}
	for _, cl := range calls {
		if !cl.root {
			unroot(cl.name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, callee := range callees[name] {
			unroot(callee)
		}
	}
	return rooted
}

func (c *checker) walkAll(rooted map[string]bool) {
	for _, name := range slices.Sorted(maps.Keys(c.trees)) {
		t := c.trees[name]
		if t.Root == nil {
			continue
		}
		root := name == c.part || rooted[name]
		c.caller = name
		c.list(t.Root, scope{dotRoot: root, dollarRoot: root})
	}
}

func (c *checker) addf(pos parse.Pos, format string, args ...any) {
	if !c.report {
		return
	}
	line, col := Position(c.src, int(pos))
	c.problems = append(c.problems, Problem{Part: c.part, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) list(l *parse.ListNode, sc scope) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(n, sc)
	}
}

func (c *checker) node(n parse.Node, sc scope) {
	inner := scope{dollarRoot: sc.dollarRoot}
	switch n := n.(type) {
	case *parse.ActionNode:
		c.pipe(n.Pipe, sc)
	case *parse.IfNode:
		c.pipe(n.Pipe, sc)
		c.list(n.List, sc)
		c.list(n.ElseList, sc)
	case *parse.RangeNode:
		c.pipe(n.Pipe, sc)
		c.list(n.List, inner)
		c.list(n.ElseList, sc)
	case *parse.WithNode:
		c.pipe(n.Pipe, sc)
		c.list(n.List, inner)
		c.list(n.ElseList, sc)
	case *parse.TemplateNode:
		c.template(n, sc)
	case *parse.ListNode:
		c.list(n, sc)
	}
}

func (c *checker) template(n *parse.TemplateNode, sc scope) {
	if _, ok := c.trees[n.Name]; !ok {
		c.addf(n.Pos, "no template named %q is defined", n.Name)
	}
	c.calls = append(c.calls, call{caller: c.caller, name: n.Name, root: passesRoot(n.Pipe, sc)})
	if n.Pipe != nil {
		c.pipe(n.Pipe, sc)
	}
}

// passesRoot reports whether pipe is exactly "." or "$" naming the root.
func passesRoot(pipe *parse.PipeNode, sc scope) bool {
	if pipe == nil || len(pipe.Decl) > 0 || len(pipe.Cmds) != 1 || len(pipe.Cmds[0].Args) != 1 {
		return false
	}
	switch a := pipe.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return sc.dotRoot
	case *parse.VariableNode:
		return len(a.Ident) == 1 && a.Ident[0] == "$" && sc.dollarRoot
	}
	return false
}

func (c *checker) pipe(p *parse.PipeNode, sc scope) {
	if p == nil {
		return
	}
	for _, v := range p.Decl {
		if strings.HasPrefix(v.Ident[0], "$__") {
			c.addf(v.Pos, "variable %s: names starting with \"__\" are reserved", v.Ident[0])
		}
	}
	for i, cmd := range p.Cmds {
		if fn, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
			given := len(cmd.Args) - 1
			if i > 0 {
				given++ // the value piped in comes last
			}
			c.argCount(fn, given)
		}
		for j, arg := range cmd.Args {
			if fn, ok := arg.(*parse.IdentifierNode); ok && j > 0 {
				c.argCount(fn, 0)
			}
			c.arg(arg, sc)
		}
	}
}

// argCount reports a call of a known function with a number of arguments
// it does not take, which text/template would find only when rendering.
// An identifier in an argument's place is a call without arguments.
func (c *checker) argCount(fn *parse.IdentifierNode, given int) {
	a, ok := funcArities[fn.Ident]
	if !ok || a.takes(given) {
		return
	}
	c.addf(fn.Pos, "wrong number of arguments for %q: %s, given %d", fn.Ident, a, given)
}

func (c *checker) arg(n parse.Node, sc scope) {
	switch n := n.(type) {
	case *parse.IdentifierNode:
		if !knownFuncs[n.Ident] {
			c.addf(n.Pos, "unknown function %q%s", n.Ident, suggest(n.Ident, knownFuncNames()))
		}
	case *parse.FieldNode:
		start := chainStart(c.src, n.Pos, n.Ident, ".")
		c.fields(start, "."+strings.Join(n.Ident, "."), n.Ident, sc.dotRoot)
	case *parse.VariableNode:
		start := chainStart(c.src, n.Pos, n.Ident[1:], n.Ident[0])
		display := strings.Join(n.Ident, ".")
		if strings.HasPrefix(n.Ident[0], "$__") {
			c.addf(start, "variable %s: names starting with \"__\" are reserved", n.Ident[0])
		}
		c.fields(start, display, n.Ident[1:], n.Ident[0] == "$" && sc.dollarRoot)
	case *parse.ChainNode:
		c.arg(n.Node, sc)
		c.fields(n.Pos, n.String(), n.Field, false)
	case *parse.PipeNode:
		c.pipe(n, sc)
	}
}

// chainStart finds where a field chain starts in the source. The parser
// positions a chain like ".a.b" or "$x.a" at its second element.
func chainStart(src string, pos parse.Pos, fields []string, head string) parse.Pos {
	if len(fields) < 2 && head == "." {
		return pos
	}
	back := len(head)
	if head == "." {
		back = 1 + len(fields[0])
	} else if len(fields) == 0 {
		return pos
	}
	start := int(pos) - back
	if start < 0 || start >= len(src) || (src[start] != '.' && src[start] != '$') {
		return pos
	}
	return parse.Pos(start)
}

// fields checks a chain of field names; when rooted, fields[0] is a data
// root and the chain must exist in the documented data model.
func (c *checker) fields(pos parse.Pos, display string, fields []string, rooted bool) {
	for _, f := range fields {
		if strings.HasPrefix(f, "__") {
			c.addf(pos, "placeholder %q: names starting with \"__\" are reserved", display)
			return
		}
	}
	if !rooted || len(fields) == 0 {
		return
	}
	known, ok := model.DataRoots[fields[0]]
	if !ok {
		roots := slices.Sorted(maps.Keys(model.DataRoots))
		c.addf(pos, "unknown placeholder %q: the data model has %s%s",
			display, strings.Join(roots, ", "), suggest(fields[0], roots))
		return
	}
	if known != nil && len(fields) > 1 && !slices.Contains(known, fields[1]) {
		sorted := slices.Sorted(slices.Values(known))
		c.addf(pos, "unknown placeholder %q: %s has %s%s",
			display, fields[0], strings.Join(sorted, ", "), suggest(fields[1], sorted))
	}
}

// suggest returns `; did you mean "x"?` for the closest candidate, when it
// is close: one edit per three characters, at least one.
func suggest(name string, candidates []string) string {
	best, bestDist := "", max(1, len(name)/3)+1
	for _, cand := range candidates {
		if d := editDistance(name, cand); d < bestDist {
			best, bestDist = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance between short names.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
