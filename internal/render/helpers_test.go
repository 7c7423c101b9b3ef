package render

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// testNow is 23:30 UTC on 1 March 2025: already 2 March in Berlin.
var testNow = time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// testData builds the data model the way the engine does, with event data.
func testData(eventData map[string]any) map[string]any {
	ws := &model.Workspace{Key: "nord", Name: "Agentur Nord", Timezone: "Europe/Berlin"}
	ev := &model.Event{ID: "ev-1", Type: "booking.confirmed", Project: "p-1", OccurredAt: testNow, Source: model.SourceAPI, Data: eventData}
	c := &model.Contact{ID: "c-1", Email: "ann@example.de", Name: "Ann", Locale: "de",
		Attributes: map[string]any{"birthday": "1990-03-02"}}
	data := model.NewData(model.DataInput{Workspace: ws, Event: ev, Contact: c, Now: testNow})
	return model.WithRecipient(data, c.Data())
}

func mustCompile(t testing.TB, c model.TemplateContent) *Compiled {
	t.Helper()
	compiled, err := Compile(c)
	require.NoError(t, err)
	return compiled
}

// renderText compiles src as a text body and renders it.
func renderText(t testing.TB, src string, data map[string]any, opts Options) (string, error) {
	t.Helper()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: src})
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	out, err := c.Render(context.Background(), data, opts)
	return out.Text, err
}

// problemsOf returns the problems of an *Error, failing the test otherwise.
func problemsOf(t testing.TB, err error) []Problem {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %T: %v", err, err)
	return e.Problems
}
