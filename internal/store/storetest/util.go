package storetest

import "encoding/json"

// jsonNumber is how numbers come back from JSON columns: exact, as
// json.Number.
func jsonNumber(s string) json.Number { return json.Number(s) }

// normalized calls Normalize, as the service does before every save.
func normalized[T interface{ Normalize() }](v T) T {
	v.Normalize()
	return v
}

// idsOf lists the ids of records, in order, for comparing a result with
// the ids expected.
func idsOf[T any](xs []T, id func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}
