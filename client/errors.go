package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinels for errors.Is: an *Error matches the one of its status.
var (
	// ErrValidation: the request was rejected field by field (400, 422);
	// Error.Errors and Error.Field name the fields.
	ErrValidation = errors.New("herold: invalid input")
	// ErrUnauthorized: no API key, or an unknown or revoked one (401).
	ErrUnauthorized = errors.New("herold: unauthorized")
	// ErrForbidden: the key lacks the scope for the request (403).
	ErrForbidden = errors.New("herold: forbidden")
	// ErrNotFound: the resource does not exist in the key's workspace (404).
	ErrNotFound = errors.New("herold: not found")
	// ErrConflict: the request does not fit the resource's state (409),
	// e.g. approving a message no longer awaiting confirmation.
	ErrConflict = errors.New("herold: conflict")
	// ErrOverloaded: the server refused the request under load (503) and
	// the retries ran out; Error.RetryAfter says when to try again.
	ErrOverloaded = errors.New("herold: overloaded")
)

// Code is the stable code of a field error.
type Code string

// Field error codes (the OpenAPI document's FieldErrorCode).
const (
	CodeRequired         Code = "required"
	CodeInvalid          Code = "invalid"
	CodeInvalidEmail     Code = "invalid_email"
	CodeLineBreak        Code = "line_break"
	CodeUnknownReference Code = "unknown_reference"
	CodeDuplicate        Code = "duplicate"
	CodeReserved         Code = "reserved"
	CodeTemplateError    Code = "template_error"
	CodeConditionError   Code = "condition_error"
	CodeUnknownField     Code = "unknown_field"
	CodeWrongType        Code = "wrong_type"
	CodeMalformedJSON    Code = "malformed_json"
	CodeTooLong          Code = "too_long"
	CodeMismatch         Code = "mismatch"
	CodeTooDeep          Code = "too_deep"
	CodeTooManyValues    Code = "too_many_values"
	CodeNumberOutOfRange Code = "number_out_of_range"
	CodeSenderNotAllowed Code = "sender_not_allowed"
)

// FieldError names one rejected input field.
type FieldError struct {
	// File is the configuration file of the problem (plan and apply);
	// Line and Column are then the file's.
	File string `json:"file,omitempty"`
	// Field is the path in the request, e.g. "actors.promoter[0].email"
	// or "events[3].type"; empty for the body as a whole.
	Field  string `json:"field"`
	Code   Code   `json:"code"`
	Detail string `json:"detail"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Error is an API error (an RFC 9457 problem).
type Error struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Type is the problem type, e.g. "/problems/validation-error".
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// ErrorsOmitted counts the field errors beyond those in Errors: the
	// server lists at most 100.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
	// Header is the answer's header (nil for errors of one item of a
	// batch, which have no answer of their own).
	Header http.Header `json:"-"`
	// RetryAfter is the wait the server asked for (Retry-After), zero when
	// it named none.
	RetryAfter time.Duration `json:"-"`
}

func newError(resp *http.Response, body []byte) *Error {
	e := &Error{Status: resp.StatusCode, Title: resp.Status, Header: resp.Header,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	_ = json.Unmarshal(body, e) // a proxy's HTML page keeps the status line
	e.Status = resp.StatusCode
	return e
}

// Error returns the status, title, detail and every field error.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "herold: %d %s", e.Status, e.Title)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	for _, f := range e.Errors {
		if len(e.Errors) == 1 && f.Detail == e.Detail {
			break
		}
		if f.File != "" {
			fmt.Fprintf(&b, "\n  %s: %s: %s", fileLocation(f), f.Field, f.Detail)
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Detail)
		if f.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", f.Line)
		}
	}
	return b.String()
}

// Is matches the sentinel of the error's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrValidation:
		return e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrOverloaded:
		return e.Status == http.StatusServiceUnavailable
	}
	return false
}

// Field returns the error of the field at path (e.g. "actors.promoter[0].email"),
// or nil when that field was not rejected.
func (e *Error) Field(path string) *FieldError {
	for i := range e.Errors {
		if e.Errors[i].Field == path {
			return &e.Errors[i]
		}
	}
	return nil
}

// FieldErrors returns the field errors of err when it is an *Error, else
// nil: the quick way to show them next to a form's fields.
func FieldErrors(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Errors
	}
	return nil
}

// fileLocation is "file:line:column", leaving out what is unknown.
func fileLocation(f FieldError) string {
	loc := f.File
	if f.Line > 0 {
		loc += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(":%d", f.Column)
		}
	}
	return loc
}
