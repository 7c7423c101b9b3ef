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
