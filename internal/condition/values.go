package condition

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"
	"unicode/utf8"
)

// Limits of the values explain reports, so that a trace stays small even
// when a condition references a whole record.
const (
	maxValueItems  = 20
	maxValueDepth  = 4
	maxValueString = 200
)

// jsonValue converts a value of the data model to a bounded JSON value:
// timestamps become RFC 3339 strings, long strings, lists and maps are cut.
func jsonValue(v any, depth int) any {
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float32:
		return jsonFloat(float64(x))
	case float64:
		return jsonFloat(x)
	case string:
		return cutString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.Format(time.RFC3339Nano)
	case json.Number:
		return x
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if depth >= maxValueDepth {
			return "{…}"
		}
		return jsonMap(rv, depth)
	case reflect.Slice, reflect.Array:
		if depth >= maxValueDepth {
			return "[…]"
		}
		n := rv.Len()
		out := make([]any, 0, min(n, maxValueItems+1))
		for i := range min(n, maxValueItems) {
			out = append(out, jsonValue(rv.Index(i).Interface(), depth+1))
		}
		if n > maxValueItems {
			out = append(out, fmt.Sprintf("… %d more", n-maxValueItems))
		}
		return out
	}
	return cutString(fmt.Sprint(v))
}

func jsonMap(rv reflect.Value, depth int) map[string]any {
	keys := make([]string, 0, rv.Len())
	byKey := make(map[string]reflect.Value, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		k := fmt.Sprint(it.Key().Interface())
		keys = append(keys, k)
		byKey[k] = it.Value()
	}
	slices.Sort(keys)
	out := make(map[string]any, min(len(keys), maxValueItems+1))
	for _, k := range keys[:min(len(keys), maxValueItems)] {
		out[k] = jsonValue(byKey[k].Interface(), depth+1)
	}
	if len(keys) > maxValueItems {
		out["…"] = fmt.Sprintf("%d more", len(keys)-maxValueItems)
	}
	return out
}

// jsonFloat keeps NaN and infinities, which JSON cannot encode, as text.
func jsonFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprint(f)
	}
	return f
}

func cutString(s string) string {
	if utf8.RuneCountInString(s) <= maxValueString {
		return s
	}
	return string([]rune(s)[:maxValueString]) + "…"
}
