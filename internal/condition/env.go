package condition

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/timeutil"
)

// Defaults for the limits of an Env.
const (
	// DefaultMaxLength is the longest condition accepted, in characters.
	DefaultMaxLength = 4096
	// DefaultCostLimit is the runtime cost budget of one evaluation. A cost
	// unit is roughly one CEL operation: a comparison, a field access, one
	// iteration step of a macro such as exists().
	DefaultCostLimit = 100_000
	// DefaultTimeout bounds the wall-clock time of one evaluation.
	DefaultTimeout = 100 * time.Millisecond
	// DefaultCacheSize is the number of compiled programs Cached keeps.
	DefaultCacheSize = 1000

	// maxNesting bounds the parser's recursion (nested parentheses,
	// operators, calls).
	maxNesting = 50
	// maxNodes bounds the size of the parsed expression after macro
	// expansion.
	maxNodes = 2000
	// maxRegexSize bounds the compiled size of a regular expression, also
	// of one that comes from data.
	maxRegexSize = 2000
	// maxIssues bounds the issues reported for one expression.
	maxIssues = 10
	// interruptEvery is the number of macro iterations between two checks
	// of the evaluation's deadline.
	interruptEvery = 64
)

// Env compiles conditions against Herold's data model. It is safe for
// concurrent use.
type Env struct {
	cel   *cel.Env
	cfg   config
	cache *cache
}

type config struct {
	leapDay   timeutil.LeapDayPolicy
	maxLength int
	costLimit uint64
	timeout   time.Duration
	cacheSize int
}

// Option configures an Env.
type Option func(*config)

// WithLeapDayPolicy sets on which day is_birthday celebrates a 29 February
// birthday in common years (default timeutil.LeapDayFeb28). A third argument
// to is_birthday overrides it per call.
func WithLeapDayPolicy(p timeutil.LeapDayPolicy) Option {
	return func(c *config) { c.leapDay = p }
}

// WithMaxLength sets the longest condition accepted, in characters
// (default DefaultMaxLength).
func WithMaxLength(n int) Option {
	return func(c *config) { c.maxLength = n }
}

// WithCostLimit sets the runtime cost budget of one evaluation (default
// DefaultCostLimit).
func WithCostLimit(n uint64) Option {
	return func(c *config) { c.costLimit = n }
}

// WithTimeout sets the wall-clock limit of one evaluation (default
// DefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithCacheSize sets how many compiled programs Cached keeps (default
// DefaultCacheSize).
func WithCacheSize(n int) Option {
	return func(c *config) { c.cacheSize = n }
}

func (c *config) validate() error {
	var errs []error
	if !c.leapDay.Valid() {
		errs = append(errs, fmt.Errorf("unknown leap-day policy %q", c.leapDay))
	}
	if c.maxLength <= 0 {
		errs = append(errs, errors.New("max length must be positive"))
	}
	if c.costLimit == 0 {
		errs = append(errs, errors.New("cost limit must be positive"))
	}
	if c.timeout <= 0 {
		errs = append(errs, errors.New("timeout must be positive"))
	}
	if c.cacheSize <= 0 {
		errs = append(errs, errors.New("cache size must be positive"))
	}
	return errors.Join(errs...)
}

// mapRoots are the data roots that are maps; timeRoots hold timestamps.
var (
	mapRoots = []string{
		model.RootEvent, model.RootData, model.RootContact, model.RootRecipient,
		model.RootObject, model.RootProject, model.RootActors, model.RootWorkspace,
	}
	timeRoots = []string{model.RootNow, model.RootToday}
)

