package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"

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

// frame is an open object or array while pathAtDepth reads tokens.
type frame struct {
	path   string
	object bool
	// key is the member name just read (objects); index counts the
	// elements read so far (arrays).
	key     string
	haveKey bool
	index   int
}

// pathAtDepth streams the tokens of body up to the first object or array at
// level and returns its path; false when the body is malformed before it.
func pathAtDepth(body []byte, level int) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		// The path of the value this token starts (or ends).
		path := ""
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			switch {
			case top.object && !top.haveKey:
				if k, ok := tok.(string); ok {
					top.key, top.haveKey = k, true
					continue
				}
			case top.object:
				path = model.JoinPath(top.path, top.key)
			default:
				path = fmt.Sprintf("%s[%d]", top.path, top.index)
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack)+1 >= level {
				return path, true
			}
			stack = append(stack, frame{path: path, object: tok == json.Delim('{')})
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
