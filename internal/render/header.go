package render

import (
	"context"
	"fmt"
	"strings"
)

// HasPlaceholders reports whether a header value such as a sender address
// is a template rather than a literal: only values with "{{" are compiled,
// so literal addresses cost nothing when a message is rendered.
func HasPlaceholders(s string) bool { return strings.Contains(s, "{{") }

// CompileHeader validates a one-line header template, such as a sender
// address with placeholders ("tickets+{{ .object.id }}@example.org"), under
// the part name given (e.g. "from"), with the same checks as a subject:
// syntax, functions, the data model, one line. Render it with
// RenderHeader.
func CompileHeader(part, src string) (compiled *Compiled, err error) {
	defer func() {
		if r := recover(); r != nil {
			compiled, err = nil, &Error{Problems: []Problem{{Part: part, Message: fmt.Sprintf("internal error: %v", r)}}, Cause: errInternal}
		}
	}()
	if i := strings.IndexAny(src, "\r\n"); i >= 0 {
		line, col := Position(src, i)
		return nil, &Error{Problems: []Problem{{Part: part, Line: line, Column: col,
			Message: "must be a single line (mail headers cannot contain line breaks)"}}}
	}
	s, ps := parsePart(part, src)
	if len(ps) > 0 {
		return nil, &Error{Problems: ps}
	}
	if s == nil {
		return nil, &Error{Problems: []Problem{{Part: part, Message: "is empty"}}}
	}
	return headerCompiled(s)
}

// headerCompiled makes a parsed part a template rendered as is (see
// RenderHeader), ready with its first instance.
func headerCompiled(s *source) (*Compiled, error) {
	out := &Compiled{subject: s, header: true}
	inst, err := out.newInstance()
	if err != nil {
		return nil, err
	}
	out.pool.Put(inst)
	return out, nil
}

// RenderHeader renders a template compiled with CompileHeader. The value
// comes out exactly as rendered, line breaks included, so that the caller
// can refuse it rather than send a header that was quietly repaired.
func (c *Compiled) RenderHeader(ctx context.Context, data map[string]any, opts Options) (string, error) {
	if !c.header {
		return "", fmt.Errorf("render: not a header template")
	}
	out, err := c.Render(ctx, data, opts)
	return out.Subject, err
}
