package render

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// Defaults and fixed limits.
const (
	// DefaultTimeout is the time one message may take to render (all parts).
	DefaultTimeout = time.Second
	// DefaultMaxBytes is the output limit per part.
	DefaultMaxBytes = 1 << 20
	// MaxSourceBytes is the largest source accepted per part.
	MaxSourceBytes = 256 << 10
)

// Limits bound the work one render may do. Zero fields take the defaults.
type Limits struct {
	// Timeout bounds the whole render of one message (all parts). Default 1s.
	Timeout time.Duration
	// MaxBytes bounds each part's output, and every value built while
	// rendering. Default 1 MiB.
	MaxBytes int
}

// Options are the per-recipient settings of a render.
type Options struct {
	// Locale is the recipient's locale ("de", "en", "de-AT", "en-GB"); it
	// selects month and weekday names and date and number formats. Empty
	// or unknown: English.
	Locale string
	// Location is the recipient's (or the workspace's) time zone; instants
	// are shown in it and "today" is taken in it. nil means UTC.
	Location *time.Location
	// Now is the current time, for days_until, days_since and age. It is
	// required: the package never reads the clock for template values.
	Now time.Time
	// Limits bound the render.
	Limits Limits
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Limits.Timeout <= 0 {
		o.Limits.Timeout = DefaultTimeout
	}
	if o.Limits.MaxBytes <= 0 {
		o.Limits.MaxBytes = DefaultMaxBytes
	}
	return o
}

// Output is a rendered message. Subject is one line; Text is derived from
// HTML (see HTMLToText) when the template has no text part.
type Output struct {
	Subject string
	HTML    string
	Text    string
}

// source is one part's source and its parse trees (the main tree is named
// after the part), rewritten by guardTrees.
type source struct {
	name  string
	src   string
	trees map[string]*parse.Tree
	// lean, for a text part, is trees with a main tree that prints some
	// field chains without the hidden nil check (see leanShow); it may be
	// used for data in which every one of paths leads to a value other
	// than nil. nil when no action qualified.
	lean  map[string]*parse.Tree
	paths [][]string
}

// Compiled is a validated template, ready to render concurrently.
type Compiled struct {
	subject, html, text *source
	// header marks a CompileHeader template: its one part is kept in
	// subject and rendered as is, for the caller to validate.
	header bool
	// pool holds instances: template sets whose functions are bound to
	// their own per-render state. Functions bind when a set is built, and
	// html/template escapes a set on its first execution, so sets are built
	// once and reused rather than per render.
	pool sync.Pool
}

// instance is one reusable set of executable templates with its state.
type instance struct {
	st      *state
	subject *template.Template
	text    *template.Template
	html    *htmltemplate.Template
	// subjectLean and textLean are built from the parts' lean trees.
	subjectLean *template.Template
	textLean    *template.Template
	// w collects each part's output in a buffer the instance keeps, so a
	// render allocates each part's string once instead of growing a
	// buffer per part and message.
	w limitWriter
}

// The problems of a template content with a part left empty (see
// Compile); the cockpit says them in its own words.
const (
	ProblemNoSubject = "a subject is required"
	ProblemNoBody    = "an HTML body or a text body is required"
)

// Compile validates a template content and prepares it for rendering. It
// returns an *Error listing every problem found in all parts: missing or
// oversized parts, line breaks in the subject, syntax errors, unknown
// functions, placeholders outside the documented data model (see
// model.DataRoots), and HTML escaping problems.
func Compile(c model.TemplateContent) (compiled *Compiled, err error) {
	defer func() {
		if r := recover(); r != nil {
			compiled, err = nil, &Error{Problems: []Problem{{Message: fmt.Sprintf("internal error: %v", r)}}, Cause: errInternal}
		}
	}()
	var problems []Problem
	if strings.TrimSpace(c.Subject) == "" {
		problems = append(problems, Problem{Part: PartSubject, Message: ProblemNoSubject})
	}
	if strings.TrimSpace(c.HTML) == "" && strings.TrimSpace(c.Text) == "" {
		problems = append(problems, Problem{Part: PartHTML, Message: ProblemNoBody})
	}
	if i := strings.IndexAny(c.Subject, "\r\n"); i >= 0 {
		line, col := Position(c.Subject, i)
		problems = append(problems, Problem{Part: PartSubject, Line: line, Column: col,
			Message: "the subject must be a single line (mail headers cannot contain line breaks)"})
	}
	out := &Compiled{}
	var ps []Problem
	out.subject, ps = parsePart(PartSubject, c.Subject)
	problems = append(problems, ps...)
	out.html, ps = parsePart(PartHTML, c.HTML)
	problems = append(problems, ps...)
	out.text, ps = parsePart(PartText, c.Text)
	problems = append(problems, ps...)
	// Escaping is checked even when another part has problems, so that
	// every problem is reported at once.
	inst, err := out.newInstance()
	if err != nil {
		return nil, err
	}
	if p, ok := inst.checkEscaping(out.html); !ok {
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return partRank[a.Part] - partRank[b.Part] })
		return nil, &Error{Problems: problems}
	}
	out.pool.Put(inst)
	return out, nil
}

