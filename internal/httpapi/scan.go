package httpapi

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// scanResult is what scanBody finds in a request body.
type scanResult struct {
	// deep: objects and arrays nest deeper than the limit (the scan
	// stops there).
	deep bool
	// maybeDuplicate: some object may have a member twice. Two names with
	// the same bytes are a duplicate; a name with an escape ("\u0061") is
	// compared by duplicateMember, which unescapes it.
	maybeDuplicate bool
	// notUTF8 is 1 + the offset of the first byte in a string that is not
	// UTF-8 (the decoder would take it as U+FFFD); 0 when there is none.
	notUTF8 int
}

// scanFrame is an open object or array while scanBody reads.
type scanFrame struct {
	object bool
	// keys indexes the first of the object's member names in scanBody's
	// list of names; seen replaces the list for a large object.
	keys int
	seen map[string]struct{}
}

// linearMembers is how many member names an object's names are compared
// with one by one; a larger object gets a set, so that reading stays
// linear in the body whatever its objects' sizes.
const linearMembers = 8

// scanBody reads body once, before it is decoded, for what the decoder
// does not refuse: nesting deeper than max (decoding such a body would
// build a tree of it first), members named twice in one object (the
// decoder keeps the last, so a proxy or validator in front of Herold that
// keeps the first would see another request) and strings that are not
// UTF-8 (the decoder would store U+FFFD in their place). It allocates nothing for
// ordinary bodies: the names of the open objects are kept as spans of
// body. Malformed JSON is left to the decoder, which reports it with its
// position.
func scanBody(body []byte, max int) scanResult {
	var res scanResult
	var (
		frameArr [64]scanFrame
		frames   = frameArr[:0]
		nameArr  [64][2]int
		names    = nameArr[:0] // member names of the open objects: [start, end) in body
	)
	expectName := false // the next string in the object on top is a member name
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			start, escaped := i+1, false
			j := start
			for ; j < len(body); j++ {
				if c := body[j]; c == '"' {
					break
				} else if c == '\\' {
					escaped = true
					j++
				} else if c >= utf8.RuneSelf {
					r, size := utf8.DecodeRune(body[j:])
					if r == utf8.RuneError && size == 1 && res.notUTF8 == 0 {
						res.notUTF8 = j + 1
					}
					j += size - 1
				}
			}
			if expectName && !res.maybeDuplicate {
				top := &frames[len(frames)-1]
				switch {
				case escaped:
					res.maybeDuplicate = true
				case top.seen != nil:
					n := len(top.seen)
					top.seen[string(body[start:j])] = struct{}{}
					res.maybeDuplicate = len(top.seen) == n
				default:
					name := body[start:j]
					for _, sp := range names[top.keys:] {
						if bytes.Equal(body[sp[0]:sp[1]], name) {
							res.maybeDuplicate = true
						}
					}
					names = append(names, [2]int{start, start + len(name)})
					if len(names)-top.keys > linearMembers {
						top.seen = make(map[string]struct{}, 2*linearMembers)
						for _, sp := range names[top.keys:] {
							top.seen[string(body[sp[0]:sp[1]])] = struct{}{}
						}
						names = names[:top.keys]
					}
				}
			}
			expectName = false
			i = j
		case '{', '[':
			if len(frames) == max {
				res.deep = true
				return res
			}
			object := body[i] == '{'
			frames = append(frames, scanFrame{object: object, keys: len(names)})
			expectName = object
		case '}', ']':
			if n := len(frames); n > 0 {
				names = names[:frames[n-1].keys]
				frames = frames[:n-1]
			}
			expectName = false
		case ',':
			expectName = len(frames) > 0 && frames[len(frames)-1].object
		}
	}
	return res
}

// duplicateMember finds the first member of body named twice in its
// object and names it with its path and position; nil when there is
// none. It reads body as tokens, so it runs only when scanBody suspects a
// duplicate, on a body the decoder found well-formed.
func duplicateMember(body []byte) error {
	seen := map[string]map[string]bool{} // object path → its names so far
	var dup error
	walkJSON(body, func(t jsonToken) bool {
		if !t.name {
			return true
		}
		k := t.tok.(string)
		if seen[t.path][k] {
			// The name starts after the comma and blanks before it.
			start := len(body) - len(bytes.TrimLeft(body[t.before:], " \t\r\n,"))
			line, col := position(body, start+1)
			dup = &malformedError{service.FieldError{Field: model.JoinPath(t.path, k), Code: service.CodeDuplicate,
				Detail: fmt.Sprintf("the member %q appears more than once in its object; send it once", k),
				Line:   line, Column: col}}
			return false
		}
		if seen[t.path] == nil {
			seen[t.path] = map[string]bool{}
		}
		seen[t.path][k] = true
		return true
	})
	return dup
}

// notUTF8Error names the string of body with a byte at offset that is not
// UTF-8: by the path of its value, or of its object for a member name,
// with its line and column.
func notUTF8Error(body []byte, offset int) error {
	line, col := position(body, offset+1)
	field, what := stringAt(body, offset)
	return &service.ValidationError{Fields: []service.FieldError{{Field: field, Code: service.CodeInvalid,
		Detail: what + " is not valid UTF-8; send text as UTF-8", Line: line, Column: col}}}
}

// stringAt returns the path of the string of body that spans offset, and
// whether it is a value or a member name (the path is then its object's).
// body is well-formed.
func stringAt(body []byte, offset int) (path, what string) {
	walkJSON(body, func(t jsonToken) bool {
		if t.after <= offset {
			return true
		}
		path, what = t.path, "the string"
		if t.name {
			what = "a member name"
		}
		return false
	})
	return path, what
}
