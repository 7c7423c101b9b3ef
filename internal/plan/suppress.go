package plan

import (
	"maps"
	"net/mail"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// listed returns the reason and trace parameters when the workspace's
// suppression list (Input.Suppressions) holds an active entry for r's
// address. The list applies to every category, transactional included:
// an address that bounced for good or complained is not mailed at all.
func (p *planner) listed(r Recipient) (model.SuppressReason, map[string]string) {
	s := p.in.Suppressions[model.SuppressionKey(r.Address.Email)]
	if s == nil || !s.ActiveAt(p.in.Now) {
		return "", nil
	}
	params := map[string]string{"kind": string(s.Kind), "since": s.CreatedAt.UTC().Format(time.RFC3339),
		"evidence": s.Evidence}
	return s.Kind.Reason(), params
}

// SuppressionEmails lists the addresses whose suppression-list entries a
// decision may need: those of the contacts and the literal addresses of
// the flow's notifications. The caller loads their entries into
// Input.Suppressions.
func SuppressionEmails(contacts map[string]*model.Contact, flow *model.Flow) []string {
	seen := map[string]bool{}
	var out []string
	add := func(e string) {
		if k := model.SuppressionKey(e); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, c := range contacts {
		add(c.Email)
	}
	if flow != nil {
		for _, n := range flow.Notifications {
			for _, list := range [][]model.Recipient{n.Recipients, n.CC, n.BCC} {
				for _, spec := range list {
					if kind, v, err := spec.Parse(); err == nil && kind == model.RecipientEmail {
						add(emailOf(v))
					}
				}
			}
		}
	}
	return out
}

// emailOf is the address in a literal recipient ("Name <a@b>" or "a@b").
func emailOf(v string) string {
	a, err := mail.ParseAddress(v)
	if err != nil {
		return ""
	}
	return a.Address
}

// withParams adds extra to params.
func withParams(params, extra map[string]string) map[string]string {
	maps.Copy(params, extra)
	return params
}
