package render

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxWidth bounds the width and the precision of a printf verb.
const maxWidth = 1000

// verb is one formatting directive of a printf format.
type verb struct {
	flags     string
	verb      rune
	width     int
	precision int
}

// printf is fmt.Sprintf for templates with two guards: widths and
// precisions above maxWidth (and '*', which takes them from the arguments)
// are rejected, and an upper bound of the result's size is computed and
// checked against the limit before anything is formatted.
func (s *state) printf(format string, args ...any) (string, error) {
	verbs, reordered, err := scanVerbs(format)
	if err != nil {
		return "", err
	}
	size := len(format)
	probes := map[string]int{}
	consuming := 0
	for _, v := range verbs {
		size += 16 // room for fmt's own notes, like %!d(MISSING)
		if v.verb == '%' {
			continue
		}
		consuming++
		c, err := s.verbCost(v, args, probes)
		if err != nil {
			return "", err
		}
		size += c
		if err := s.fits(size); err != nil {
			return "", err
		}
	}
	if !reordered && consuming < len(args) { // %!(EXTRA type=value, ...)
		for _, a := range args {
			size += len(fmt.Sprint(a)) + 32
		}
	}
	if err := s.fits(size); err != nil {
		return "", err
	}
	return s.out(fmt.Sprintf(format, args...))
}

// verbCost bounds the output of one verb: the longest any argument formats
// to without width and precision, plus the padding those can add to every
// value inside it (fmt pads each element of a list or map).
func (s *state) verbCost(v verb, args []any, probes map[string]int) (int, error) {
	pad := v.width + v.precision
	cost := 0
	for i, a := range args {
		key := fmt.Sprintf("%d%s%c", i, v.flags, v.verb)
		n, ok := probes[key]
		if !ok {
			n = len(fmt.Sprintf("%"+v.flags+string(v.verb), a))
			if pad > 0 {
				n += pad * leaves(reflect.ValueOf(a), 0)
			}
			probes[key] = n
			if err := s.tick(); err != nil {
				return 0, err
			}
		}
		cost = max(cost, n)
	}
	return cost, nil
}

// leaves counts the values fmt formats one by one inside v.
func leaves(v reflect.Value, depth int) int {
	if !v.IsValid() || depth > 100 {
		return 1
	}
	if v.CanInterface() {
		switch v.Interface().(type) {
		case fmt.Stringer, error, fmt.Formatter:
			return 1
		}
	}
	n := 0
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			n += leaves(v.Index(i), depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			n += leaves(it.Key(), depth+1) + leaves(it.Value(), depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			n += leaves(v.Field(i), depth+1)
		}
	case reflect.Pointer, reflect.Interface:
		return leaves(v.Elem(), depth+1)
	default:
		return 1
	}
	return max(n, 1)
}

var errStar = errors.New("'*' widths and precisions are not supported in printf")

// scanVerbs finds the verbs of a printf format, following fmt's grammar:
// %[flags][[n]][width][.[[n]]precision][[n]]verb. reordered reports an
// explicit argument index.
func scanVerbs(f string) (verbs []verb, reordered bool, err error) {
	for i := 0; i < len(f); {
		if f[i] != '%' {
			i++
			continue
		}
		i++
		start := i
		for i < len(f) && strings.IndexByte("#0+- ", f[i]) >= 0 {
			i++
		}
		v := verb{flags: f[start:i]}
		i = skipIndex(f, i, &reordered)
		if v.width, i, err = parseWidth(f, i, "width"); err != nil {
			return nil, false, err
		}
		if i < len(f) && f[i] == '.' {
			i = skipIndex(f, i+1, &reordered)
			if v.precision, i, err = parseWidth(f, i, "precision"); err != nil {
				return nil, false, err
			}
		}
		i = skipIndex(f, i, &reordered)
		if i >= len(f) {
			break // %!(NOVERB)
		}
		r, size := utf8.DecodeRuneInString(f[i:])
		v.verb, i = r, i+size
		verbs = append(verbs, v)
	}
	return verbs, reordered, nil
}

// skipIndex skips an argument index "[n]".
func skipIndex(f string, i int, reordered *bool) int {
	if i < len(f) && f[i] == '[' {
		*reordered = true
		if end := strings.IndexByte(f[i:], ']'); end >= 0 {
			return i + end + 1
		}
	}
	return i
}

// parseWidth reads a width or precision and rejects values above maxWidth.
func parseWidth(f string, i int, what string) (int, int, error) {
	if i < len(f) && f[i] == '*' {
		return 0, i, errStar
	}
	n := 0
	for i < len(f) && '0' <= f[i] && f[i] <= '9' {
		n = min(n*10+int(f[i]-'0'), 10*maxWidth)
		i++
	}
	if n > maxWidth {
		return 0, i, fmt.Errorf("a %s above %d is not allowed", what, maxWidth)
	}
	return n, i, nil
}
