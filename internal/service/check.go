package service

import (
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
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

// address checks an optional RFC 5322 address.
func (c *checker) address(field, v string) {
	if v == "" {
		return
	}
	if model.HasCRLF(v) {
		c.add(field, CodeLineBreak, "must not contain line breaks")
		return
	}
	if _, err := model.ParseAddress(v); err != nil {
		c.add(field, CodeInvalidEmail, "%v", err)
	}
}

// sender checks a sender identity.
func (c *checker) sender(field string, s model.Sender) {
	c.address(field+".from", s.From)
	c.address(field+".reply_to", s.ReplyTo)
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
