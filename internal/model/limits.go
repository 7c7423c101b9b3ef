package model

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits of a free-form JSON document: an event's data, the attributes of a
// contact, an object or a project. They keep what one API call can plant
// bounded for everything that reads it later (the planner, templates, the
// cockpit), and keep numbers to what every part (CEL, the databases, the
// host application's JSON parser) holds exactly.
const (
	// MaxDataDepth is how deep objects and arrays may nest in one
	// document, counting the document itself: {"a": {"b": [1]}} is 3
	// levels deep.
	MaxDataDepth = 32
	// MaxDataValues is how many values one document may hold, counting
	// every member of every object and array, nested ones included.
	MaxDataValues = 10_000
	// MaxNumberLength bounds the text of a number; a float64 needs at most
	// 24 characters, and PostgreSQL cannot store some much longer ones.
	MaxNumberLength = 100
	// MaxExactInteger is the largest whole number a float64 holds exactly
	// (2^53−1, JavaScript's Number.MAX_SAFE_INTEGER): larger ones written
	// as integers would silently change in conditions and clients.
	MaxExactInteger = 1<<53 - 1
)

// DataLimit names the limit a value of a document exceeds.
type DataLimit string

// The limits of CheckData.
const (
	LimitDepth  DataLimit = "depth"
	LimitValues DataLimit = "values"
	LimitNumber DataLimit = "number"
)

// DataProblem is the first value of a document beyond a limit.
type DataProblem struct {
	// Path names the value, e.g. "data.a.b[3]".
	Path  string
	Limit DataLimit
	// Detail says what is wrong and what to do instead.
	Detail string
}

func (p *DataProblem) Error() string {
	if p.Path == "" {
		return p.Detail
	}
	return p.Path + ": " + p.Detail
}

// CheckData returns the first value of a decoded JSON document beyond the
// limits above, or nil. root names the document in paths ("data",
// "events[2].data", "attributes"). Values come as encoding/json decodes
// them (maps, slices, strings, json.Number or float64, bools, nil).
//
// The walk stops at the first problem and never descends below
// MaxDataDepth, so it costs at most MaxDataValues steps however large or
// deep the document is; which problem is reported first is fixed (object
// members in key order).
func CheckData(root string, v any) *DataProblem {
	w := dataWalker{left: MaxDataValues}
	return w.walk(v, root, 1)
}

type dataWalker struct {
	// left is how many more values the document may hold.
	left int
}

// walk checks v, a value at nesting level (the document itself is 1).
func (w *dataWalker) walk(v any, path string, level int) *DataProblem {
	switch x := v.(type) {
	case map[string]any:
		if p := w.enter(path, level, len(x)); p != nil {
			return p
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if p := w.walk(x[k], JoinPath(path, k), level+1); p != nil {
				return p
			}
		}
	case []any:
		if p := w.enter(path, level, len(x)); p != nil {
			return p
		}
		for i, e := range x {
			if p := w.walk(e, fmt.Sprintf("%s[%d]", path, i), level+1); p != nil {
				return p
			}
		}
	case json.Number:
		if detail := numberProblem(string(x)); detail != "" {
			return &DataProblem{Path: path, Limit: LimitNumber, Detail: detail}
		}
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return &DataProblem{Path: path, Limit: LimitNumber, Detail: "is not a finite number"}
		}
	}
	return nil
}

// enter checks an object or array of n members at level.
func (w *dataWalker) enter(path string, level, n int) *DataProblem {
	if level > MaxDataDepth {
		return &DataProblem{Path: path, Limit: LimitDepth, Detail: fmt.Sprintf(
			"objects and arrays may nest at most %d levels deep, counting the outermost; this one is level %d: flatten the structure",
			MaxDataDepth, level)}
	}
	if n > w.left {
		return &DataProblem{Path: path, Limit: LimitValues, Detail: fmt.Sprintf(
			"here the document passes %d values, the most it may hold (every member of every object and array counts): send less, or split it",
			MaxDataValues)}
	}
	w.left -= n
	return nil
}

// numberProblem says why a JSON number is refused, or "".
func numberProblem(s string) string {
	const asString = "; send such a value as a string"
	shown := s
	if len(shown) > 40 {
		shown = shown[:40] + "…"
	}
	if len(s) > MaxNumberLength {
		return fmt.Sprintf("%s has %d characters; numbers may have at most %d%s", shown, len(s), MaxNumberLength, asString)
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && math.IsInf(f, 0):
		return fmt.Sprintf("%s is beyond the range of numbers (about ±1.8e308)%s", shown, asString)
	case err != nil:
		return fmt.Sprintf("%s is not a number%s", shown, asString)
	case f == 0 && strings.ContainsAny(mantissa(s), "123456789"):
		return fmt.Sprintf("%s is too close to zero to be kept (the smallest is about 4.9e-324)%s", shown, asString)
	}
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n > MaxExactInteger || n < -MaxExactInteger {
			return fmt.Sprintf("%s is a whole number beyond ±%d (2^53−1), which conditions and many JSON parsers cannot hold exactly%s",
				shown, int64(MaxExactInteger), asString)
		}
	}
	return ""
}

// mantissa is a number's text before its exponent.
func mantissa(s string) string {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i]
	}
	return s
}

// JoinPath appends an object member's name to a field path: "data" and
// "a" give "data.a"; an empty path gives "a".
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
