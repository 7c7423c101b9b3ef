package condition

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/herold-dev/herold/internal/model"
)

// Errors an evaluation can end with besides a data error; test with
// errors.Is.
var (
	// ErrCostLimit is returned when an evaluation used up its cost budget.
	ErrCostLimit = errors.New("condition exceeded its cost limit")
	// ErrTimeout is returned when an evaluation ran out of time.
	ErrTimeout = errors.New("condition took too long to evaluate")
	// ErrBudget is the error of a condition that was not evaluated because
	// the conditions evaluated before it, for the same event, used up the
	// event's budget (see OverBudget).
	ErrBudget = errors.New("condition not evaluated: this event's conditions used up their budget")
)

// OverBudget is the error a caller records for a condition it did not
// evaluate because earlier evaluations cost budget units in all (see
// Result.Cost); explain reads it back as the failure over_budget.
func OverBudget(budget uint64) error {
	return fmt.Errorf("%w of %d cost units", ErrBudget, budget)
}

// Program is a compiled condition. It is immutable and safe for concurrent
// use.
type Program struct {
	env *Env
	src string
	prg cel.Program

	// From the checked AST (see analyse): the map roots the expression
	// reads, the helpers it calls, and what explain reports.
	roots   []string
	helpers []string
	chains  []*chain
	calls   []*helperCall
	sites   map[int64]*callSite
	// birthday is the term that lets a scan leave records out (see
	// DateSkip), or nil.
	birthday *birthdayTerm
}

// Roots returns the map roots of the data model the expression reads
// (contact, object, data, …), so a caller can check them against the data
// it will supply; now and today are not among them.
func (p *Program) Roots() []string { return slices.Clone(p.roots) }

// Source returns the expression the program was compiled from.
func (p *Program) Source() string { return p.src }

// Result is the outcome of one evaluation.
type Result struct {
	// Match is the condition's value.
	Match bool `json:"match"`
	// Values holds the data the expression referenced, keyed by source
	// text ("object.status", "days_until(object.expires_on)"), as JSON
	// values: timestamps as RFC 3339 strings, absent fields as nil, long
	// strings and lists cut. At most 20 entries; data fields come before
	// helper results.
	Values map[string]any `json:"values,omitempty"`
	// Cost is what the evaluation is charged in cost units (see
	// WithCostLimit): its actual cost, which depends only on the
	// expression and the data, also when it ended with an error. One
	// stopped by its time limit or its context is charged the cost limit,
	// as its actual cost then depends on the clock; one not started (the
	// context was done already) costs nothing.
	Cost uint64 `json:"-"`
}

// Eval evaluates the condition against vars, the data model as
// model.NewData builds it, in the time zone loc (the workspace's or the
// recipient's; nil: the zone of vars["today"]). The helpers and the
// variables now and today use the instant vars["now"] and its calendar day
// in loc.
//
// Errors are a non-bool result, a data error (a missing field, a value that
// is not a date, mismatched types), ErrCostLimit, ErrTimeout, or ctx's
// error. Result.Values is filled even then, as far as the data goes.
func (p *Program) Eval(ctx context.Context, vars map[string]any, loc *time.Location) (Result, error) {
	return p.eval(ctx, vars, loc, true)
}

// Matcher decides the program for many records at one instant, as a
// schedule's scan does: the clock, the helpers and the activation are made
// once, from the vars and zone given here, and each Match only takes the
// roots the program reads from its vars. Those vars must hold the same now
// and today as these. A Matcher belongs to one goroutine.
func (p *Program) Matcher(vars map[string]any, loc *time.Location) (*Matcher, error) {
	clk := newClock(vars, loc, p.env.cfg.leapDay)
	act := make(map[string]any, len(p.roots)+2)
	p.setRoots(act, vars, clk)
	in, err := cel.FunctionVars(act, clk.functions(p.helpers))
	if err != nil {
		return nil, fmt.Errorf("prepare condition: %w", err)
	}
	return &Matcher{p: p, clk: clk, act: act, in: in}, nil
}

// Matcher evaluates one program repeatedly; see Program.Matcher.
type Matcher struct {
	p   *Program
	clk *clock
	act map[string]any // the activation's variables, updated in place
	in  cel.Activation
}

// Match is Eval without Result.Values, for callers that only need the
// decision (a schedule scanning a million records).
func (m *Matcher) Match(ctx context.Context, vars map[string]any) (bool, error) {
	m.p.setRoots(m.act, vars, m.clk)
	res, err := m.eval(ctx, false)
	return res.Match, err
}

func (p *Program) eval(ctx context.Context, vars map[string]any, loc *time.Location, explain bool) (Result, error) {
	m, err := p.Matcher(vars, loc)
	if err != nil {
		return Result{}, err
	}
	return m.eval(ctx, explain)
}

func (m *Matcher) eval(ctx context.Context, explain bool) (Result, error) {
	p := m.p
	if err := ctx.Err(); err != nil {
		// A request whose client is gone: a call such as matches() on a
		// long text does not look at the context until it returns.
		return Result{}, fmt.Errorf("evaluate condition: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, p.env.cfg.timeout, ErrTimeout)
	defer cancel()
	out, det, evalErr := p.prg.ContextEval(ctx, m.in)
	res := Result{Cost: p.env.cfg.costLimit}
	if c := det.ActualCost(); c != nil && (evalErr == nil || ctx.Err() == nil) {
		res.Cost = *c
	}
	if explain {
		res.Values = p.explain(m.act, m.clk)
	}
	if evalErr != nil {
		return res, p.evalError(evalErr, m.act)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return res, fmt.Errorf("condition must be true or false, got %s", typeName(out.Value()))
	}
	res.Match = bool(b)
	return res, nil
}

// setRoots puts the roots the program reads from vars into act, normalized
// (removing those vars lacks), and the clock's now and today.
func (p *Program) setRoots(act, vars map[string]any, clk *clock) {
	for _, r := range p.roots {
		if v, ok := vars[r]; ok && v != nil {
			act[r], _ = normalize(v, 0)
		} else {
			delete(act, r)
		}
	}
	if clk.known {
		act[model.RootNow] = clk.now
		act[model.RootToday] = clk.today.Time(clk.loc)
	}
}

// normalize makes numbers uniform, whatever decoded the JSON: whole numbers
// become int64 (CEL int), others float64 (CEL double). It copies a map or
// list only when something in it changes, and reports whether it did.
func normalize(v any, depth int) (any, bool) {
	if depth > maxDepth {
		return v, false
	}
	switch x := v.(type) {
	case float64:
		return normalizeFloat(x)
	case float32:
		return normalizeFloat(float64(x))
	case json.Number:
		return normalizeNumber(x), true
	case map[string]any:
		var out map[string]any
		for k, val := range x {
			nv, changed := normalize(val, depth+1)
			if changed && out == nil {
				out = maps.Clone(x)
			}
			if changed {
				out[k] = nv
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, val := range x {
			nv, changed := normalize(val, depth+1)
			if changed && out == nil {
				out = append([]any(nil), x...)
			}
			if changed {
				out[i] = nv
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// maxSafeInt is the largest integer a float64 holds exactly.
const maxSafeInt = 1 << 53

func normalizeFloat(f float64) (any, bool) {
	if f == math.Trunc(f) && math.Abs(f) <= maxSafeInt {
		return int64(f), true
	}
	return f, false
}

func normalizeNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	if f, err := n.Float64(); err == nil {
		v, _ := normalizeFloat(f)
		return v
	}
	return n.String()
}
