package httpserver

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/metrics"
)

// ObserveConfig says how to measure and log one handler's requests.
type ObserveConfig struct {
	// Handler names the handler in the metrics: "api" or "cockpit".
	Handler string
	// Route returns the route pattern a request matches (the Go mux
	// pattern, e.g. "GET /v1/flows/{key}"), or "" when none does. The
	// pattern, not the raw path, labels the metrics, so their series stay
	// few whatever paths clients send.
	Route func(*http.Request) string
	// Logger gets one line per answered error: 5xx at ERROR, 4xx at
	// DEBUG. It carries the handler's component.
	Logger  *slog.Logger
	Metrics *metrics.Metrics
}

// unmatched is the route label of a request no route matches.
const unmatched = "unmatched"

// maxRequestID bounds the X-Request-Id value copied into a log line.
const maxRequestID = 128

// Observe wraps next: every request is timed into the metrics by route
// and status, and every answer with an error status is logged once, with
// the method, route, path, status, the client's X-Request-Id if any, and
// the cause a handler gave with NoteError. An answer given before the
// request body has been read to its end closes the connection (see
// recorder.answer).
func Observe(next http.Handler, cfg ObserveConfig) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Discard()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := cmp.Or(cfg.Route(r), unmatched)
		note := &errorNote{}
		rec := &recorder{ResponseWriter: w, http1: r.ProtoMajor == 1}
		req := r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			rec.body = &bodyWatch{ReadCloser: r.Body}
			req.Body = rec.body
		}
		next.ServeHTTP(rec, req)
		took := time.Since(start)
		status := cmp.Or(rec.status, http.StatusOK)
		cfg.Metrics.HTTPRequests.WithLabelValues(cfg.Handler, route, strconv.Itoa(status)).Observe(took.Seconds())
		if status < 400 {
			return
		}
		level, msg := slog.LevelDebug, "request refused"
		switch {
		case status == http.StatusServiceUnavailable:
			// Load shedding (the client is told to retry after a while) is
			// expected under load, not a fault of the server.
			level, msg = slog.LevelWarn, "request shed"
		case status >= 500:
			level, msg = slog.LevelError, "request failed"
		}
		if !cfg.Logger.Enabled(r.Context(), level) {
			return
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("duration", took)}
		if id := r.Header.Get("X-Request-Id"); id != "" {
			attrs = append(attrs, slog.String("request_id", id[:min(len(id), maxRequestID)]))
		}
		if note.err != nil {
			attrs = append(attrs, slog.Any("error", note.err))
		}
		cfg.Logger.LogAttrs(r.Context(), level, msg, attrs...)
	})
}

// noteKey finds a request's errorNote in its context.
type noteKey struct{}

// errorNote holds the cause of a failed request for its log line.
type errorNote struct{ err error }

// NoteError hands the cause of an error answer to the log line Observe
// writes for r; it reports false when r is not observed, so that the
// caller logs the cause itself.
func NoteError(r *http.Request, err error) bool {
	note, ok := r.Context().Value(noteKey{}).(*errorNote)
	if ok {
		note.err = err
	}
	return ok
}

// unreadBodyGrace is how long the server still reads the rest of a
// request body after answering without it (see recorder.answer): long
// enough for a client that sends its body at once to finish sending it,
// so that closing the connection does not reset it before the client has
// read the answer; too short for a client that trickles its body to hold
// the connection.
const unreadBodyGrace = time.Second

// recorder notes the status a handler answers with. It unwraps to the
// server's ResponseWriter, so http.ResponseController (Flush, deadlines:
// see LongLived) reaches the connection through it.
type recorder struct {
	http.ResponseWriter
	status int
	// body watches the request body; nil when there is none.
	body  *bodyWatch
	http1 bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		r.answer()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
		r.answer()
	}
	return r.ResponseWriter.Write(b)
}

// answer is called as the answer's header is about to go out. An answer
// given before the request body has been read to its end (a 401, 403,
// 413, 415, 503, 404 or any other refusal that does not need the body)
// closes the connection instead of keeping it: net/http would otherwise
// read (and discard) up to 256 KiB of the body before it even sends the
// answer, so that the connection can serve another request, and a client
// trickling its body would get no answer, and hold its connection, until
// the read timeout. With Connection: close net/http sends the answer at
// once (server.go skips the discard when closeAfterReply is set); the
// read deadline then bounds the read of the rest that net/http still does
// before closing (body.Close in finishRequest).
func (r *recorder) answer() {
	if r.body == nil || r.body.done {
		return
	}
	if r.http1 {
		r.Header().Set("Connection", "close")
	}
	_ = http.NewResponseController(r.ResponseWriter).SetReadDeadline(time.Now().Add(unreadBodyGrace))
}

// bodyWatch notes whether a request body has been read to its end.
type bodyWatch struct {
	io.ReadCloser
	done bool
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

// Unwrap returns the wrapped ResponseWriter (for http.ResponseController).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
