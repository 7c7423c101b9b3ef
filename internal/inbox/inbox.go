// Package inbox is the in-app channel: a feed per contact that in-app
// messages are delivered into, marks (seen, read, archived, snoozed) with
// counts the server computes, live wake-ups for Server-Sent Event
// streams, and the signed tokens that let a browser read one contact's
// feed without an API key.
package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
)

// Store is what the inbox needs of the store.
type Store interface {
	store.FeedQueries
	WorkspaceGetByKey(ctx context.Context, key string) (*model.Workspace, error)
}

// Config wires an Inbox. Store is required.
type Config struct {
	Store Store
	// Clock gives every timestamp. Default the system clock.
	Clock  clock.Clock
	Logger *slog.Logger
	// MaxStreamsPerContact bounds one contact's live streams (tabs); a
	// newer one ends the oldest. Default 8.
	MaxStreamsPerContact int
	// MaxStreams bounds all live streams of the process. Default 10000.
	MaxStreams int
	// Heartbeat is how often an idle stream gets a comment, so that
	// proxies and browsers keep it open and a closed tab is noticed.
	// Default 25s.
	Heartbeat time.Duration
	// Poll is how often every stream also looks for changes itself:
	// changes made by another replica wake no stream of this one. 0 (the
	// default) never, right for a single server.
	Poll time.Duration
}

// Inbox is the in-app channel.
type Inbox struct {
	cfg Config
	hub *hub
	log *slog.Logger

	// The streams' loops, started with the first stream (see stream.go).
	startOnce    sync.Once
	loops        sync.WaitGroup
	streamCtx    context.Context
	streamCancel context.CancelFunc
}

// ErrStopped is returned for streams opened while the server stops.
var ErrStopped = errors.New("the server is stopping; reconnect in a moment")

// Page limits of the feed list.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxMarkItems bounds the seqs one mark names.
	MaxMarkItems = 500
	// maxOrigins bounds a workspace's allowed origins.
	maxOrigins = 20
)

// New returns an Inbox.
func New(cfg Config) (*Inbox, error) {
	if cfg.Store == nil {
		return nil, errors.New("inbox: a store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxStreamsPerContact <= 0 {
		cfg.MaxStreamsPerContact = 8
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = 10000
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 25 * time.Second
	}
	return &Inbox{cfg: cfg, hub: newHub(cfg.MaxStreamsPerContact, cfg.MaxStreams),
		log: cfg.Logger.With("component", "inbox")}, nil
}

// Deliver appends an in-app message to its contact's feed (see
// delivery.Feed) and wakes the contact's streams.
func (x *Inbox) Deliver(ctx context.Context, ws *model.Workspace, m *model.Message) (string, error) {
	if m.To.ContactID == "" {
		return "", fmt.Errorf("in-app message %s has no contact", m.ID)
	}
	item := model.InAppContent{Title: m.Subject, Body: m.Text}
	if m.InApp != nil {
		item = *m.InApp
	}
	it, created, err := x.cfg.Store.FeedAppend(ctx, &store.FeedAppendParams{WorkspaceID: ws.ID, ContactID: m.To.ContactID,
		MessageID: m.ID, Category: m.Category, Item: item, At: x.cfg.Clock.Now()})
	if err != nil {
		return "", fmt.Errorf("append to feed: %w", err)
	}
	x.hub.notify(hubKey{ws.ID, m.To.ContactID})
	if !created {
		return fmt.Sprintf("already in the feed as item %d", it.Seq), nil
	}
	return fmt.Sprintf("feed item %d", it.Seq), nil
}

// ListParams page through a feed.
type ListParams struct {
	Before   int64
	Limit    int
	Archived bool
}

// Page is one page of a feed with its counts.
type Page struct {
	Items  []*model.FeedItem `json:"items"`
	Counts *model.FeedCounts `json:"counts"`
	// Next is the Before of the next page; 0 at the end.
	Next int64 `json:"next,omitempty"`
}

// List returns a page of the contact's feed, newest first.
func (x *Inbox) List(ctx context.Context, ws *model.Workspace, contact string, p ListParams) (*Page, error) {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		return nil, invalid("limit", service.CodeInvalid, "at most %d", MaxPageSize)
	}
	now := x.cfg.Clock.Now()
	items, err := x.cfg.Store.FeedList(ctx, &store.FeedListParams{WorkspaceID: ws.ID, ContactID: contact,
		Before: p.Before, Archived: p.Archived, Now: now, Limit: p.Limit + 1})
	if err != nil {
		return nil, err
	}
	pg := &Page{Items: items}
	if len(items) > p.Limit {
		pg.Items = items[:p.Limit]
		pg.Next = pg.Items[p.Limit-1].Seq
	}
	if pg.Items == nil {
		pg.Items = []*model.FeedItem{}
	}
	if pg.Counts, err = x.cfg.Store.FeedCounts(ctx, ws.ID, contact, now); err != nil {
		return nil, err
	}
	return pg, nil
}

