package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestStoredDataShownBounded: event data and contact attributes stored
// before the API's limits existed (9,990 levels deep, 100,000 values, a
// megabyte string) give pages of bounded size, quickly, with a note and a
// link that downloads the whole document; the download is the cockpit
// user's own workspace's only.
func TestStoredDataShownBounded(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	st := e.App.Store()
	var deep any = "leaf"
	for range 9_990 {
		deep = []any{deep}
	}
	wide := make([]any, 100_000)
	for i := range wide {
		wide[i] = fmt.Sprintf("wert-%d <b>", i)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	data := map[string]any{"bomb": deep, "list": wide, "n": json.Number("9007199254740993")}
	require.NoError(t, st.EventInsert(ctx, e.ws.ID, &model.Event{ID: "e-bomb", Type: "job.requested", Project: "messe-koeln",
		Actors: map[string][]string{}, Data: data, OccurredAt: at, ReceivedAt: at, Source: model.SourceAPI}))
	attrs := map[string]any{"bomb": deep, "list": wide, "note": strings.Repeat("ü", 1<<20)}
	require.NoError(t, st.ContactUpsertMany(ctx, e.ws.ID, []*model.Contact{{ID: "c-bomb", Email: "bomb@example.com",
		Attributes: attrs, Consents: []string{}, CreatedAt: at, UpdatedAt: at}}))

	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	for _, tt := range []struct {
		page, download, file string
		doc                  map[string]any
	}{
		{"/events/e-bomb", "/events/e-bomb/data.json", "event-e-bomb-data.json", data},
		{"/contacts/c-bomb", "/contacts/c-bomb/attributes.json", "contact-c-bomb-attributes.json", attrs},
	} {
		start := time.Now()
		resp, body := c.get(tt.page)
		require.Equal(t, http.StatusOK, resp.StatusCode, tt.page)
		require.Less(t, time.Since(start), 10*time.Second, tt.page)
		// 64 KB of JSON, HTML-escaped, and the page around it; before,
		// the event page had 599 MB.
		require.Less(t, len(body), 512<<10, tt.page)
		// (Not require.Contains: it would print the page.)
		require.True(t, strings.Contains(body, `href="`+tt.download+`" download`), "%s: no download link", tt.page)
		require.True(t, strings.Contains(body, "Only the first 64 KB are shown."), "%s: no note", tt.page)
		require.True(t, strings.Contains(body, "[[[[[[[[[["), "%s: the deep data is not shown", tt.page)

		resp, raw := c.get(tt.download)
		require.Equal(t, http.StatusOK, resp.StatusCode, tt.download)
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		require.Equal(t, `attachment; filename="`+tt.file+`"`, resp.Header.Get("Content-Disposition"))
		want, err := json.Marshal(tt.doc)
		require.NoError(t, err)
		require.JSONEq(t, string(want), raw, tt.download)
	}

	// Small data is shown whole, without the note.
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Aufbau", "date": "2026-04-15", "reply_by": "2026-03-20"})
	_, body := c.get("/events/" + res.Event.ID)
	require.Contains(t, body, "&#34;job&#34;: &#34;Aufbau&#34;")
	require.NotContains(t, body, "data.json")

	// Another workspace's user gets nothing, and nobody signed out does.
	admin := e.App.BootstrapUser
	other := newClient(t, e.URL)
	other.signIn(admin.User.Email, admin.Password)
	for _, path := range []string{"/events/e-bomb/data.json", "/contacts/c-bomb/attributes.json"} {
		resp, body := other.get(path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		require.NotContains(t, body, "leaf")
		resp, _ = newClient(t, e.URL).get(path)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
		require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login"), resp.Header.Get("Location"))
	}
}

// TestPreviewRefusesDataBeyondLimits: the template editor's sample data
// (JSON typed by the admin) meets the API's limits, answered in the
// admin's language with the path.
func TestPreviewRefusesDataBeyondLimits(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	sample := `{"data":` + strings.Repeat(`{"a":`, model.MaxDataDepth+1) + "1" + strings.Repeat("}", model.MaxDataDepth+1) + `}`
	in, err := json.Marshal(map[string]string{"locale": "de", "subject": "Hallo {{ .data.a }}", "text": "x", "data": sample})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.URL+"/templates/job-requested/preview", strings.NewReader(string(in)))
	require.NoError(t, err)
	req.Header.Set("X-CSRF-Token", c.csrf("/templates/job-requested"))
	req.Header.Set("Content-Type", "application/json")
	resp, body := c.do(req)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var out struct {
		OK       bool `json:"ok"`
		Problems []struct{ Field, Message string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	require.False(t, out.OK, body)
	require.NotEmpty(t, out.Problems, body)
	require.Equal(t, "sample_data", out.Problems[0].Field, body)
	require.True(t, strings.HasPrefix(out.Problems[0].Message, "data"+strings.Repeat(".a", model.MaxDataDepth)+": Nested too deeply: "), body)
}
