package condition

import (
	"context"
	"testing"
)

func BenchmarkEval(b *testing.B) {
	env := setup(b)
	data := sample(b, march1, true)
	for _, bc := range []struct{ name, expr string }{
		{"field", "object.status == 'open'"},
		{"list", "contact.membership_status in ['cancelled', 'paused'] && 'birthday' in contact.consents"},
		{"helper", "days_until(object.expires_on) <= object.lead_days"},
		{"overdue", "hours_since(object.due_at) > 24 && !(object.status in ['done', 'closed'])"},
	} {
		p, err := env.Compile(bc.expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Eval(context.Background(), data, berlin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	env := setup(b)
	for b.Loop() {
		if _, err := env.Compile("hours_since(object.due_at) > 24 && !(object.status in ['done', 'closed'])"); err != nil {
			b.Fatal(err)
		}
	}
}
