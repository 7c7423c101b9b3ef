package service

import (
	"errors"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/manifest"
)

// ErrOverloaded means more writing requests are in progress than the
// server takes at once (--max-pending-writes); nothing was accepted.
// Retrying after a moment (events with the same idempotency key) is safe.
var ErrOverloaded = errors.New("the server is handling as many writing requests as it takes at once; retry in a moment (events with the same idempotency key)")

// Error codes of FieldError, stable for clients and the cockpit's
// translations.
const (
	CodeRequired       = "required"
	CodeInvalid        = "invalid"
	CodeInvalidEmail   = "invalid_email"
	CodeLineBreak      = "line_break"
	CodeUnknownRef     = "unknown_reference"
	CodeDuplicate      = "duplicate"
	CodeReserved       = "reserved"
	CodeTemplateSyntax = "template_error"
	CodeCondition      = "condition_error"
	CodeUnknownField   = "unknown_field"
	CodeType           = "wrong_type"
	CodeMalformed      = "malformed_json"
	CodeTooLong        = "too_long"
	CodeMismatch       = "mismatch"
	// CodeTooDeep, CodeTooMany and CodeNumber refuse data and attributes
	// beyond the limits of model.CheckData.
	CodeTooDeep = "too_deep"
	CodeTooMany = "too_many_values"
	CodeNumber  = "number_out_of_range"
	// CodeSenderNotAllowed: a From or Reply-To outside the sender domains
	// and addresses the operator allows the workspace.
	CodeSenderNotAllowed = "sender_not_allowed"
)

// FieldError names one rejected input.
type FieldError struct {
	// File is the configuration file the field is in (herold plan and
	// apply); empty for request bodies.
	File string `json:"file,omitempty"`
	// Field is the path of the input, e.g. "notifications[0].recipients[1]"
	// or "locales.de.html". Empty for the body as a whole.
	Field string `json:"field"`
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Detail says what is wrong and how to fix it.
	Detail string `json:"detail"`
	// Line and Column locate template, condition and JSON syntax errors
	// (1-based; 0 when unknown).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

func (f FieldError) String() string {
	if f.File != "" {
		return f.fileString()
	}
	loc := ""
	if f.Line > 0 {
		loc = fmt.Sprintf(" (line %d", f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(", column %d", f.Column)
		}
		loc += ")"
	}
	if f.Field == "" {
		return f.Detail + loc
	}
	return f.Field + ": " + f.Detail + loc
}

// ValidationError is returned when input is rejected; nothing was saved.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// NotFoundError is returned when the addressed resource does not exist in
// the caller's workspace.
type NotFoundError struct {
	// What names the resource, e.g. `template "job-request"`.
	What string
	// Field, when set, is the request's part that names it (a path
	// parameter such as "contact"); the problem lists it under errors.
	Field string
}

func (e *NotFoundError) Error() string { return e.What + " does not exist" }

// ConflictError is returned when an operation conflicts with existing data,
// e.g. deleting a template that notifications use.
type ConflictError struct {
	Detail string
}

func (e *ConflictError) Error() string { return e.Detail }

// ForbiddenError is returned when the caller's key lacks a scope.
type ForbiddenError struct {
	Detail string
}

func (e *ForbiddenError) Error() string { return e.Detail }

func notFound(format string, args ...any) error {
	return &NotFoundError{What: fmt.Sprintf(format, args...)}
}

// fileString is "file:line:column: field: detail" for problems in
// configuration files.
func (f FieldError) fileString() string {
	return manifest.Problem{File: f.File, Line: f.Line, Column: f.Column, Path: f.Field, Message: f.Detail}.String()
}
