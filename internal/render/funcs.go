package render

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// builtins are text/template's predefined functions that stay available.
// printf, print, println, html, js and urlquery are replaced by versions
// that respect the size limit.
var builtins = []string{
	"and", "call", "html", "index", "slice", "js", "len", "not", "or",
	"print", "printf", "println", "urlquery",
	"eq", "ge", "gt", "le", "lt", "ne",
}

// knownFuncs is every function name a template may call.
var knownFuncs = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range builtins {
		m[b] = true
	}
	for name := range funcMap(&state{}) {
		if !strings.HasPrefix(name, "__") {
			m[name] = true
		}
	}
	return m
}()

// arity is how many arguments a function takes: min, and max or -1 for
// no upper bound.
type arity struct{ min, max int }

func (a arity) takes(n int) bool { return n >= a.min && (a.max < 0 || n <= a.max) }

// String says it for a problem: "takes 2", "takes at least 1".
func (a arity) String() string {
	switch {
	case a.max < 0:
		return fmt.Sprintf("takes at least %d", a.min)
	case a.min == a.max:
		return fmt.Sprintf("takes %d", a.min)
	}
	return fmt.Sprintf("takes %d to %d", a.min, a.max)
}

// funcArities is what each known function takes: text/template's
// builtins as it checks them when rendering, the others from their
// signatures.
var funcArities = func() map[string]arity {
	m := map[string]arity{
		"and": {1, -1}, "or": {1, -1}, "not": {1, 1}, "len": {1, 1}, "index": {1, -1}, "slice": {1, 4},
		"call": {1, -1}, "eq": {2, -1}, "ne": {2, 2}, "lt": {2, 2}, "le": {2, 2}, "gt": {2, 2}, "ge": {2, 2},
	}
	for name, fn := range funcMap(&state{}) {
		if _, builtin := m[name]; builtin || strings.HasPrefix(name, "__") {
			continue
		}
		t := reflect.TypeOf(fn)
		if t.IsVariadic() {
			m[name] = arity{t.NumIn() - 1, -1}
		} else {
			m[name] = arity{t.NumIn(), t.NumIn()}
		}
	}
	return m
}()

// knownFuncNames returns the sorted names of knownFuncs, for suggestions.
func knownFuncNames() []string { return slices.Sorted(maps.Keys(knownFuncs)) }

// funcMap returns the curated functions bound to one render state.
func funcMap(s *state) map[string]any {
	return map[string]any{
		fnTick: s.hiddenTick, fnEnter: s.hiddenEnter, fnLeave: s.hiddenLeave, fnShow: hiddenShow,

		"printf": s.printf, "print": s.print, "println": s.println,
		"html": s.escaper(template.HTMLEscapeString), "js": s.escaper(template.JSEscapeString),
		"urlquery": s.escaper(func(v string) string { return template.URLQueryEscaper(v) }),

		"date": s.date, "date_short": s.dateShort, "date_long": s.dateLong,
		"time": s.timeOfDay, "datetime": s.dateTime,
		"days_until": s.daysUntil, "days_since": s.daysSince, "age": s.age,
		"number": s.number, "currency": s.currency,

		"default": fnDefault, "coalesce": coalesce, "get": get, "has": has,
		"first": first, "plural": plural, "contains": contains,
		"hasPrefix": hasPrefix, "hasSuffix": hasSuffix,
		"upper": s.upper, "lower": s.lower, "title": s.title, "trim": s.trim,
		"truncate": s.truncate, "replace": s.replace, "join": s.join,
		"add": add, "sub": sub, "mul": mul, "div": div, "mod": mod,
	}
}

// toString turns a value into text the way a placeholder would print it;
// nil becomes "".
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// isEmpty reports whether v is nil, an empty string, or an empty list or map.
func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return r.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return r.IsNil()
	}
	return false
}

func fnDefault(fallback, v any) any {
	if isEmpty(v) {
		return fallback
	}
	return v
}

func coalesce(vs ...any) any {
	for _, v := range vs {
		if !isEmpty(v) {
			return v
		}
	}
	return nil
}

// mapValue looks key up in m, a map with string keys; nil m has no keys.
func mapValue(m, key any) (any, bool, error) {
	if m == nil {
		return nil, false, nil
	}
	if mm, ok := m.(map[string]any); ok {
		v, found := mm[toString(key)]
		return v, found, nil
	}
	r := reflect.ValueOf(m)
	if r.Kind() != reflect.Map || r.Type().Key().Kind() != reflect.String {
		return nil, false, fmt.Errorf("a value of type %T is not a map", m)
	}
	v := r.MapIndex(reflect.ValueOf(toString(key)).Convert(r.Type().Key()))
	if !v.IsValid() {
		return nil, false, nil
	}
	return v.Interface(), true, nil
}

