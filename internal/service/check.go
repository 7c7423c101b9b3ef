package service

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

// checker collects field errors so that one response names every problem.
type checker struct {
	errs []FieldError
}

func (c *checker) add(field, code, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Code: code, Detail: fmt.Sprintf(format, args...)})
}

func (c *checker) addAt(field, code, detail string, line, col int) {
	c.errs = append(c.errs, FieldError{Field: field, Code: code, Detail: detail, Line: line, Column: col})
}

func (c *checker) ok() bool { return len(c.errs) == 0 }

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.errs}
}

// name checks a key, role, event type or category.
func (c *checker) name(field, v string) {
	switch {
	case v == "":
		c.add(field, CodeRequired, "is required")
	case !model.ValidName(v):
		c.add(field, CodeInvalid, "%q is not a valid name: %s", v, model.NameRule())
	}
}

// id checks an external id (contact, object).
func (c *checker) id(field, v string) {
	switch {
	case v == "":
		c.add(field, CodeRequired, "is required")
	case !model.ValidID(v):
		c.add(field, CodeInvalid, "%q is not a valid id: %s", v, model.IDRule())
	}
}

// text checks a single-line text such as a name.
func (c *checker) text(field, v string, max int) {
	switch {
	case model.HasCRLF(v):
		c.add(field, CodeLineBreak, "must not contain line breaks")
	case len(v) > max:
		c.add(field, CodeTooLong, "is longer than %d bytes", max)
	}
}

// longText checks a text that may span lines, such as a description.
func (c *checker) longText(field, v string, max int) {
	if len(v) > max {
		c.add(field, CodeTooLong, "is longer than %d bytes", max)
	}
}

// sender checks a sender identity against the senders the operator
// allows ws.
func (c *checker) sender(field string, s model.Sender, ws *model.Workspace) {
	c.senderAddress(field+".from", "From", s.From, ws)
	c.senderAddress(field+".reply_to", "Reply-To", s.ReplyTo, ws)
}

// senderAddress checks one optional sender field: a literal address that
// ws may send as, or a one-line template (a per-ticket reply address) whose
// domain is written out and allowed; the rendered address is checked
// again when each message is made.
func (c *checker) senderAddress(field, header, v string, ws *model.Workspace) {
	if v == "" {
		return
	}
	if !render.HasPlaceholders(v) {
		a, err := model.ParseAddress(v)
		switch {
		case model.HasCRLF(v):
			c.add(field, CodeLineBreak, "must not contain line breaks")
		case err != nil:
			c.add(field, CodeInvalidEmail, "%v", err)
		default:
			if err := ws.SenderRefusal(header, a.Address); err != nil {
				c.add(field, CodeSenderNotAllowed, "%v", err)
			}
		}
		return
	}
	if _, err := render.CompileHeader(field, v); err != nil {
		var rerr *render.Error
		if !errors.As(err, &rerr) {
			c.add(field, CodeTemplateSyntax, "%v", err)
			return
		}
		for _, p := range rerr.Problems {
			c.addAt(field, CodeTemplateSyntax, p.Message, p.Line, p.Column)
		}
		return
	}
	domain, ok := literalDomain(v)
	switch {
	case !ok && !ws.AnySenderAllowed():
		c.add(field, CodeSenderNotAllowed, "write the domain out after the @ (placeholders only before it), so that it can be checked against the senders allowed for workspace %q: %s",
			ws.Key, ws.AllowedSendersText())
	case ok && !ws.SenderDomainAllowed(domain):
		c.add(field, CodeSenderNotAllowed, "%v", ws.SenderRefusal(header, "…@"+domain))
	}
}

// literalDomain returns the domain of a sender template when it is
// written out after the last @, e.g. "example.org" for
// "Tickets <tickets+{{ .object.id }}@example.org>".
func literalDomain(v string) (string, bool) {
	i := strings.LastIndexByte(v, '@')
	if i < 0 {
		return "", false
	}
	d := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v[i+1:]), ">"))
	if d == "" || strings.Contains(d, "{{") || strings.Contains(d, "}}") || !model.ValidEmail("x@"+d) {
		return "", false
	}
	return d, true
}

// allowedSenders checks and normalises the operator's list of allowed
// sender domains and addresses: lower case, no repeats.
func (c *checker) allowedSenders(field string, list []string) []string {
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if err := model.ValidAllowedSender(e); err != nil {
			c.add(fmt.Sprintf("%s[%d]", field, i), CodeInvalid, "%v", err)
			continue
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// timezone checks an optional IANA zone name.
func (c *checker) timezone(field, v string) {
	if v == "" {
		return
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		c.add(field, CodeInvalid, "%q is not a time zone; use an IANA name such as Europe/Berlin", v)
	}
}

// locale checks an optional locale tag such as "de" or "de-AT".
func (c *checker) locale(field, v string) {
	if v == "" {
		return
	}
	if !validLocale(v) {
		c.add(field, CodeInvalid, "%q is not a locale; use a language tag such as de, en or de-AT", v)
	}
}

func validLocale(v string) bool {
	if len(v) < 2 || len(v) > 35 {
		return false
	}
	for i, r := range v {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && !(i > 1 && (r == '-' || r == '_' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return true
}

// attributes rejects attribute names that would hide a fixed field of the
// data model.
func (c *checker) attributes(field string, attrs map[string]any, reserved []string) {
	for _, k := range reserved {
		if _, ok := attrs[k]; ok {
			c.add(field+"."+k, CodeReserved, "%q is a fixed field of this record; choose another attribute name", k)
		}
	}
	for k := range attrs {
		if k == "" || len(k) > 100 {
			c.add(field, CodeInvalid, "attribute names must be 1–100 characters")
		}
	}
	c.data(field, attrs)
}

// limitCodes maps the limits of model.CheckData to error codes.
var limitCodes = map[model.DataLimit]string{
	model.LimitDepth:  CodeTooDeep,
	model.LimitValues: CodeTooMany,
	model.LimitNumber: CodeNumber,
}

// data checks a free-form document (event data, attributes) against the
// limits of model.CheckData; field is its path, e.g. "data".
func (c *checker) data(field string, v any) {
	if p := model.CheckData(field, v); p != nil {
		c.add(p.Path, limitCodes[p.Limit], "%s", p.Detail)
	}
}

// names checks a list of names (categories, ...).
func (c *checker) names(field string, list []string) {
	for i, v := range list {
		c.name(fmt.Sprintf("%s[%d]", field, i), v)
	}
}
