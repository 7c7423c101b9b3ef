package condition

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/timeutil"
)

// Helper function names.
const (
	fnDaysUntil  = "days_until"
	fnDaysSince  = "days_since"
	fnHoursSince = "hours_since"
	fnHoursUntil = "hours_until"
	fnIsBirthday = "is_birthday"
	fnAge        = "age"
	fnDate       = "date"
)

// maxDaysBefore bounds is_birthday's lead time; larger values never match a
// birthday within the next year anyway and would only risk overflow.
const maxDaysBefore = 1000

// The helpers depend on the evaluation's clock and time zone, which CEL
// functions bound at environment build time cannot see. They are therefore
// declared with late bindings: each evaluation supplies implementations that
// close over its clock (see clock.functions).
func helperDecls() []cel.EnvOption {
	late := cel.LateFunctionBinding()
	dyn := []*cel.Type{cel.DynType}
	return []cel.EnvOption{
		cel.Function(fnDaysUntil, cel.Overload("days_until_dyn", dyn, cel.IntType, late)),
		cel.Function(fnDaysSince, cel.Overload("days_since_dyn", dyn, cel.IntType, late)),
		cel.Function(fnHoursSince, cel.Overload("hours_since_dyn", dyn, cel.IntType, late)),
		cel.Function(fnHoursUntil, cel.Overload("hours_until_dyn", dyn, cel.IntType, late)),
		cel.Function(fnAge, cel.Overload("age_dyn", dyn, cel.IntType, late)),
		cel.Function(fnDate, cel.Overload("date_dyn", dyn, cel.TimestampType, late)),
		cel.Function(fnIsBirthday,
			cel.Overload("is_birthday_dyn_int", []*cel.Type{cel.DynType, cel.IntType}, cel.BoolType, late),
			cel.Overload("is_birthday_dyn_int_string",
				[]*cel.Type{cel.DynType, cel.IntType, cel.StringType}, cel.BoolType, late),
		),
	}
}

// helperNames lists the helpers; an evaluation binds those its program uses.
var helperNames = []string{fnDaysUntil, fnDaysSince, fnHoursSince, fnHoursUntil, fnIsBirthday, fnAge, fnDate}

func isHelper(name string) bool {
	for _, h := range helperNames {
		if h == name {
			return true
		}
	}
	return false
}

// clock is what the helpers of one evaluation see: the current instant, the
// calendar day it falls on in loc, and the leap-day policy.
type clock struct {
	now    time.Time
	today  timeutil.Date
	loc    *time.Location
	known  bool
	policy timeutil.LeapDayPolicy
}

// newClock derives the evaluation's clock from vars. The zone is loc, or
// else the zone of vars["today"] (the workspace zone, as model.NewData sets
// it). Today is the day of vars["now"] in that zone; without now, the day
// vars["today"] names.
func newClock(vars map[string]any, loc *time.Location, policy timeutil.LeapDayPolicy) *clock {
	now, hasNow := asTime(vars[model.RootNow])
	today, hasToday := asTime(vars[model.RootToday])
	if loc == nil {
		switch {
		case hasToday:
			loc = today.Location()
		case hasNow:
			loc = now.Location()
		default:
			loc = time.UTC
		}
	}
	c := &clock{loc: loc, policy: policy, known: hasNow || hasToday}
	switch {
	case hasNow:
		c.now = now.In(loc)
		c.today = timeutil.DateOf(now, loc)
	case hasToday:
		c.today = timeutil.DateOf(today, today.Location())
		c.now = c.today.Time(loc)
	}
	return c
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t != nil {
			return *t, !t.IsZero()
		}
	}
	return time.Time{}, false
}

// functions returns the implementations of the named helpers.
func (c *clock) functions(names []string) map[string]cel.LateBoundFunction {
	fns := make(map[string]cel.LateBoundFunction, len(names))
	for _, n := range names {
		fns[n] = c.lateBound(n)
	}
	return fns
}

func (c *clock) lateBound(name string) cel.LateBoundFunction {
	return func(_ string, args ...ref.Val) ref.Val { return c.call(name, args) }
}

