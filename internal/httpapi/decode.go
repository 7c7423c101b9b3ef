package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// errBodyTooLarge is returned by decode when the body exceeds its limit.
var errBodyTooLarge = errors.New("request body too large")

// errBodyTimeout is returned by decode when the body did not arrive within
// the server's read timeout (--http-read-timeout); it maps to 408.
var errBodyTimeout = errors.New("the request body did not arrive in time")

// readBody reads r's body whole. A failure is the client's, never the
// server's, and is answered as such: a body over the limit (413), one
// that did not arrive within the read timeout (408), one that ended
// before its declared length — the client closed the connection or sent
// less than its Content-Length — or came in a broken chunked encoding
// (400).
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		return body, nil
	}
	var (
		mbe *http.MaxBytesError
		ne  net.Error
	)
	switch {
	case errors.As(err, &mbe):
		return nil, errBodyTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return nil, errBodyTimeout
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &malformedError{service.FieldError{Code: service.CodeMalformed,
			Detail: "the request body ended before the length it announced (Content-Length or chunked encoding)"}}
	}
	return nil, &malformedError{service.FieldError{Code: service.CodeMalformed,
		Detail: "the request body could not be read: " + err.Error()}}
}

// malformedError is a JSON syntax error; it maps to 400.
type malformedError struct{ service.FieldError }

func (e *malformedError) Error() string { return e.FieldError.String() }

// decode reads a JSON request body into dst strictly: syntax errors carry a
// line and column, and unknown fields and wrong types are reported with
// their path ("notifications[0].recipients[1]"), all of them at once.
func decode(r *http.Request, dst any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !isJSON(ct) {
		return &unsupportedMediaError{got: ct}
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// decodeOptional is decode for endpoints whose body may be empty (however
// the client sends "empty": no body, Content-Length 0 or a chunked nothing).
func decodeOptional(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return &unsupportedMediaError{got: ct}
	}
	return decodeBytes(body, dst)
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

type unsupportedMediaError struct{ got string }

func (e *unsupportedMediaError) Error() string {
	return fmt.Sprintf("Content-Type %q is not supported; send Content-Type: application/json", e.got)
}

func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &malformedError{service.FieldError{Code: service.CodeMalformed, Detail: "the request body is empty; send a JSON object"}}
	}
	scan := scanBody(body, maxBodyDepth)
	if scan.deep {
		if fe := deepAt(body, maxBodyDepth); fe != nil {
			return &service.ValidationError{Fields: []service.FieldError{*fe}}
		}
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return syntaxError(body, err)
	}
	if dec.More() || trailing(dec) {
		line, col := position(body, int(dec.InputOffset()))
		return &malformedError{service.FieldError{Code: service.CodeMalformed,
			Detail: "unexpected data after the JSON value", Line: line, Column: col}}
	}
	if scan.maybeDuplicate {
		if err := duplicateMember(body); err != nil {
			return err
		}
	}
	if scan.notUTF8 > 0 {
		return notUTF8Error(body, scan.notUTF8-1)
	}
	var errs []service.FieldError
	checkValue(generic, reflect.TypeOf(dst).Elem(), "", &errs)
	if len(errs) > 0 {
		return &service.ValidationError{Fields: errs}
	}
	strict := json.NewDecoder(bytes.NewReader(body))
	strict.UseNumber()
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		// checkValue accepted what the decoder refuses: report it plainly
		// rather than guess a path.
		return &service.ValidationError{Fields: []service.FieldError{{Code: service.CodeType, Detail: err.Error()}}}
	}
	return nil
}

func trailing(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err != io.EOF
}

func syntaxError(body []byte, err error) error {
	var se *json.SyntaxError
	offset := len(body)
	detail := "the body is not valid JSON: " + err.Error()
	if errors.As(err, &se) {
		offset = int(se.Offset)
	} else if errors.Is(err, io.ErrUnexpectedEOF) {
		detail = "the body is not valid JSON: it ends too early"
	}
	line, col := position(body, offset)
	return &malformedError{service.FieldError{Code: service.CodeMalformed, Detail: detail, Line: line, Column: col}}
}

