// Package client is the Go client for Herold's HTTP API, for host
// applications (booking systems, helpdesks, CRMs) that send events and keep
// contacts and objects in sync. Herold's own end-to-end tests and CLI use it.
//
//	c := client.New("http://127.0.0.1:8080", os.Getenv("HEROLD_KEY"))
//	res, err := c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "messe-koeln",
//		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-17")}}})
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one Herold server with one API key.
type Client struct {
	BaseURL string
	Key     string
	// HTTP is the client used; default one with a 30 s timeout that keeps
	// up to 64 idle connections to the server, so that many goroutines
	// sending events at once reuse connections instead of opening new ones.
	HTTP *http.Client
	// Language is sent as Accept-Language (explain sentences).
	Language string
}

// New returns a client for baseURL (e.g. "http://127.0.0.1:8080").
func New(baseURL, key string) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), Key: key, HTTP: &http.Client{Timeout: 30 * time.Second, Transport: t}}
}

// FieldError names one rejected input field.
type FieldError struct {
	// File is the configuration file of the problem (plan and apply);
	// Line and Column are then the file's.
	File   string `json:"file,omitempty"`
	Field  string `json:"field"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Error is an API error (RFC 9457 problem details).
type Error struct {
	Status int          `json:"status"`
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Status, e.Title)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	for _, f := range e.Errors {
		if f.File != "" {
			fmt.Fprintf(&b, "\n  %s: %s: %s", fileLocation(f), f.Field, f.Detail)
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Detail)
		if f.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", f.Line)
		}
	}
	return b.String()
}

// fileLocation is "file:line:column", leaving out what is unknown.
func fileLocation(f FieldError) string {
	loc := f.File
	if f.Line > 0 {
		loc += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(":%d", f.Column)
		}
	}
	return loc
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Do sends a request with a JSON body (nil for none) and decodes a JSON
// answer into out (nil to discard). Non-2xx answers return *Error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	if c.Language != "" {
		req.Header.Set("Accept-Language", c.Language)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, Title: resp.Status}
		_ = json.Unmarshal(data, e)
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	return json.Unmarshal(data, out)
}

// Actor is a contact id or an inline contact in an event.
type Actor struct {
	ID      string
	Contact *Contact
}

// ContactID refers to a contact Herold already knows.
func ContactID(id string) Actor { return Actor{ID: id} }

// Inline sends a contact with the event; Herold creates or updates it.
func Inline(c Contact) Actor { return Actor{ID: c.ID, Contact: &c} }

// MarshalJSON writes the id or the contact object.
func (a Actor) MarshalJSON() ([]byte, error) {
	if a.Contact != nil {
		return json.Marshal(a.Contact)
	}
	return json.Marshal(a.ID)
}

// ObjectRef names an object.
type ObjectRef struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
}

// Event is something that happened in the host application.
type Event struct {
	Type           string             `json:"type"`
	Project        string             `json:"project"`
	Object         *ObjectRef         `json:"object,omitempty"`
	Actors         map[string][]Actor `json:"actors,omitempty"`
	Contact        *Actor             `json:"contact,omitempty"`
	Data           map[string]any     `json:"data,omitempty"`
	OccurredAt     *time.Time         `json:"occurred_at,omitempty"`
	IdempotencyKey string             `json:"idempotency_key,omitempty"`
}

// Address is a mailbox.
type Address struct {
	Contact string `json:"contact,omitempty"`
	Email   string `json:"email"`
	Name    string `json:"name,omitempty"`
}

// MessageSummary is a planned message in an event's answer.
type MessageSummary struct {
	ID           string     `json:"id"`
	Notification string     `json:"notification"`
	Template     string     `json:"template"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason"`
	To           Address    `json:"to"`
	CC           []Address  `json:"cc"`
	BCC          []Address  `json:"bcc"`
	Subject      string     `json:"subject"`
	ExpiresAt    *time.Time `json:"expires_at"`
	// LastReply is the mail server's reply to the last attempt.
	LastReply string `json:"last_reply"`
}

// EventResult is the answer to an accepted event.
type EventResult struct {
	ID         string           `json:"id"`
	Duplicate  bool             `json:"duplicate"`
	ReceivedAt time.Time        `json:"received_at"`
	Messages   []MessageSummary `json:"messages"`
}

// SendEvent sends one event; the answer lists every planned message.
func (c *Client) SendEvent(ctx context.Context, e *Event) (*EventResult, error) {
	var out EventResult
	return &out, c.Do(ctx, "POST", "/v1/events", e, &out)
}

// BatchResult is one event's answer in a batch.
type BatchResult struct {
	Index int `json:"index"`
	*EventResult
	Errors []FieldError `json:"errors"`
}