// call runs helper name. Arguments have passed CEL's type guard, so the
// count and the types of days_before and policy are as declared.
func (c *clock) call(name string, args []ref.Val) ref.Val {
	if !c.known {
		return types.NewErr("%s needs the current date, which is not available here", name)
	}
	if len(args) == 0 {
		return types.NewErr("%s: missing argument", name)
	}
	switch name {
	case fnHoursSince, fnHoursUntil, fnDate:
		t, err := parseArg(args[0], c.loc)
		if err != nil {
			return types.NewErr("%s: %v", name, err)
		}
		switch name {
		case fnHoursSince:
			return types.Int(c.now.Sub(t) / time.Hour)
		case fnHoursUntil:
			return types.Int(t.Sub(c.now) / time.Hour)
		}
		if y := t.Year(); y < 1 || y > 9999 {
			return types.NewErr("%s: %s is out of range", name, t.Format(time.RFC3339))
		}
		return types.Timestamp{Time: t}
	}
	d, err := dateArg(args[0], c.loc)
	if err != nil {
		return types.NewErr("%s: %v", name, err)
	}
	switch name {
	case fnDaysUntil:
		return types.Int(timeutil.DaysBetween(c.today, d))
	case fnDaysSince:
		return types.Int(timeutil.DaysBetween(d, c.today))
	case fnAge:
		return types.Int(timeutil.Age(d, c.today))
	case fnIsBirthday:
		return c.isBirthday(d, args[1:])
	}
	return types.NewErr("unknown function %s", name)
}

func (c *clock) isBirthday(birth timeutil.Date, args []ref.Val) ref.Val {
	if len(args) == 0 {
		return types.NewErr("is_birthday: missing days_before")
	}
	n, ok := args[0].(types.Int)
	if !ok {
		return types.NewErr("is_birthday: days_before must be a whole number, got %s", args[0].Type().TypeName())
	}
	policy := c.policy
	if len(args) > 1 {
		s, _ := args[1].(types.String)
		policy = timeutil.LeapDayPolicy(s)
		if !policy.Valid() {
			return types.NewErr("is_birthday: unknown leap-day policy %q (use 'feb28' or 'mar1')", string(s))
		}
	}
	if n < 0 || n > maxDaysBefore {
		return types.False
	}
	return types.Bool(timeutil.IsBirthday(birth, c.today, int(n), policy))
}

// errEmptyDate explains timeutil.ErrNoValue to an administrator.
var errEmptyDate = errors.New("the value is empty, not a date")

// parseArg interprets a CEL value as an instant with timeutil.Parse; a date
// without a time is midnight of that day in loc.
func parseArg(v ref.Val, loc *time.Location) (time.Time, error) {
	native, err := nativeDate(v)
	if err != nil {
		return time.Time{}, err
	}
	t, _, err := timeutil.Parse(native, loc)
	if errors.Is(err, timeutil.ErrNoValue) {
		err = errEmptyDate
	}
	return t, err
}

// dateArg interprets a CEL value as a calendar day with timeutil.ParseDate.
func dateArg(v ref.Val, loc *time.Location) (timeutil.Date, error) {
	native, err := nativeDate(v)
	if err != nil {
		return timeutil.Date{}, err
	}
	d, err := timeutil.ParseDate(native, loc)
	if errors.Is(err, timeutil.ErrNoValue) {
		err = errEmptyDate
	}
	return d, err
}

func nativeDate(v ref.Val) (any, error) {
	switch x := v.(type) {
	case types.String:
		return string(x), nil
	case types.Timestamp:
		return x.Time, nil
	case types.Int:
		return int64(x), nil
	case types.Uint:
		return uint64(x), nil
	case types.Double:
		return float64(x), nil
	case types.Null:
		return nil, nil
	}
	return nil, fmt.Errorf("a value of type %s is not a date", v.Type().TypeName())
}

// nativeToVal turns a value from the data model into a CEL value for an
// explain-time helper call.
func nativeToVal(v any) ref.Val {
	if n, ok := v.(json.Number); ok {
		v = normalizeNumber(n)
	}
	return types.DefaultTypeAdapter.NativeToValue(v)
}

// helperArgsValidator rejects literal helper arguments that can never work,
// at save time rather than on every evaluation.
type helperArgsValidator struct{}

// Name implements cel.ASTValidator.
func (helperArgsValidator) Name() string { return "herold.helper_args" }

// Validate implements cel.ASTValidator.
func (helperArgsValidator) Validate(_ *cel.Env, _ cel.ValidatorConfig, a *ast.AST, iss *cel.Issues) {
	calls := ast.MatchDescendants(ast.NavigateAST(a), ast.FunctionMatcher(fnIsBirthday))
	for _, call := range calls {
		args := call.AsCall().Args()
		if len(args) >= 2 && args[1].Kind() == ast.LiteralKind {
			if n, ok := args[1].AsLiteral().(types.Int); ok && n < 0 {
				iss.ReportErrorAtID(args[1].ID(), "days_before must not be negative")
			}
		}
		if len(args) == 3 && args[2].Kind() == ast.LiteralKind {
			s, _ := args[2].AsLiteral().(types.String)
			if p := timeutil.LeapDayPolicy(s); !p.Valid() {
				iss.ReportErrorAtID(args[2].ID(), "unknown leap-day policy %q: use 'feb28' or 'mar1'", string(s))
			}
		}
	}
}
