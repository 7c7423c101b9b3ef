package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/herold-dev/herold/internal/httpserver"
	"github.com/herold-dev/herold/internal/service"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors names the rejected fields, at most maxProblemErrors of them.
	Errors []service.FieldError `json:"errors,omitempty"`
	// ErrorsOmitted counts the rejected fields beyond those listed.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
}

// maxProblemErrors bounds the field errors a problem lists, so that an
// answer stays small whatever the request: 50,000 unknown member ids
// would otherwise answer 5 MB of errors.
const maxProblemErrors = 100

// Problem types, relative to the API; docs/api.md explains each.
const (
	problemValidation   = "/problems/validation-error"
	problemMalformed    = "/problems/malformed-request"
	problemNotFound     = "/problems/not-found"
	problemConflict     = "/problems/conflict"
	problemUnauthorized = "/problems/unauthorized"
	problemForbidden    = "/problems/forbidden"
	problemTooLarge     = "/problems/body-too-large"
	problemMediaType    = "/problems/unsupported-media-type"
	problemInternal     = "/problems/internal-error"
	problemMethod       = "/problems/method-not-allowed"
	problemOverloaded   = "/problems/overloaded"
	problemTimeout      = "/problems/request-timeout"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
}

// writeError maps an error from decoding or the service to a problem.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		verr      *service.ValidationError
		malformed *malformedError
		nf        *service.NotFoundError
		conflict  *service.ConflictError
		forbidden *service.ForbiddenError
		media     *unsupportedMediaError
	)
	switch {
	case errors.As(err, &malformed):
		writeProblem(w, Problem{Type: problemMalformed, Title: "Malformed request body", Status: http.StatusBadRequest,
			Detail: malformed.String(), Errors: []service.FieldError{malformed.FieldError}})
	case errors.As(err, &verr):
		p := Problem{Type: problemValidation, Title: "Invalid input", Status: http.StatusUnprocessableEntity,
			Detail: summary(verr.Fields), Errors: verr.Fields}
		if n := len(p.Errors); n > maxProblemErrors {
			p.Errors, p.ErrorsOmitted = p.Errors[:maxProblemErrors], n-maxProblemErrors
		}
		writeProblem(w, p)
	case errors.As(err, &nf):
		p := Problem{Type: problemNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: nf.Error()}
		if nf.Field != "" {
			p.Errors = []service.FieldError{{Field: nf.Field, Code: service.CodeUnknownRef, Detail: nf.Error()}}
		}
		writeProblem(w, p)
	case errors.As(err, &conflict):
		writeProblem(w, Problem{Type: problemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: conflict.Detail})
	case errors.As(err, &forbidden):
		writeProblem(w, Problem{Type: problemForbidden, Title: "Forbidden", Status: http.StatusForbidden, Detail: forbidden.Detail})
	case errors.As(err, &media):
		writeProblem(w, Problem{Type: problemMediaType, Title: "Unsupported media type", Status: http.StatusUnsupportedMediaType, Detail: media.Error()})
	case errors.Is(err, errBodyTooLarge):
		writeProblem(w, Problem{Type: problemTooLarge, Title: "Request body too large", Status: http.StatusRequestEntityTooLarge,
			Detail: "the request body exceeds the limit for this endpoint; split it into smaller requests"})
	case errors.Is(err, errBodyTimeout):
		writeProblem(w, Problem{Type: problemTimeout, Title: "Request timeout", Status: http.StatusRequestTimeout,
			Detail: "the request body did not arrive within the server's read timeout; send it faster, or in smaller requests"})
	case errors.Is(err, service.ErrOverloaded), errors.Is(err, errBulkBusy):
		w.Header().Set("Retry-After", "1")
		writeProblem(w, Problem{Type: problemOverloaded, Title: "Overloaded", Status: http.StatusServiceUnavailable,
			Detail: err.Error()})
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		w.WriteHeader(499)
	default:
		if !httpserver.NoteError(r, err) {
			h.logger.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Any("error", err))
		}
		writeProblem(w, Problem{Type: problemInternal, Title: "Internal error", Status: http.StatusInternalServerError,
			Detail: "the server could not complete the request; the error is in its log"})
	}
}

func summary(fields []service.FieldError) string {
	switch n := len(fields); {
	case n == 1:
		return fields[0].String()
	case n > maxProblemErrors:
		return fmt.Sprintf("%d fields are invalid; the first %d are listed", n, maxProblemErrors)
	default:
		return fmt.Sprintf("%d fields are invalid; see errors", n)
	}
}