// MarkParams say what to mark: the items named in Seqs and all up to UpTo.
type MarkParams struct {
	Mark  model.FeedMark `json:"mark"`
	Seqs  []int64        `json:"seqs,omitempty"`
	UpTo  int64          `json:"up_to,omitempty"`
	Until *time.Time     `json:"until,omitempty"`
}

// MarkResult is what a mark changed and the counts after it.
type MarkResult struct {
	Changed int               `json:"changed"`
	Counts  *model.FeedCounts `json:"counts"`
}

// Mark applies a mark and wakes the contact's other streams (tabs).
func (x *Inbox) Mark(ctx context.Context, ws *model.Workspace, contact string, p MarkParams) (*MarkResult, error) {
	now := x.cfg.Clock.Now()
	var fields []service.FieldError
	if !p.Mark.Valid() {
		fields = append(fields, service.FieldError{Field: "mark", Code: service.CodeInvalid,
			Detail: fmt.Sprintf("%q is not a mark; use seen, read, unread, archived, unarchived or snoozed", p.Mark)})
	}
	if len(p.Seqs) == 0 && p.UpTo <= 0 {
		fields = append(fields, service.FieldError{Field: "seqs", Code: service.CodeRequired,
			Detail: "name the items in seqs, or all up to one in up_to"})
	}
	if len(p.Seqs) > MaxMarkItems {
		fields = append(fields, service.FieldError{Field: "seqs", Code: service.CodeTooMany,
			Detail: fmt.Sprintf("at most %d items per request; use up_to for more", MaxMarkItems)})
	}
	var until time.Time
	if p.Mark == model.FeedSnoozed {
		if p.Until == nil || !p.Until.After(now) {
			fields = append(fields, service.FieldError{Field: "until", Code: service.CodeRequired,
				Detail: "a snooze needs until, a time in the future (RFC 3339)"})
		} else {
			until = p.Until.UTC().Truncate(time.Millisecond)
		}
	}
	if len(fields) > 0 {
		return nil, &service.ValidationError{Fields: fields}
	}
	n, err := x.cfg.Store.FeedMark(ctx, &store.FeedMarkParams{WorkspaceID: ws.ID, ContactID: contact, Mark: p.Mark,
		Seqs: p.Seqs, UpTo: p.UpTo, Until: until, At: now})
	if err != nil {
		return nil, err
	}
	c, err := x.cfg.Store.FeedCounts(ctx, ws.ID, contact, now)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		x.hub.notify(hubKey{ws.ID, contact})
	}
	return &MarkResult{Changed: n, Counts: c}, nil
}

// Changes returns the items changed after version after, oldest change
// first, at most limit, and the counts now.
func (x *Inbox) Changes(ctx context.Context, ws *model.Workspace, contact string, after int64, limit int) ([]*model.FeedItem, *model.FeedCounts, error) {
	items, err := x.cfg.Store.FeedChanges(ctx, &store.FeedChangesParams{WorkspaceID: ws.ID, ContactID: contact,
		After: after, Limit: limit})
	if err != nil {
		return nil, nil, err
	}
	c, err := x.cfg.Store.FeedCounts(ctx, ws.ID, contact, x.cfg.Clock.Now())
	return items, c, err
}

// Streams returns the number of live streams.
func (x *Inbox) Streams() int { return x.hub.count() }

// Close ends every live stream (the server stops), refuses new ones and
// stops the streams' loops. Safe to call more than once.
func (x *Inbox) Close() { x.stopStreams() }

