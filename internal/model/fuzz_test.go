package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAddress: parsing an address must never panic, and whatever it
// accepts must be safe for a mail header: no line breaks, a local part and
// a dotted domain; the recipient form must agree with it.
func FuzzParseAddress(f *testing.F) {
	for _, seed := range []string{
		"a@b.de", "Anna Berger <anna@example.com>", `"Berger, Anna" <anna@example.com>`,
		"=?utf-8?q?J=C3=BCrgen?= <j@example.org>", "a@b", "<@>", "x@y.de\r\nBcc: z@w.de", "Ünïcødé <ü@ß.de>",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		_, _, rerr := Recipient("email:" + s).Parse()
		if (err == nil) != (rerr == nil) && strings.TrimSpace(s) == s {
			t.Fatalf("ParseAddress(%q) err=%v but the recipient form err=%v", s, err, rerr)
		}
		if err != nil {
			return
		}
		if HasCRLF(a.Address) || HasCRLF(a.Name) {
			t.Fatalf("accepted a line break: %q", s)
		}
		local, domain, ok := strings.Cut(a.Address, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") {
			t.Fatalf("accepted %q as %q", s, a.Address)
		}
		if !ValidEmail(s) {
			t.Fatalf("ParseAddress accepts %q but ValidEmail does not", s)
		}
	})
}

// FuzzCheckData: checking a document must never panic and must hold to
// its word: what it accepts nests at most MaxDataDepth levels, holds at
// most MaxDataValues values, and has only numbers that survive float64
// (whole numbers exactly); what it refuses names a path in the document
// and breaks the limit it names.
func FuzzCheckData(f *testing.F) {
	for _, seed := range []string{
		`{"job":"Messe","n":1,"tags":["a","b"],"when":{"day":"2026-03-01"}}`,
		strings.Repeat(`{"a":`, MaxDataDepth) + "1" + strings.Repeat("}", MaxDataDepth),
		strings.Repeat(`{"a":[`, MaxDataDepth) + "1" + strings.Repeat("]}", MaxDataDepth),
		strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000),
		"[" + strings.Repeat("0,", MaxDataValues) + "0]",
		`{"w":[` + strings.Repeat(`{"x":[1,2,3]},`, 3000) + `1]}`,
		`{"big":1e999999,"i":9007199254740993,"ok":9007199254740991,"tiny":1e-400,"z":0e999999}`,
		`[-9007199254740992, 0.1000000000000000000000001, 1.7976931348623157e308, 5e-324]`,
		`"text"`, `null`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		p := CheckData("data", v)
		depth, values, bad := measure(v, 1)
		if p == nil {
			if depth > MaxDataDepth || values > MaxDataValues || bad != "" {
				t.Fatalf("accepted a document %d deep with %d values (bad number: %q)", depth, values, bad)
			}
			return
		}
		if p.Path != "data" && !strings.HasPrefix(p.Path, "data.") && !strings.HasPrefix(p.Path, "data[") {
			t.Fatalf("problem outside the document: %+v", p)
		}
		broken := map[DataLimit]bool{LimitDepth: depth > MaxDataDepth, LimitValues: values > MaxDataValues, LimitNumber: bad != ""}
		if !broken[p.Limit] {
			t.Fatalf("refused for %s, but the document is %d deep with %d values: %+v", p.Limit, depth, values, p)
		}
	})
}

// measure is the plain, unbounded reading of a document: its depth (v
// itself at level), its number of values below it, and a number that
// would not survive float64.
func measure(v any, level int) (depth, values int, bad string) {
	depth = level - 1
	var members []any
	switch x := v.(type) {
	case map[string]any:
		for _, m := range x {
			members = append(members, m)
		}
	case []any:
		members = x
	case json.Number:
		return depth, 0, numberLoss(string(x))
	default:
		return depth, 0, ""
	}
	depth, values = level, len(members)
	for _, m := range members {
		d, n, b := measure(m, level+1)
		depth, values = max(depth, d), values+n
		if bad == "" {
			bad = b
		}
	}
	return depth, values, bad
}

// numberLoss says how a number's text would not survive float64, or "".
func numberLoss(s string) string {
	if len(s) > MaxNumberLength {
		return "long"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "overflows"
	}
	if f == 0 && strings.Trim(strings.SplitN(strings.ToLower(s), "e", 2)[0], "-0.") != "" {
		return "underflows"
	}
	if !strings.ContainsAny(s, ".eE") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || fmt.Sprint(int64(float64(n))) != fmt.Sprint(n) || n > 1<<53-1 || n < -(1<<53-1) {
			return "inexact"
		}
	}
	return ""
}
