package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// maxBodyDepth is how deep objects and arrays may nest in a request body:
// the limit of data and attributes (model.MaxDataDepth) plus room for the
// envelope around them (the deepest, a batch event's inline contact's
// attributes, starts at level 7). The service layer checks data and
// attributes exactly; this check refuses a deeper body before a tree of it
// is built.
const maxBodyDepth = model.MaxDataDepth + 16

// tooDeep finds the first object or array of body nested deeper than max
// levels (the body itself is level 1) and names it with its path. It reads
// the bytes once without allocating (scanBody); only a body that is too
// deep is read again, as tokens, to name the path. Malformed JSON is left
// to the decoder, which reports it with its position.
func tooDeep(body []byte, max int) *service.FieldError {
	if !scanBody(body, max).deep {
		return nil
	}
	return deepAt(body, max)
}

// deepAt names the first object or array of body nested deeper than max
// levels, which scanBody found; nil when the body is malformed before it.
func deepAt(body []byte, max int) *service.FieldError {
	path, ok := pathAtDepth(body, max+1)
	if !ok {
		return nil
	}
	return &service.FieldError{Field: path, Code: service.CodeTooDeep, Detail: fmt.Sprintf(
		"the request nests objects and arrays deeper than %d levels; data and attributes may nest at most %d levels deep: flatten the structure",
		max, model.MaxDataDepth)}
}

// pathAtDepth returns the path of the first object or array of body at
// level (the body itself is level 1); false when the body is malformed
// before it.
func pathAtDepth(body []byte, level int) (path string, found bool) {
	walkJSON(body, func(t jsonToken) bool {
		if !t.name && t.depth >= level && (t.tok == json.Delim('{') || t.tok == json.Delim('[')) {
			path, found = t.path, true
			return false
		}
		return true
	})
	return path, found
}

// jsonToken is a member name or a value of a JSON body as walkJSON reads
// it.
type jsonToken struct {
	tok json.Token
	// name: tok is a member name, and path is its object's; otherwise
	// path is the value's ("a.b[2]"; "" for the body itself).
	name bool
	path string
	// depth is the level of the value (the body is 1); an object's or
	// array's is told as it opens.
	depth int
	// before and after are the input offsets around the token; before
	// includes the blanks, comma or colon ahead of it.
	before, after int
}

// frame is an open object or array while walkJSON reads.
type frame struct {
	path   string
	object bool
	// key is the member name just read (objects); index counts the
	// elements read so far (arrays).
	key     string
	haveKey bool
	index   int
}

// walkJSON reads the tokens of body in order and tells visit of each
// member name and each value with its path, until visit returns false or
// body ends. The closing of an object or array is not told. It reports
// false when body is malformed before visit stopped.
func walkJSON(body []byte, visit func(jsonToken) bool) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		t := jsonToken{tok: tok, depth: len(stack) + 1, before: before, after: int(dec.InputOffset())}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if k, ok := tok.(string); ok && top.object && !top.haveKey {
				top.key, top.haveKey = k, true
				t.name, t.path, t.depth = true, top.path, n
				if !visit(t) {
					return true
				}
				continue
			}
			if top.object {
				t.path = model.JoinPath(top.path, top.key)
			} else {
				t.path = fmt.Sprintf("%s[%d]", top.path, top.index)
			}
		}
		if tok != json.Delim('}') && tok != json.Delim(']') && !visit(t) {
			return true
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, frame{path: t.path, object: tok == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (or a closed object or array) is complete: the
		// enclosing container moves on.
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].haveKey = false
			} else {
				stack[n-1].index++
			}
		}
	}
}
