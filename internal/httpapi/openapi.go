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

func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request, _ *service.Principal) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
