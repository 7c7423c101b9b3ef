package httpapi

import (
	"bytes"
	"encoding/json"
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
	type open struct {
		path   string
		object bool
		key    string
		isKey  bool // the next string is a member name
		index  int
		seen   map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []open
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		path := ""
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			k, isString := tok.(string)
			switch {
			case top.object && top.isKey && isString:
				if top.seen[k] {
					// The name starts after the comma and blanks before it.
					start := len(body) - len(bytes.TrimLeft(body[before:], " \t\r\n,"))
					line, col := position(body, start+1)
					return &malformedError{service.FieldError{Field: model.JoinPath(top.path, k), Code: service.CodeDuplicate,
						Detail: fmt.Sprintf("the member %q appears more than once in its object; send it once", k),
						Line:   line, Column: col}}
				}
				top.seen[k], top.key, top.isKey = true, k, false
				continue
			case top.object:
				path = model.JoinPath(top.path, top.key)
			default:
				path = fmt.Sprintf("%s[%d]", top.path, top.index)
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, open{path: path, object: true, isKey: true, seen: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, open{path: path})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (or a closed object or array) is complete: the
		// enclosing container moves on.
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].isKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil || int(dec.InputOffset()) > offset {
			break
		}
		if n := len(stack); n > 0 && stack[n-1].object && !stack[n-1].haveKey {
			if k, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].haveKey = k, true
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, frame{path: valuePath(stack), object: tok == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].haveKey = false
			} else {
				stack[n-1].index++
			}
		}
	}
	// The token that spans offset is the next: a name when the object on
	// top has none yet, else a value.
	if n := len(stack); n > 0 && stack[n-1].object && !stack[n-1].haveKey {
		return stack[n-1].path, "a member name"
	}
	return valuePath(stack), "the string"
}

// valuePath is the path of the value that comes next in the innermost
// open object or array of stack.
func valuePath(stack []frame) string {
	n := len(stack)
	switch {
	case n == 0:
		return ""
	case stack[n-1].object:
		return model.JoinPath(stack[n-1].path, stack[n-1].key)
	default:
		return fmt.Sprintf("%s[%d]", stack[n-1].path, stack[n-1].index)
	}
}
