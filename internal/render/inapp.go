package render

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// Bounds of a rendered in-app item: a feed shows a headline and a few
// lines, and every open browser tab holds the items it shows.
const (
	MaxInAppTitle = 200
	MaxInAppBody  = 2000
	MaxInAppURL   = 2000
)

// CompiledInApp is a validated in-app part of a template.
type CompiledInApp struct {
	// parts in the order title, body, link, then label and URL per action;
	// nil where the source is empty.
	parts []*Compiled
	names []string
}

// CompileInApp validates the in-app part of c: its title, body, link and
// actions are templates with the same checks as a subject (the body may
// span lines). Where c has no in-app part, or leaves the title or body
// empty, the subject and the text body stand in, so any template can
// send in-app. Problems name the part as "inapp.title", "inapp.body",
// "inapp.link", "inapp.actions[0].label" and so on.
func CompileInApp(c model.TemplateContent) (*CompiledInApp, error) {
	ia := model.InAppContent{}
	if c.InApp != nil {
		ia = *c.InApp
	}
	out := &CompiledInApp{}
	var problems []Problem
	add := func(name, src string, oneLine, required bool) {
		out.names = append(out.names, name)
		if strings.TrimSpace(src) == "" {
			if required {
				problems = append(problems, Problem{Part: name, Message: "is required"})
			}
			out.parts = append(out.parts, nil)
			return
		}
		ct, err := compileInAppPart(name, src, oneLine)
		if err != nil {
			if rerr, ok := err.(*Error); ok {
				problems = append(problems, rerr.Problems...)
			} else {
				problems = append(problems, Problem{Part: name, Message: err.Error()})
			}
		}
		out.parts = append(out.parts, ct)
	}
	add("inapp.title", cmp.Or(ia.Title, c.Subject), true, true)
	add("inapp.body", cmp.Or(ia.Body, c.Text), false, false)
	add("inapp.link", ia.Link, true, false)
	if len(ia.Actions) > model.MaxInAppActions {
		problems = append(problems, Problem{Part: "inapp.actions",
			Message: fmt.Sprintf("at most %d actions", model.MaxInAppActions)})
	}
	for i, a := range ia.Actions {
		add(fmt.Sprintf("inapp.actions[%d].label", i), a.Label, true, true)
		add(fmt.Sprintf("inapp.actions[%d].url", i), a.URL, true, true)
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return out, nil
}

// compileInAppPart compiles one part; a one-line part is checked like a
// header.
func compileInAppPart(name, src string, oneLine bool) (*Compiled, error) {
	if oneLine {
		return CompileHeader(name, src)
	}
	s, ps := parsePart(name, src)
	if len(ps) > 0 {
		return nil, &Error{Problems: ps}
	}
	return headerCompiled(s)
}

// Render renders the in-app item for data. Title and body are cut to
// MaxInAppTitle and MaxInAppBody characters (with "…"); a link or action
// URL must come out as http(s) or a path starting with "/", so that a
// placeholder cannot turn it into a javascript: link.
func (c *CompiledInApp) Render(ctx context.Context, data map[string]any, opts Options) (*model.InAppContent, error) {
	vals := make([]string, len(c.parts))
	for i, p := range c.parts {
		if p == nil {
			continue
		}
		v, err := p.RenderHeader(ctx, data, opts)
		if err != nil {
			return nil, err
		}
		vals[i] = strings.TrimSpace(v)
	}
	out := &model.InAppContent{Title: cut(headerLine(vals[0]), MaxInAppTitle), Body: cut(vals[1], MaxInAppBody)}
	var err error
	if out.Link, err = inAppURL(c.names[2], vals[2]); err != nil {
		return nil, err
	}
	for i := 3; i+1 < len(vals); i += 2 {
		u, err := inAppURL(c.names[i+1], vals[i+1])
		if err != nil {
			return nil, err
		}
		out.Actions = append(out.Actions, model.InAppAction{Label: cut(headerLine(vals[i]), 80), URL: u})
	}
	return out, nil
}

// inAppURL checks a rendered URL: empty, http(s) or a path on the host.
func inAppURL(part, u string) (string, error) {
	l := strings.ToLower(u)
	ok := u == "" || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") ||
		(strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"))
	if !ok || len(u) > MaxInAppURL || strings.ContainsAny(u, "\r\n") {
		return "", &Error{Problems: []Problem{{Part: part,
			Message: fmt.Sprintf("rendered to %q; use an http(s) URL or a path starting with / of at most %d bytes", cut(u, 100), MaxInAppURL)}}}
	}
	return u, nil
}

// cut shortens s to at most n characters, ending in "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