var partRank = map[string]int{PartSubject: 0, PartHTML: 1, PartText: 2}

// parsePart parses and checks one part; an empty part gives nil.
func parsePart(name, src string) (*source, []Problem) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if len(src) > MaxSourceBytes {
		return nil, []Problem{{Part: name, Message: fmt.Sprintf("the %s is larger than %d KiB", name, MaxSourceBytes>>10)}}
	}
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := t.Parse(src, "", "", trees); err != nil {
		return nil, []Problem{parseProblem(name, src, err)}
	}
	if trees[name] == nil { // only {{define}}s: the main template is empty
		trees[name] = t
	}
	if ps := checkTrees(name, src, trees); len(ps) > 0 {
		return nil, ps
	}
	guardTrees(trees, name)
	out := &source{name: name, src: src, trees: trees}
	if name != PartHTML {
		out.lean, out.paths = leanTrees(trees, name)
		showNothing(trees)
	}
	return out, nil
}

// newInstance builds a template set for each part, bound to a new state.
// Text parts share the parse trees, which execution only reads; the HTML
// part gets copies, because html/template rewrites its trees when escaping.
func (c *Compiled) newInstance() (*instance, error) {
	in := &instance{st: &state{}}
	fm := funcMap(in.st)
	var err error
	if in.subject, err = buildText(c.subject, c.subject.treesOf(false), fm); err != nil {
		return nil, err
	}
	if in.text, err = buildText(c.text, c.text.treesOf(false), fm); err != nil {
		return nil, err
	}
	if in.subjectLean, err = buildText(c.subject, c.subject.treesOf(true), fm); err != nil {
		return nil, err
	}
	if in.textLean, err = buildText(c.text, c.text.treesOf(true), fm); err != nil {
		return nil, err
	}
	if in.html, err = buildHTML(c.html, fm); err != nil {
		return nil, err
	}
	return in, nil
}

// treesOf returns s's lean trees (nil when it has none) or its trees.
func (s *source) treesOf(lean bool) map[string]*parse.Tree {
	switch {
	case s == nil:
		return nil
	case lean:
		return s.lean
	}
	return s.trees
}

func buildText(s *source, trees map[string]*parse.Tree, fm map[string]any) (*template.Template, error) {
	if trees == nil {
		return nil, nil
	}
	t := template.New(s.name).Option("missingkey=error").Funcs(fm)
	for name, tree := range trees {
		if _, err := t.AddParseTree(name, tree); err != nil {
			return nil, fmt.Errorf("build %s template: %w", s.name, err)
		}
	}
	return t, nil
}

func buildHTML(s *source, fm map[string]any) (*htmltemplate.Template, error) {
	if s == nil {
		return nil, nil
	}
	t := htmltemplate.New(s.name).Option("missingkey=error").Funcs(fm)
	for name, tree := range s.trees {
		if _, err := t.AddParseTree(name, tree.Copy()); err != nil {
			return nil, fmt.Errorf("build html template: %w", err)
		}
	}
	// AddParseTree registers the main template as a new value; the one
	// New returned stays without a tree.
	return t.Lookup(s.name), nil
}

// checkEscaping forces html/template to escape now rather than on the
// first send: it executes once with an expired budget and no data, and
// reports escaping errors, ignoring the execution errors that follow.
func (in *instance) checkEscaping(src *source) (Problem, bool) {
	if in.html == nil {
		return Problem{}, true
	}
	in.st.expire()
	w := &limitWriter{max: 0, st: in.st}
	err := in.html.Execute(w, nil)
	var escErr *htmltemplate.Error
	if errors.As(err, &escErr) {
		return escapeProblem(src.src, escErr), false
	}
	return Problem{}, true
}

func (c *Compiled) get() (*instance, error) {
	if in, ok := c.pool.Get().(*instance); ok {
		return in, nil
	}
	return c.newInstance()
}

// Render renders the message for one recipient. data is the data model
// (model.NewData, model.WithRecipient). A mistake found only now (a
// missing key, a function error) is returned as an *Error locating it; a
// render stopped by a limit returns an *Error wrapping ErrTimeout or
// ErrTooLarge. Render is safe for concurrent use.
func (c *Compiled) Render(ctx context.Context, data map[string]any, opts Options) (out Output, err error) {
	if opts.Now.IsZero() {
		return Output{}, errors.New("render: Options.Now is required")
	}
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("render: %w", err)
	}
	opts = opts.withDefaults()
	in, err := c.get()
	if err != nil {
		return Output{}, err
	}
	in.st.reset(ctx, opts)
	defer func() {
		if r := recover(); r != nil {
			out, err = Output{}, &Error{Problems: []Problem{{Part: in.st.part, Message: fmt.Sprintf("internal error: %v", r)}}, Cause: errInternal}
			return // a panicked instance is not reused
		}
		if cap(in.w.buf) > maxKeptOutput {
			in.w.buf = nil
		}
		c.pool.Put(in)
	}()
	return c.render(in, data, opts, true)
}