// New returns an Env with the data roots of model.DataRoots declared as
// variables and Herold's helper functions.
func New(opts ...Option) (*Env, error) {
	cfg := config{}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.leapDay = cmp.Or(cfg.leapDay, timeutil.LeapDayFeb28)
	cfg.maxLength = cmp.Or(cfg.maxLength, DefaultMaxLength)
	cfg.costLimit = cmp.Or(cfg.costLimit, DefaultCostLimit)
	cfg.timeout = cmp.Or(cfg.timeout, DefaultTimeout)
	cfg.cacheSize = cmp.Or(cfg.cacheSize, DefaultCacheSize)
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configure conditions: %w", err)
	}
	envOpts := []cel.EnvOption{
		cel.CrossTypeNumericComparisons(true),
		cel.EnableHiddenAccumulatorName(true),
		cel.ParserRecursionLimit(maxNesting),
		cel.ParserExpressionSizeLimit(cfg.maxLength),
		cel.ExpressionNodeLimit(maxNodes),
		cel.RegexProgramSizeLimit(maxRegexSize),
		cel.ASTValidators(
			cel.ValidateDurationLiterals(),
			cel.ValidateTimestampLiterals(),
			cel.ValidateRegexLiterals(),
			helperArgsValidator{},
		),
	}
	for _, r := range mapRoots {
		envOpts = append(envOpts, cel.Variable(r, cel.MapType(cel.StringType, cel.DynType)))
	}
	for _, r := range timeRoots {
		envOpts = append(envOpts, cel.Variable(r, cel.TimestampType))
	}
	envOpts = append(envOpts, helperDecls()...)
	env, err := cel.NewEnv(envOpts...)
	if err != nil {
		return nil, fmt.Errorf("build CEL environment: %w", err)
	}
	// cel-go (v0.33) fills its checker's symbol catalog lazily, under a
	// sync.Once, the first time a check reports an undeclared name, while
	// every check that enters a comprehension copies that field without the
	// Once: a data race between two concurrent Compile calls. Checking one
	// undeclared name here runs the Once before the Env is shared.
	if _, iss := env.Compile("herold_warm_up"); iss == nil || iss.Err() == nil {
		return nil, errors.New("build CEL environment: warm-up check passed unexpectedly")
	}
	return &Env{cel: env, cfg: cfg, cache: newCache(cfg.cacheSize)}, nil
}

// Issue is one problem found in a condition. Line and Column are 1-based;
// columns count characters (Unicode code points).
type Issue struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// String formats the issue as "line:column: message".
func (i Issue) String() string {
	return fmt.Sprintf("%d:%d: %s", i.Line, i.Column, i.Message)
}

// CompileError reports why a condition was rejected.
type CompileError struct {
	Expr   string
	Issues []Issue
}

// Error lists the issues, e.g. "1:17: Syntax error: mismatched input ...".
func (e *CompileError) Error() string {
	parts := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		parts[i] = is.String()
	}
	return strings.Join(parts, "; ")
}

func compileErr(expr string, line, col int, format string, args ...any) *CompileError {
	return &CompileError{Expr: expr, Issues: []Issue{{Line: line, Column: col, Message: fmt.Sprintf(format, args...)}}}
}

// Compile parses and type-checks expr. It returns a *CompileError for syntax
// errors, unknown variables or functions, wrong arguments, limits, and a
// result that is not a bool (a result of unknown type, such as a field of
// object, is checked when evaluated).
func (e *Env) Compile(expr string) (*Program, error) {
	if err := e.precheck(expr); err != nil {
		return nil, err
	}
	// Parse and Check rather than cel's Compile, and no iss.Err(): that
	// formats every issue with its source line, quadratic in the number of
	// issues (most of a second for 250 macros over the node limit).
	parsed, iss := e.cel.Parse(expr)
	if iss != nil && len(iss.Errors()) > 0 {
		return nil, issuesErr(expr, iss)
	}
	checked, iss := e.cel.Check(parsed)
	if iss != nil && len(iss.Errors()) > 0 {
		return nil, issuesErr(expr, iss)
	}
	native := checked.NativeRep()
	out := checked.OutputType()
	if out.Kind() != types.BoolKind && out.Kind() != types.DynKind {
		line, col := startOf(native)
		return nil, compileErr(expr, line, col, "condition must be true or false, but this gives %s", out)
	}
	prg, err := e.cel.Program(checked,
		cel.CostLimit(e.cfg.costLimit),
		cel.InterruptCheckFrequency(interruptEvery),
	)
	if err != nil {
		return nil, compileErr(expr, 1, 1, "%v", err)
	}
	p := &Program{env: e, src: expr, prg: prg}
	p.analyse(native)
	p.birthday = findBirthdayTerm(native.Expr())
	if err := p.checkFixedFields(native); err != nil {
		return nil, err
	}
	return p, nil
}

