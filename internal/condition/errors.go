package condition

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"
)

// evalError turns an evaluation error into words an administrator
// understands.
func (p *Program) evalError(err error, act map[string]any) error {
	var cancelled interpreter.EvalCancelledError
	switch {
	case errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded:
		return fmt.Errorf("%w (%d units)", ErrCostLimit, p.env.cfg.costLimit)
	case errors.Is(err, ErrTimeout):
		return fmt.Errorf("%w (more than %v)", ErrTimeout, p.env.cfg.timeout)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("evaluate condition: %w", err)
	}
	var celErr *types.Err
	if !errors.As(err, &celErr) {
		return err
	}
	if msg, ok := p.describeMissing(celErr, act); ok {
		return errors.New(msg)
	}
	if msg, ok := p.describeOverload(celErr, act); ok {
		return errors.New(msg)
	}
	return err
}

// describeMissing names the field an attribute error is about.
func (p *Program) describeMissing(e *types.Err, act map[string]any) (string, bool) {
	msg := e.Error()
	key, isKey := strings.CutPrefix(msg, "no such key: ")
	if !isKey && !strings.HasPrefix(msg, "no such attribute") && !strings.HasPrefix(msg, "index out of bounds") {
		return "", false
	}
	// The chain the error is labelled with, else the first one the data
	// lacks a part of.
	for _, pass := range []func(*chain) bool{
		func(c *chain) bool { return c.id == e.NodeID() },
		func(c *chain) bool { return !isKey || c.hasKey(key) },
	} {
		for _, c := range p.chains {
			if !pass(c) {
				continue
			}
			if m, ok := c.missing(act); ok {
				return m, true
			}
		}
	}
	return "", false
}

// describeOverload says which operation got values of the wrong types:
// "cannot apply '>' to object.status (string) and 3 (int)".
func (p *Program) describeOverload(e *types.Err, act map[string]any) (string, bool) {
	if !strings.HasPrefix(e.Error(), "no such overload") {
		return "", false
	}
	site, ok := p.sites[e.NodeID()]
	if !ok {
		return "", false
	}
	name := site.name
	if op, ok := operators.FindReverse(name); ok && op != "" {
		name = op
	}
	parts := make([]string, len(site.args))
	for i, a := range site.args {
		switch r := a.(type) {
		case *chain:
			v, found, _ := r.lookup(act)
			if !found {
				parts[i] = r.text
				continue
			}
			parts[i] = fmt.Sprintf("%s (%s)", r.text, typeName(v))
		case nil:
			parts[i] = "a value"
		default:
			parts[i] = fmt.Sprintf("%s (%s)", refText(r), typeName(r))
		}
	}
	list := strings.Join(parts, ", ")
	if n := len(parts); n > 1 {
		list = strings.Join(parts[:n-1], ", ") + " and " + parts[n-1]
	}
	return fmt.Sprintf("cannot apply '%s' to %s", name, list), true
}

// typeName names the CEL type of a data value or literal.
func typeName(v any) string {
	switch v.(type) {
	case time.Time, types.Timestamp:
		return "timestamp"
	case time.Duration, types.Duration:
		return "duration"
	}
	t := nativeToVal(v).Type().TypeName()
	if t == "google.protobuf.Timestamp" {
		return "timestamp"
	}
	return t
}