// Authenticate checks a feed token for the workspace named wsKey (the
// URL's): it must name that workspace, be signed with its current or
// previous feed secret, and not have expired.
func (x *Inbox) Authenticate(ctx context.Context, wsKey, token string) (*model.Workspace, string, error) {
	if token == "" {
		return nil, "", ErrTokenMissing
	}
	p, sig, c, err := parse(token)
	if err != nil {
		return nil, "", err
	}
	if c.Workspace != wsKey {
		// The claims are readable to whoever holds the token: saying so
		// gives nothing away.
		return nil, "", ErrTokenWorkspace
	}
	ws, err := x.cfg.Store.WorkspaceGetByKey(ctx, wsKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrTokenSignature
	}
	if err != nil {
		return nil, "", err
	}
	s, err := x.cfg.Store.FeedSettingsGet(ctx, ws.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrTokenSignature
	}
	if err != nil {
		return nil, "", err
	}
	if err := verify(p, sig, c, x.cfg.Clock.Now(), s.Secret, s.PreviousSecret); err != nil {
		return nil, "", err
	}
	return ws, c.Contact, nil
}

// Settings returns a workspace's feed settings (an empty one when none
// were made).
func (x *Inbox) Settings(ctx context.Context, ws *model.Workspace) (*model.FeedSettings, error) {
	s, err := x.cfg.Store.FeedSettingsGet(ctx, ws.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &model.FeedSettings{Origins: []string{}}, nil
	}
	return s, err
}

// SetOrigins replaces the browser origins allowed to call the feed
// ("https://app.example.org"; no path).
func (x *Inbox) SetOrigins(ctx context.Context, ws *model.Workspace, origins []string) (*model.FeedSettings, error) {
	var fields []service.FieldError
	if len(origins) > maxOrigins {
		fields = append(fields, service.FieldError{Field: "origins", Code: service.CodeTooMany,
			Detail: fmt.Sprintf("at most %d origins", maxOrigins)})
	}
	for i, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.User != nil {
			fields = append(fields, service.FieldError{Field: fmt.Sprintf("origins[%d]", i), Code: service.CodeInvalid,
				Detail: fmt.Sprintf("%q is not an origin; use scheme and host like https://app.example.org", o)})
			continue
		}
		origins[i] = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	if len(fields) > 0 {
		return nil, &service.ValidationError{Fields: fields}
	}
	s, err := x.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	s.Origins, s.UpdatedAt = origins, x.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	if s.Origins == nil {
		s.Origins = []string{}
	}
	return s, x.cfg.Store.FeedSettingsPut(ctx, ws.ID, s)
}

// RotateSecret makes a new feed secret and returns it; it is shown this
// once. The previous secret stays valid for tokens already handed out
// (they expire within MaxTokenTTL) until the next rotation.
func (x *Inbox) RotateSecret(ctx context.Context, ws *model.Workspace) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := "hfs_" + base64.RawURLEncoding.EncodeToString(b)
	s, err := x.Settings(ctx, ws)
	if err != nil {
		return "", err
	}
	s.PreviousSecret, s.Secret = s.Secret, secret
	s.UpdatedAt = x.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	if err := x.cfg.Store.FeedSettingsPut(ctx, ws.ID, s); err != nil {
		return "", err
	}
	x.log.Info("feed secret rotated", "workspace", ws.Key)
	return secret, nil
}

// OriginAllowed reports whether a browser origin may call the feed of
// the workspace called wsKey.
func (x *Inbox) OriginAllowed(ctx context.Context, wsKey, origin string) bool {
	ws, err := x.cfg.Store.WorkspaceGetByKey(ctx, wsKey)
	if err != nil {
		return false
	}
	s, err := x.cfg.Store.FeedSettingsGet(ctx, ws.ID)
	if err != nil {
		return false
	}
	origin = strings.ToLower(origin)
	for _, o := range s.Origins {
		if o == origin {
			return true
		}
	}
	return false
}

func invalid(field, code, format string, args ...any) error {
	return &service.ValidationError{Fields: []service.FieldError{{Field: field, Code: code, Detail: fmt.Sprintf(format, args...)}}}
}
