package e2e_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/unsubscribe"
)

// unsubscribeHeaders returns the List-Unsubscribe and List-Unsubscribe-Post
// fields of a raw message (unfolded).
func unsubscribeHeaders(t *testing.T, raw []byte) (link, post string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	require.NoError(t, err)
	return r.Header.Get("List-Unsubscribe"), r.Header.Get("List-Unsubscribe-Post")
}

// fetch sends a request to an unsubscribe link the way a browser or a mail
// client would: no API key, no cookies.
func fetch(t *testing.T, method, url, lang, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func optOuts(t *testing.T, e *apptest.Env, contact string) []string {
	t.Helper()
	var c client.Contact
	e.Must(200, "GET", "/v1/contacts/"+contact, nil).JSON(t, &c)
	return c.OptOuts
}

func newsEvent(to ...client.Actor) *client.Event {
	ev := ping(1, to...)
	ev.Type = "news"
	return ev
}

// TestUnsubscribeOneClick follows a newsletter's link end to end: the
// headers on the wire (the same on every attempt and in the .eml
// download), the page that does nothing on GET, the one-click POST that
// opts the contact out, and the next newsletter suppressed as opted out.
func TestUnsubscribeOneClick(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var attempts [][]byte
	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, _ []string, data []byte) *smtptest.Reply {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, bytes.Clone(data))
		if n == 1 {
			return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Try again later"}
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"name": "Turnverein Beispiel"})
	ctx := context.Background()
	anna := client.Inline(client.Contact{ID: "anna", Email: "anna@example.org", Name: "Anna", Consents: []string{"newsletter"}})

	res, err := c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	news := res.Messages[0].ID
	e.WaitStatusAdvancing(news, "sent", 100*time.Millisecond, wait) // the retry comes due on the fake clock
	mails := srv.Mails()
	require.Len(t, mails, 1)
	link := mails[0].Header.Get("List-Unsubscribe")
	require.True(t, strings.HasPrefix(link, "<"+e.URL+"/u/") && strings.HasSuffix(link, ">"), "List-Unsubscribe: %q", link)
	require.Equal(t, "List-Unsubscribe=One-Click", mails[0].Header.Get("List-Unsubscribe-Post"))
	url := strings.TrimSuffix(strings.TrimPrefix(link, "<"), ">")

	// The rejected first attempt carried the same headers as the delivered
	// one, and the .eml download rebuilds them too.
	mu.Lock()
	require.Len(t, attempts, 2)
	for _, raw := range attempts {
		gotLink, gotPost := unsubscribeHeaders(t, raw)
		require.Equal(t, link, gotLink)
		require.Equal(t, "List-Unsubscribe=One-Click", gotPost)
	}
	mu.Unlock()
	eml := e.Must(200, "GET", "/v1/messages/"+news+"/eml", nil)
	gotLink, gotPost := unsubscribeHeaders(t, eml.Body)
	require.Equal(t, link, gotLink)
	require.Equal(t, "List-Unsubscribe=One-Click", gotPost)

	// GET shows the page in the reader's language and changes nothing.
	status, page := fetch(t, "GET", url, "de-DE,de;q=0.9", "")
	require.Equal(t, 200, status, page)
	require.Contains(t, page, "Turnverein Beispiel")
	require.Contains(t, page, "„newsletter“")
	require.Contains(t, page, ">Abmelden</button>")
	require.Contains(t, page, `action="/u/`)
	require.NotContains(t, page, `href="/"`, "a recipient's page links nowhere into the cockpit")
	status, page = fetch(t, "GET", url, "en", "")
	require.Equal(t, 200, status)
	require.Contains(t, page, ">Unsubscribe</button>")
	require.Empty(t, optOuts(t, e, "anna"), "GET must not opt out: link scanners fetch links")

	// The one-click POST of a mail client opts out, once.
	for range 2 {
		status, page = fetch(t, "POST", url, "en", "List-Unsubscribe=One-Click")
		require.Equal(t, 200, status, page)
		require.Contains(t, page, "Turnverein Beispiel sends no more “newsletter” e-mails to anna@example.org")
	}
	require.Equal(t, []string{"newsletter"}, optOuts(t, e, "anna"))
	m, err := c.Message(ctx, news)
	require.NoError(t, err)
	require.Equal(t, client.StatusSent, m.Status)
	require.Equal(t, client.StatusUnsubscribed, m.Timeline[len(m.Timeline)-1].Status)
	require.Equal(t, "anna@example.org", m.Timeline[len(m.Timeline)-1].Actor)
	require.Equal(t, 1, strings.Count(strings.Join(timelineStatuses(m), ","), "unsubscribed"), "the second POST changes nothing")
	status, page = fetch(t, "GET", url, "en", "")
	require.Equal(t, 200, status)
	require.Contains(t, page, "already unsubscribed")
	require.NotContains(t, page, "<button type=\"submit\" class=\"button\">Unsubscribe")

	// The host application syncing the contact without opt_outs (a PUT,
	// the bulk upload) keeps the recipient's opt-out, and says so.
	var put client.Contact
	e.Must(200, "PUT", "/v1/contacts/anna", map[string]any{"email": "anna@example.org", "name": "Anna B.", "consents": []string{"newsletter"}}).JSON(t, &put)
	require.Equal(t, []string{"newsletter"}, put.OptOuts, "the answer shows the stored opt-outs")
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []map[string]any{
		{"id": "anna", "email": "anna@example.org", "name": "Anna B.", "consents": []string{"newsletter"}}}})
	require.Equal(t, []string{"newsletter"}, optOuts(t, e, "anna"))

	// The next newsletter, with Anna inline and without opt_outs as host
	// apps send her, is suppressed as opted out; transactional mail still
	// goes out, without the headers.
	res, err = c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	require.Equal(t, client.StatusSuppressed, res.Messages[0].Status)
	require.Equal(t, "opted_out", res.Messages[0].Reason)
	require.Equal(t, []string{"newsletter"}, optOuts(t, e, "anna"), "saving the inline contact keeps the opt-out")
	res, err = c.SendEvent(ctx, ping(2, client.ContactID("anna")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	mails = srv.Mails()
	require.Len(t, mails, 2)
	require.Equal(t, "Ping 2", mails[1].Subject)
	require.Empty(t, mails[1].Header.Get("List-Unsubscribe"), "transactional mail has no unsubscribe link")
	require.Empty(t, mails[1].Header.Get("List-Unsubscribe-Post"))
	_, post := unsubscribeHeaders(t, e.Must(200, "GET", "/v1/messages/"+res.Messages[0].ID+"/eml", nil).Body)
	require.Empty(t, post)

	// A host application that manages opt-outs itself sends the field:
	// its preference page subscribes Anna again.
	e.Must(200, "PUT", "/v1/contacts/anna", map[string]any{"email": "anna@example.org", "consents": []string{"newsletter"}, "opt_outs": []string{}})
	require.Empty(t, optOuts(t, e, "anna"))
	res, err = c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	require.Equal(t, client.StatusQueued, res.Messages[0].Status)
}

// newsletterEnv is an app delivering to a test SMTP server.
func newsletterEnv(t *testing.T) (*smtptest.Server, *apptest.Env, *client.Client) {
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	return srv, e, c
}

// subscriber is an inline contact ID@example.org with the newsletter
// consent.
func subscriber(id string) client.Actor {
	return client.Inline(client.Contact{ID: id, Email: id + "@example.org", Consents: []string{"newsletter"}})
}

// TestUnsubscribeLinksCannotBeForged: a changed character, a signature
// moved onto another message or workspace, and links to what no longer
// exists get readable pages, never an opt-out and never a server error.
func TestUnsubscribeLinksCannotBeForged(t *testing.T) {
	t.Parallel()
	srv, e, c := newsletterEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, newsEvent(subscriber("anna"), subscriber("bert")))
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	for _, m := range res.Messages {
		e.WaitStatus(m.ID, "sent", wait)
	}
	links := map[string]string{} // by recipient
	for _, m := range srv.Mails() {
		links[m.Rcpts[0]] = strings.TrimSuffix(strings.TrimPrefix(m.Header.Get("List-Unsubscribe"), "<"), ">")
	}
	annaURL := links["anna@example.org"]
	require.NotEmpty(t, annaURL)
	token := strings.TrimPrefix(annaURL, e.URL+"/u/")
	_, sig, ok := strings.Cut(token, ".")
	require.True(t, ok, token)
	annaMsg, bertMsg := res.Messages[0].ID, res.Messages[1].ID
	if res.Messages[1].To.Contact == "anna" {
		annaMsg, bertMsg = bertMsg, annaMsg
	}
	// forge puts Anna's signature on another link; the payload does not
	// depend on the secret.
	forge := func(ws, contact, category, msg string) string {
		payload, _, _ := strings.Cut(unsubscribe.Token(nil, unsubscribe.Link{Workspace: ws, ContactID: contact,
			Category: category, MessageID: msg}), ".")
		return payload + "." + sig
	}
	require.Equal(t, token, forge("default", "anna", "newsletter", annaMsg), "the test builds payloads as Herold does")
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	bad := map[string]string{
		"changed in the payload":        flip(token, 2),
		"changed in the signature":      flip(token, len(token)-3),
		"last character changed":        flip(token, len(token)-1),
		"signature on another contact":  forge("default", "bert", "newsletter", annaMsg),
		"signature on another message":  forge("default", "anna", "newsletter", bertMsg),
		"signature on another category": forge("default", "anna", "birthday", annaMsg),
		"signature in another space":    forge("other", "anna", "newsletter", annaMsg),
		"cut short":                     token[:len(token)-5],
		"garbage":                       "not-a-token",
	}
	for name, tok := range bad {
		for _, method := range []string{"GET", "POST"} {
			status, page := fetch(t, method, e.URL+"/u/"+tok, "en", "List-Unsubscribe=One-Click")
			require.Equal(t, 404, status, "%s %s", method, name)
			require.Contains(t, page, "This unsubscribe link is not valid", name)
		}
	}
	require.Empty(t, optOuts(t, e, "anna"))
	require.Empty(t, optOuts(t, e, "bert"))

	// A deleted contact: the link is valid but leads nowhere.
	e.Must(204, "DELETE", "/v1/contacts/bert", nil)
	status, page := fetch(t, "POST", links["bert@example.org"], "de", "List-Unsubscribe=One-Click")
	require.Equal(t, 410, status, page)
	require.Contains(t, page, "Dieser Abmeldelink funktioniert nicht mehr")
	status, _ = fetch(t, "GET", links["bert@example.org"], "de", "")
	require.Equal(t, 410, status)

	// The page's own form, posted by a browser, works without a CSRF token:
	// the link is the credential.
	status, page = fetch(t, "POST", annaURL, "de", "List-Unsubscribe=One-Click")
	require.Equal(t, 200, status, page)
	require.Contains(t, page, "Erledigt")
	require.Equal(t, []string{"newsletter"}, optOuts(t, e, "anna"))
}

