package condition

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var fuzzEnv = func() *Env {
	env, err := New(WithTimeout(50 * time.Millisecond))
	if err != nil {
		panic(err)
	}
	return env
}()

// FuzzCompileEval compiles arbitrary text and evaluates what compiles
// against fixed sample data: it must never panic, run long, or report
// values that are not JSON.
func FuzzCompileEval(f *testing.F) {
	for _, seed := range []string{
		"object.status == 'open'",
		"days_until(object.expires_on) <= object.lead_days",
		"hours_since(object.due_at) > 24 && !(object.status in ['done','closed'])",
		"is_birthday(contact.birthday, 0, 'mar1') || age(contact.birthday) > 18",
		"has(contact.birthday) && date(contact.birthday) < today",
		"object.levels.exists(object, object > 2)",
		"object.contacts['owner'][0] == contact.id",
		"[1,2,3].all(x, [1,2,3].all(y, x < y || x >= y))",
		"days_until(1e300) > 0",
		"is_birthday(-9223372036854775808, 9223372036854775807)",
		"date(253402300800) > now",
		"hours_until(timestamp('0001-01-01T00:00:00Z')) < 0",
		"object.fee * 1e308 * 10.0 > 0.0",
		"foo(",
		"object.x.y.z == null",
		"data.amount / 0 > 1",
	} {
		f.Add(seed)
	}
	data := sample(f, march1, true)
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := fuzzEnv.Compile(expr)
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || len(ce.Issues) == 0 {
				t.Fatalf("compile %q: want *CompileError with issues, got %T %v", expr, err, err)
			}
			for _, is := range ce.Issues {
				if is.Line < 1 || is.Column < 1 {
					t.Fatalf("compile %q: issue %v has no position", expr, is)
				}
			}
			return
		}
		start := time.Now()
		res, err := p.Eval(context.Background(), data, berlin)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("eval %q took %v", expr, d)
		}
		if err != nil && res.Match {
			t.Fatalf("eval %q: match with error %v", expr, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("eval %q: CEL recovered a panic: %v", expr, err)
		}
		if _, err := json.Marshal(res.Values); err != nil {
			t.Fatalf("eval %q: values %v are not JSON: %v", expr, res.Values, err)
		}
	})
}
