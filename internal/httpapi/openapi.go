package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/herold-dev/herold/internal/service"
)

// openAPIDoc is the API contract, kept in the repository and checked against
// the route table by openapi_test.go.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the API contract as served at /v1/openapi.json. The
// caller must not change it.
func OpenAPI() []byte { return openAPIDoc }

func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request, _ *service.Principal) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