// render renders with in; mayLean allows the lean text trees for data
// that suits them (tests turn it off to compare).
func (c *Compiled) render(in *instance, data map[string]any, opts Options, mayLean bool) (Output, error) {
	var out Output
	var problems []Problem
	for i, j := range [...]struct {
		src *source
		dst *string
	}{{c.subject, &out.Subject}, {c.html, &out.HTML}, {c.text, &out.Text}} {
		if j.src == nil {
			continue
		}
		in.st.part = j.src.name
		lean := mayLean && j.src.lean != nil && nilFree(data, j.src.paths)
		err := in.execute(i, lean, data, opts.Limits.MaxBytes)
		if err == nil {
			*j.dst = string(in.w.buf)
			continue
		}
		p, cause := problemFor(j.src, err, opts.Limits)
		problems = append(problems, p)
		if cause != nil {
			return Output{}, &Error{Problems: problems, Cause: cause}
		}
	}
	if len(problems) > 0 {
		return Output{}, &Error{Problems: problems}
	}
	if c.header {
		return out, nil
	}
	// Both can grow the output: invalid UTF-8 in the subject becomes U+FFFD,
	// and list numbers can be longer than the <li> they replace.
	out.Subject = headerLine(out.Subject)
	if len(out.Subject) > opts.Limits.MaxBytes {
		return Output{}, tooLarge(PartSubject, opts.Limits)
	}
	if c.text == nil {
		out.Text = HTMLToText(out.HTML)
		if len(out.Text) > opts.Limits.MaxBytes {
			return Output{}, tooLarge(PartText, opts.Limits)
		}
	}
	return out, nil
}

// maxKeptOutput is the largest output buffer a pooled instance keeps for
// the next render; a larger one (up to Limits.MaxBytes) is dropped when
// the render ends.
const maxKeptOutput = 64 << 10

// execute runs the template of a part (0 the subject, or a header
// template's one part; 1 the HTML; 2 the text) into in.w, with at most
// maxBytes of output; lean selects a text part's lean trees.
func (in *instance) execute(part int, lean bool, data map[string]any, maxBytes int) error {
	in.w = limitWriter{buf: in.w.buf[:0], max: maxBytes, st: in.st}
	switch {
	case part == 0 && lean:
		return in.subjectLean.Execute(&in.w, data)
	case part == 0:
		return in.subject.Execute(&in.w, data)
	case part == 1:
		return in.html.Execute(&in.w, data)
	case lean:
		return in.textLean.Execute(&in.w, data)
	}
	return in.text.Execute(&in.w, data)
}

func tooLarge(part string, lim Limits) *Error {
	msg := fmt.Sprintf("the output is larger than the limit of %d bytes", lim.MaxBytes)
	return &Error{Problems: []Problem{{Part: part, Message: msg}}, Cause: ErrTooLarge}
}

// problemFor locates an execution error and, for a limit or context error,
// returns it as the cause.
func problemFor(s *source, err error, lim Limits) (Problem, error) {
	p := execProblem(s.name, s.src, err)
	switch {
	case errors.Is(err, ErrTimeout):
		p.Message = fmt.Sprintf("rendering took longer than the limit of %s", lim.Timeout)
		if errors.Is(err, context.DeadlineExceeded) {
			return p, fmt.Errorf("%w: %w", ErrTimeout, context.DeadlineExceeded)
		}
		return p, ErrTimeout
	case errors.Is(err, ErrTooLarge):
		p.Message = tooLarge("", lim).Problems[0].Message
		return p, ErrTooLarge
	case errors.Is(err, errTooDeep):
		return p, errTooDeep
	case errors.Is(err, context.Canceled):
		p.Message = "rendering was canceled"
		return p, context.Canceled
	}
	return p, nil
}

// headerLine makes a rendered subject safe for a mail header: every run of
// control characters and line or paragraph separators becomes one space,
// invalid UTF-8 becomes U+FFFD, and the result is trimmed.
func headerLine(s string) string {
	if cleanLine(s) {
		return strings.TrimSpace(s) // the usual subject: no copy
	}
	var b strings.Builder
	pending := false
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			pending = true
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// cleanLine reports whether headerLine has nothing to replace in s: valid
// UTF-8 without control characters or line and paragraph separators.
func cleanLine(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
