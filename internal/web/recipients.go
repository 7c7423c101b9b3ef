package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// Bounds of the recipient choices, so a large workspace costs a bounded
// page: the browser's list filters as one types (contacts beyond the
// bound are still reachable as free text, contact:ID).
const (
	maxChoiceContacts = 500
	maxChoiceEvents   = 200
)

// recipientChoice is one entry of the recipient list: the stored form
// (Value) and what a person reads (Label).
type recipientChoice struct {
	Value string
	Label string
}

// recipientText reads one recipient line as typed: a bare e-mail address
// ("anna@example.org", "Anna <anna@example.org>") is a literal address,
// email:ADDRESS; everything else stays as it is for the service to check.
func recipientText(s string) string {
	s = strings.TrimSpace(s)
	if _, _, err := model.Recipient(s).Parse(); err == nil {
		return s
	}
	if _, err := model.ParseAddress(s); err == nil {
		return string(model.RecipientEmail) + ":" + s
	}
	return s
}

// recipientChoices lists what a notification's recipients can be chosen
// from: the roles seen in projects, flows and recent events, the
// subscribers (watchers) of the event's object, literal addresses the
// flows use, and contacts (name and address).
func (h *Handler) recipientChoices(r *http.Request, l *localizer, ws *model.Workspace) ([]recipientChoice, error) {
	ctx := r.Context()
	use, err := h.keysInUse(r, ws)
	if err != nil {
		return nil, err
	}
	roles, addrs := use[model.VocabRoles], use[kindAddresses]
	events, err := h.svc.EventList(ctx, ws, service.EventFilter{PageParams: service.PageParams{Limit: maxChoiceEvents}})
	if err != nil {
		return nil, err
	}
	for _, e := range events.Items {
		for role := range e.Actors {
			roles[role] = true
		}
	}
	var out []recipientChoice
	for _, role := range sortedSet(roles) {
		out = append(out, recipientChoice{Value: "role:" + role, Label: l.T("web.recipient.role", "role", l.TermText(model.VocabRoles, role))})
	}
	out = append(out, recipientChoice{Value: string(model.RecipientSubscribers), Label: l.T("web.recipient.subscribers")})
	for _, a := range sortedSet(addrs) {
		out = append(out, recipientChoice{Value: "email:" + a, Label: l.T("web.recipient.address", "address", a)})
	}
	contacts, err := h.svc.ContactList(ctx, ws, service.PageParams{Limit: maxChoiceContacts})
	if err != nil {
		return nil, err
	}
	cs := contacts.Items
	sort.SliceStable(cs, func(i, j int) bool { return strings.ToLower(cs[i].Name) < strings.ToLower(cs[j].Name) })
	for _, c := range cs {
		label := c.Name
		if c.Email != "" {
			label = strings.TrimSpace(label + " <" + c.Email + ">")
		}
		out = append(out, recipientChoice{Value: "contact:" + c.ID, Label: l.T("web.recipient.contact", "name", label)})
	}
	return out, nil
}

// addRecipient appends the entry picked in a list's "add" field to the
// list, one per line.
func addRecipient(list, pick string) string {
	pick = strings.TrimSpace(pick)
	if pick == "" || strings.ContainsAny(pick, "\r\n") {
		return list
	}
	list = strings.TrimRight(list, "\r\n ")
	if list == "" {
		return pick
	}
	return list + "\n" + pick
}

// recipientErrors replaces the service's English detail of a wrong
// recipient line with a sentence in the page's language that names the
// entry and what it may be; other errors pass unchanged.
func recipientErrors(l *localizer, err error, n *model.Notification) error {
	var verr *service.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	lists := map[string][]model.Recipient{"recipients": n.Recipients, "cc": n.CC, "bcc": n.BCC}
	out := &service.ValidationError{Fields: make([]service.FieldError, len(verr.Fields))}
	for i, f := range verr.Fields {
		out.Fields[i] = f
		m := indexed.FindStringSubmatch(f.Field)
		if m == nil || (f.Code != service.CodeInvalid && f.Code != service.CodeInvalidEmail) {
			continue
		}
		idx, _ := strconv.Atoi(m[2])
		list, ok := lists[m[1]]
		switch {
		case !ok || idx >= len(list):
		case f.Code == service.CodeInvalidEmail:
			_, addr, _ := strings.Cut(string(list[idx]), ":")
			out.Fields[i].Detail = l.T("web.recipient.invalid_email", "address", strings.TrimSpace(addr))
		default:
			out.Fields[i].Detail = l.T("web.recipient.invalid", "entry", string(list[idx]))
		}
	}
	return out
}

// reportChoices lists whom a schedule's report can go to: the contacts
// and addresses of the recipient choices (a report has no event whose
// roles or watchers could name someone).
func reportChoices(h *Handler, r *http.Request, l *localizer, ws *model.Workspace) ([]recipientChoice, error) {
	all, err := h.recipientChoices(r, l, ws)
	out := all[:0]
	for _, c := range all {
		if strings.HasPrefix(c.Value, string(model.RecipientContact)+":") || strings.HasPrefix(c.Value, string(model.RecipientEmail)+":") {
			out = append(out, c)
		}
	}
	return out, err
}