// checkFixedFields rejects unknown fields of the roots whose fields are
// fixed (model.DataRoots: event, workspace), which the CEL checker cannot
// see as their type is a map.
func (p *Program) checkFixedFields(a *ast.AST) *CompileError {
	var issues []Issue
	for _, c := range p.chains {
		known := model.DataRoots[c.root]
		if known == nil || len(c.path) == 0 {
			continue
		}
		field, _ := c.path[0].key.(string)
		if slices.Contains(known, field) {
			continue
		}
		loc := a.SourceInfo().GetLocationByOffset(fieldOffset(p.src, c))
		issues = append(issues, Issue{
			Line:    max(loc.Line(), 1),
			Column:  max(loc.Column()+1, 1),
			Message: fmt.Sprintf("%s has no field %s (it has %s)", c.root, quote(fmt.Sprint(c.path[0].key)), strings.Join(known, ", ")),
		})
	}
	if len(issues) == 0 {
		return nil
	}
	return &CompileError{Expr: p.src, Issues: issues}
}

// fieldOffset returns the offset of the chain's first field name in src:
// past the root, the "." or "[" and the quote of an index.
func fieldOffset(src string, c *chain) int32 {
	runes := []rune(src)
	i := int(c.offset) + utf8.RuneCountInString(c.root)
	skip := func(chars string) {
		for i < len(runes) && strings.ContainsRune(chars, runes[i]) {
			i++
		}
	}
	skip(" \t\r\n")
	skip(".[")
	skip(" \t\r\n")
	skip(`'"`)
	return int32(min(i, len(runes)))
}

// Cached is Compile through a bounded cache of recent expressions; the same
// expression returns the same *Program (or the same error) while cached.
func (e *Env) Cached(expr string) (*Program, error) {
	return e.cache.get(expr, e.Compile)
}

// precheck rejects what the parser should never see.
func (e *Env) precheck(expr string) *CompileError {
	if !utf8.ValidString(expr) {
		return compileErr(expr, 1, 1, "condition is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(expr); n > e.cfg.maxLength {
		return compileErr(expr, 1, 1, "condition is too long (%d characters, at most %d)", n, e.cfg.maxLength)
	}
	if strings.TrimSpace(expr) == "" {
		return compileErr(expr, 1, 1, "condition is empty")
	}
	return nil
}

func issuesErr(expr string, iss *cel.Issues) *CompileError {
	errs := iss.Errors()
	out := make([]Issue, 0, min(len(errs), maxIssues))
	lines := strings.Split(expr, "\n")
	for _, ce := range errs {
		line, col := max(ce.Location.Line(), 1), max(ce.Location.Column()+1, 1)
		if !strings.HasPrefix(ce.Message, "Syntax error") {
			col = callNameColumn(lines, line, col)
		}
		out = append(out, Issue{Line: line, Column: col, Message: ce.Message})
	}
	slices.SortStableFunc(out, func(a, b Issue) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	if len(out) > maxIssues {
		out = out[:maxIssues]
	}
	return &CompileError{Expr: expr, Issues: out}
}

// startOf returns the 1-based line and column of the leftmost node of a.
func startOf(a *ast.AST) (line, col int) {
	info := a.SourceInfo()
	first := int32(-1)
	for _, r := range info.OffsetRanges() {
		if first < 0 || r.Start < first {
			first = r.Start
		}
	}
	if first < 0 {
		return 1, 1
	}
	loc := info.GetLocationByOffset(first)
	return max(loc.Line(), 1), loc.Column() + 1
}

// callNameColumn moves a position CEL reports at a call's opening
// parenthesis to the start of the function's name, where an administrator
// looks for it: "foo(1)" is reported at column 1, not 4.
func callNameColumn(lines []string, line, col int) int {
	if line > len(lines) {
		return col
	}
	runes := []rune(lines[line-1])
	i := col - 1
	if i >= len(runes) || runes[i] != '(' {
		return col
	}
	for i > 0 && unicode.IsSpace(runes[i-1]) {
		i--
	}
	end := i
	for i > 0 && (runes[i-1] == '_' || unicode.IsLetter(runes[i-1]) || unicode.IsDigit(runes[i-1])) {
		i--
	}
	if i == end {
		return col
	}
	return i + 1
}
