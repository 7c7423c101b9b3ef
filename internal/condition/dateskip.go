package condition

import (
	"slices"
	"time"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/herold-dev/herold/internal/timeutil"
)

// DateSkip names the records a scan over many of them (a schedule's) can
// leave to the database: those whose field Field is a string of four ASCII
// digits, "-" and a month and day in MonthDays ("03-14"). The condition is
// false for each of them, without an error, so a scan that leaves them
// out decides the others exactly as if it had evaluated all.
type DateSkip struct {
	Field     string
	MonthDays []string
}

// birthdayTerm is is_birthday(root.field, days_before[, policy]) with
// literal arguments, when it decides the whole condition wherever it is
// false (see findBirthdayTerm).
type birthdayTerm struct {
	root, field string
	args        []ref.Val // days_before and the policy if given
}

// findBirthdayTerm returns the birthday term of a condition that is a
// conjunction (a && b && …) with one, or nil. CEL evaluates the terms of
// && in order and stops at the first false, whatever the terms before it
// gave (errors included), so the whole condition is then false. Only has()
// tests may come before the term: they cost a constant and cannot run
// into the cost limit or the timeout, which would end the evaluation with
// an error before the term is reached.
func findBirthdayTerm(e ast.Expr) *birthdayTerm {
	for _, t := range conjuncts(e, nil) {
		if t.Kind() == ast.SelectKind && t.AsSelect().IsTestOnly() {
			continue
		}
		return birthdayCall(t)
	}
	return nil
}

// conjuncts appends the terms of e, a tree of && or a single term, in
// evaluation order.
func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.LogicalAnd {
		for _, arg := range e.AsCall().Args() {
			out = conjuncts(arg, out)
		}
		return out
	}
	return append(out, e)
}

// birthdayCall returns e as a birthday term: is_birthday on a field
// selected by name from a data root (contact.birthday), with literal
// days_before and policy.
func birthdayCall(e ast.Expr) *birthdayTerm {
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	if call.FunctionName() != fnIsBirthday || call.IsMemberFunction() || len(args) < 2 {
		return nil
	}
	if args[0].Kind() != ast.SelectKind {
		return nil
	}
	sel := args[0].AsSelect()
	if sel.IsTestOnly() || sel.Operand().Kind() != ast.IdentKind || !slices.Contains(mapRoots, sel.Operand().AsIdent()) {
		return nil
	}
	t := &birthdayTerm{root: sel.Operand().AsIdent(), field: sel.FieldName()}
	for _, arg := range args[1:] {
		if arg.Kind() != ast.LiteralKind {
			return nil
		}
		t.args = append(t.args, arg.AsLiteral())
	}
	return t
}

// DateSkip returns the records of root a scan at the instant vars["now"]
// in loc (the vars and zone of Matcher) may leave out, or false when the
// condition does not say (it has no birthday term on a field of root).
func (p *Program) DateSkip(root string, vars map[string]any, loc *time.Location) (DateSkip, bool) {
	t := p.birthday
	if t == nil || t.root != root {
		return DateSkip{}, false
	}
	clk := newClock(vars, loc, p.env.cfg.leapDay)
	if !clk.known {
		return DateSkip{}, false
	}
	skip := DateSkip{Field: t.field}
	// is_birthday depends on the month and day of birth, not the year,
	// except for 29 February, the one day not in every year: a date with
	// it may not exist (an error) and is never left out. So the days of
	// one common year stand for every year.
	for d := (timeutil.Date{Year: 2001, Month: time.January, Day: 1}); d.Year == 2001; d = d.AddDays(1) {
		switch clk.isBirthday(d, t.args) {
		case types.False:
			skip.MonthDays = append(skip.MonthDays, d.String()[5:])
		case types.True:
		default: // an error (an unknown policy): every record has it
			return DateSkip{}, false
		}
	}
	return skip, true
}