// TestUnsubscribeLinkOutlivesItsMessage: the link names the contact and
// the category, so it works after the retention purge removed its message.
func TestUnsubscribeLinkOutlivesItsMessage(t *testing.T) {
	t.Parallel()
	srv, e, c := newsletterEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, newsEvent(subscriber("anna")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	url, _ := unsubscribeHeaders(t, srv.Mails()[0].Data)
	url = strings.TrimSuffix(strings.TrimPrefix(url, "<"), ">")

	e.Clock.Advance(31 * 24 * time.Hour) // past the default retention
	require.NoError(t, e.App.Service().Purge(ctx))
	e.Must(404, "GET", "/v1/messages/"+res.Messages[0].ID, nil)

	status, page := fetch(t, "GET", url, "en", "")
	require.Equal(t, 200, status, page)
	require.Contains(t, page, ">Unsubscribe</button>")
	status, page = fetch(t, "POST", url, "en", "List-Unsubscribe=One-Click")
	require.Equal(t, 200, status, page)
	require.Equal(t, []string{"newsletter"}, optOuts(t, e, "anna"))
}

// TestLiteralAddressesGetNoUnsubscribeLink: a literal address is no
// contact, so there is nothing to record an opt-out on.
func TestLiteralAddressesGetNoUnsubscribeLink(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	e.Must(200, "PUT", "/v1/flows/f/notifications/news", map[string]any{"event_type": "news", "template": "ping",
		"recipients": []string{"email:list@example.org"}, "category": "newsletter"})
	res, err := c.SendEvent(context.Background(), newsEvent())
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	m := srv.Mails()[0]
	require.Equal(t, []string{"list@example.org"}, m.Rcpts)
	require.Empty(t, m.Header.Get("List-Unsubscribe"))
	require.Empty(t, m.Header.Get("List-Unsubscribe-Post"))
}
