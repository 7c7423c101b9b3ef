package httpapi

import (
	"testing"

	"github.com/herold-dev/herold/internal/openapicheck"
)

// TestOpenAPIExamplesMatchSchemas checks every example of the OpenAPI
// document against the schema it illustrates (a schema's example and
// examples, a media type's or parameter's example and examples). A client
// generator or a linter reads them as the contract's own word, so an
// example missing a required field or carrying a wrong type is a defect of
// the document.
func TestOpenAPIExamplesMatchSchemas(t *testing.T) {
	t.Parallel()
	c, err := openapicheck.New(openAPIDoc)
	if err != nil {
		t.Fatal(err)
	}
	checked, problems := c.Examples()
	if checked < 200 {
		t.Errorf("checked %d examples; the document has more than 200, so the walk misses some", checked)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