func get(m, key any) (any, error) {
	v, _, err := mapValue(m, key)
	return v, err
}

func has(m, key any) (bool, error) {
	_, found, err := mapValue(m, key)
	return found, err
}

func first(list any) (any, error) {
	if list == nil {
		return nil, nil
	}
	r := reflect.ValueOf(list)
	if r.Kind() != reflect.Slice && r.Kind() != reflect.Array {
		return nil, fmt.Errorf("a value of type %T is not a list", list)
	}
	if r.Len() == 0 {
		return nil, nil
	}
	return r.Index(0).Interface(), nil
}

func plural(n, one, many any) (any, error) {
	r, err := toRat(n)
	if err != nil {
		return nil, err
	}
	if r != nil && r.IsInt() && r.Num().IsInt64() && r.Num().Int64() == 1 {
		return one, nil
	}
	return many, nil
}

// contains reports whether s contains sub; for a list s, whether one of its
// elements prints as sub.
func contains(sub, s any) bool {
	r := reflect.ValueOf(s)
	if s != nil && (r.Kind() == reflect.Slice || r.Kind() == reflect.Array) {
		want := toString(sub)
		for i := range r.Len() {
			if toString(r.Index(i).Interface()) == want {
				return true
			}
		}
		return false
	}
	return strings.Contains(toString(s), toString(sub))
}

func hasPrefix(prefix, s any) bool { return strings.HasPrefix(toString(s), toString(prefix)) }
func hasSuffix(suffix, s any) bool { return strings.HasSuffix(toString(s), toString(suffix)) }

// upper, lower and title follow the locale's casing rules ("straße" →
// "STRASSE").
func (s *state) upper(v any) (string, error) {
	return s.out(cases.Upper(s.locale.tag).String(toString(v)))
}

func (s *state) lower(v any) (string, error) {
	return s.out(cases.Lower(s.locale.tag).String(toString(v)))
}

func (s *state) title(v any) (string, error) {
	return s.out(cases.Title(s.locale.tag).String(toString(v)))
}

func (s *state) trim(v any) (string, error) { return s.out(strings.TrimSpace(toString(v))) }

// truncate keeps the first n characters of v and adds "…" when it cut.
func (s *state) truncate(n, v any) (string, error) {
	limit, err := toInt(n)
	if err != nil {
		return "", err
	}
	if limit < 0 {
		return "", fmt.Errorf("length %d is negative", limit)
	}
	str := toString(v)
	if utf8.RuneCountInString(str) <= limit {
		return s.out(str)
	}
	cut, i := 0, 0
	for i = range str {
		if cut == limit {
			break
		}
		cut++
	}
	return s.out(strings.TrimRight(str[:i], " ") + "…")
}

// replace replaces every old with new in v; the size of the result is
// checked before it is built.
func (s *state) replace(oldV, newV, v any) (string, error) {
	old, repl, str := toString(oldV), toString(newV), toString(v)
	n := strings.Count(str, old)
	if err := s.fits(len(str) + n*(len(repl)-len(old))); err != nil {
		return "", err
	}
	return s.out(strings.ReplaceAll(str, old, repl))
}

// join joins the elements of list with sep, checking the size as it goes.
func (s *state) join(sepV, list any) (string, error) {
	if list == nil {
		return "", nil
	}
	r := reflect.ValueOf(list)
	if r.Kind() != reflect.Slice && r.Kind() != reflect.Array {
		return "", fmt.Errorf("a value of type %T is not a list", list)
	}
	sep := toString(sepV)
	var b strings.Builder
	for i := range r.Len() {
		el := toString(r.Index(i).Interface())
		if err := s.fits(b.Len() + len(sep) + len(el)); err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(el)
	}
	return s.out(b.String())
}

// escaper wraps one of text/template's escaping functions with the size
// limit (escaping can grow a value sixfold, and repeatedly).
func (s *state) escaper(esc func(string) string) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		in, err := s.sprint(args, false)
		if err != nil {
			return "", err
		}
		return s.out(esc(in))
	}
}

func (s *state) print(args ...any) (string, error)   { return s.sprint(args, false) }
func (s *state) println(args ...any) (string, error) { return s.sprint(args, true) }

// sprint is fmt.Sprint (or Sprintln) with the size checked first.
func (s *state) sprint(args []any, ln bool) (string, error) {
	if len(args) == 1 {
		if str, ok := args[0].(string); ok && !ln {
			return s.out(str)
		}
	}
	size := len(args) + 1
	for _, a := range args {
		size += len(fmt.Sprint(a))
		if err := s.fits(size); err != nil {
			return "", err
		}
	}
	if ln {
		return s.out(fmt.Sprintln(args...))
	}
	return s.out(fmt.Sprint(args...))
}