// SendEvents sends many events in one request and one transaction.
func (c *Client) SendEvents(ctx context.Context, events []*Event) ([]BatchResult, error) {
	var out struct {
		Results []BatchResult `json:"results"`
	}
	return out.Results, c.Do(ctx, "POST", "/v1/events/batch", map[string]any{"events": events}, &out)
}

// ExplainStep is one explained decision.
type ExplainStep struct {
	Code         string            `json:"code"`
	Notification string            `json:"notification"`
	Recipient    string            `json:"recipient"`
	Message      string            `json:"message"`
	At           *time.Time        `json:"at"`
	Params       map[string]string `json:"params"`
	Values       map[string]any    `json:"values"`
	Text         string            `json:"text"`
}

// Explanation answers "why (not) sent?".
type Explanation struct {
	EventID  string           `json:"event_id"`
	Language string           `json:"language"`
	Summary  string           `json:"summary"`
	Steps    []ExplainStep    `json:"steps"`
	Messages []MessageSummary `json:"messages"`
}

// Explain explains a past event in lang ("de" or "en"; empty: the client's
// Language).
func (c *Client) Explain(ctx context.Context, eventID, lang string) (*Explanation, error) {
	var out Explanation
	path := "/v1/events/" + url.PathEscape(eventID) + "/explain"
	if lang != "" {
		path += "?lang=" + url.QueryEscape(lang)
	}
	return &out, c.Do(ctx, "GET", path, nil, &out)
}

// DryRun explains what a hypothetical event would send, sending nothing.
func (c *Client) DryRun(ctx context.Context, e *Event) (*Explanation, error) {
	var out Explanation
	return &out, c.Do(ctx, "POST", "/v1/explain", e, &out)
}

// Contact is a person the host application knows.
type Contact struct {
	ID         string         `json:"id"`
	Email      string         `json:"email,omitempty"`
	Name       string         `json:"name,omitempty"`
	Locale     string         `json:"locale,omitempty"`
	Timezone   string         `json:"timezone,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
	Consents   []string       `json:"consents,omitempty"`
	OptOuts    []string       `json:"opt_outs,omitempty"`
}

// PutContact creates or replaces a contact.
func (c *Client) PutContact(ctx context.Context, ct *Contact) error {
	return c.Do(ctx, "PUT", "/v1/contacts/"+url.PathEscape(ct.ID), ct, nil)
}

// Put creates or replaces any resource by path, e.g.
// Put(ctx, "/v1/flows/standard", flow). Use it for templates, flows,
// projects and objects, whose bodies are documented in the OpenAPI document.
func (c *Client) Put(ctx context.Context, path string, body any) error {
	return c.Do(ctx, "PUT", path, body, nil)
}

// TimelineEntry is one step of a message's life.
type TimelineEntry struct {
	At            time.Time  `json:"at"`
	Status        string     `json:"status"`
	Attempt       int        `json:"attempt"`
	Actor         string     `json:"actor"`
	Detail        string     `json:"detail"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
}

// Message is one delivery with its rendered copy and timeline.
type Message struct {
	MessageSummary
	EventID   string          `json:"event_id"`
	From      string          `json:"from"`
	ReplyTo   string          `json:"reply_to"`
	HTML      string          `json:"html"`
	Text      string          `json:"text"`
	MessageID string          `json:"message_id"`
	Attempts  int             `json:"attempts"`
	LastReply string          `json:"last_reply"`
	SentAt    *time.Time      `json:"sent_at"`
	Timeline  []TimelineEntry `json:"timeline"`
}

// Message returns one message.
func (c *Client) Message(ctx context.Context, id string) (*Message, error) {
	var out Message
	return &out, c.Do(ctx, "GET", "/v1/messages/"+url.PathEscape(id), nil, &out)
}

// Decision is the answer to one approval or decline.
type Decision struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Error   string `json:"error"`
	Applied bool   `json:"applied"`
}

// Approve releases messages awaiting confirmation; actor names who decided.
func (c *Client) Approve(ctx context.Context, actor string, ids ...string) ([]Decision, error) {
	return c.decide(ctx, "approve", actor, ids)
}

// Decline drops messages awaiting confirmation.
func (c *Client) Decline(ctx context.Context, actor string, ids ...string) ([]Decision, error) {
	return c.decide(ctx, "decline", actor, ids)
}

func (c *Client) decide(ctx context.Context, what, actor string, ids []string) ([]Decision, error) {
	var out struct {
		Results []Decision `json:"results"`
	}
	err := c.Do(ctx, "POST", "/v1/confirmations/"+what, map[string]any{"ids": ids, "actor": actor}, &out)
	return out.Results, err
}