// position converts a byte offset into a 1-based line and column.
func position(body []byte, offset int) (line, col int) {
	if offset > len(body) {
		offset = len(body)
	}
	line, col = 1, 1
	for _, b := range body[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	if col > 1 {
		col-- // the offset points just past the offending byte
	}
	return line, col
}

// jsonChecker is implemented by input types that accept more than one JSON
// shape (a contact id or a contact object); they check the decoded value
// themselves, reporting with paths like every other type.
type jsonChecker interface {
	checkJSON(v any, path string, errs *[]service.FieldError)
}

var (
	checkerTy     = reflect.TypeOf((*jsonChecker)(nil)).Elem()
	timeType      = reflect.TypeOf(time.Time{})
	rawType       = reflect.TypeOf(json.RawMessage{})
	unmarshalerTy = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

func typeError(errs *[]service.FieldError, path, want string, got any) {
	*errs = append(*errs, service.FieldError{Field: path, Code: service.CodeType,
		Detail: fmt.Sprintf("must be %s, not %s", want, jsonKind(got))})
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true/false"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// checkValue walks a decoded JSON value against the Go type it will be
// decoded into and records every unknown field and type mismatch.
func checkValue(v any, t reflect.Type, path string, errs *[]service.FieldError) {
	if v == nil {
		return // null leaves the zero value
	}
	if t == timeType {
		s, ok := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); !ok || err != nil {
			*errs = append(*errs, service.FieldError{Field: path, Code: service.CodeType,
				Detail: "must be a timestamp in RFC 3339 form, e.g. 2026-03-01T09:30:00+01:00"})
		}
		return
	}
	info := typeInfoOf(t)
	if info.checker {
		reflect.New(t).Interface().(jsonChecker).checkJSON(v, path, errs)
		return
	}
	if info.unmarshaler {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkValue(v, t.Elem(), path, errs)
	case reflect.Interface:
	case reflect.String:
		if _, ok := v.(string); !ok {
			typeError(errs, path, "a string", v)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			typeError(errs, path, "true or false", v)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			typeError(errs, path, "a whole number", v)
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			typeError(errs, path, "a number", v)
		}
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			typeError(errs, path, "an array", v)
			return
		}
		for i, e := range list {
			checkValue(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			typeError(errs, path, "an object", v)
			return
		}
		if t.Elem().Kind() == reflect.Interface {
			return // any value will do
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			checkValue(m[k], t.Elem(), model.JoinPath(path, k), errs)
		}
	case reflect.Struct:
		checkStruct(v, t, path, errs)
	}
}

func checkStruct(v any, t reflect.Type, path string, errs *[]service.FieldError) {
	m, ok := v.(map[string]any)
	if !ok {
		typeError(errs, path, "an object", v)
		return
	}
	fields := typeInfoOf(t).fields
	for _, k := range slices.Sorted(maps.Keys(m)) {
		f, ok := fields[k]
		if !ok {
			*errs = append(*errs, service.FieldError{Field: model.JoinPath(path, k), Code: service.CodeUnknownField,
				Detail: fmt.Sprintf("unknown field %q; known fields: %s", k, strings.Join(fieldNames(fields), ", "))})
			continue
		}
		checkValue(m[k], f.Type, model.JoinPath(path, k), errs)
	}
}

// typeInfo is what checkValue asks of a type, worked out once per type:
// reflection's answers do not change, and asking them for every value of
// every request was most of checkValue's cost.
type typeInfo struct {
	// checker: the type checks its JSON itself (jsonChecker).
	checker bool
	// unmarshaler: the type decodes itself (json.RawMessage or a
	// json.Unmarshaler), so it is not walked.
	unmarshaler bool
	// fields are a struct's JSON fields (see jsonFields).
	fields map[string]reflect.StructField
}

// typeInfos caches typeInfo by reflect.Type; the request types are a
// fixed, small set.
var typeInfos gosync.Map

func typeInfoOf(t reflect.Type) *typeInfo {
	if v, ok := typeInfos.Load(t); ok {
		return v.(*typeInfo)
	}
	notPtr := t.Kind() != reflect.Pointer
	info := &typeInfo{
		checker:     notPtr && reflect.PointerTo(t).Implements(checkerTy),
		unmarshaler: t == rawType || (notPtr && reflect.PointerTo(t).Implements(unmarshalerTy)),
	}
	if t.Kind() == reflect.Struct {
		info.fields = jsonFields(t)
	}
	v, _ := typeInfos.LoadOrStore(t, info)
	return v.(*typeInfo)
}

// jsonFields maps JSON names to struct fields, following embedded structs
// as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, shadowed := out[k]; !shadowed {
						out[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func fieldNames(fields map[string]reflect.StructField) []string {
	return slices.Sorted(maps.Keys(fields))
}
