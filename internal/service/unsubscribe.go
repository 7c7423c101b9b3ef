package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/unsubscribe"
)

// ErrUnsubscribeInvalid means an unsubscribe link is not one this server
// made: mistyped, cut short, changed, or signed with another secret.
var ErrUnsubscribeInvalid = errors.New("the unsubscribe link is not valid")

// ErrUnsubscribeGone means an unsubscribe link was valid but what it
// points to no longer exists: the contact (or its workspace) was deleted.
// A purged message does not matter: the link names the contact and the
// category itself.
var ErrUnsubscribeGone = errors.New("the contact of the unsubscribe link no longer exists")

// Unsubscription is what an unsubscribe link stands for.
type Unsubscription struct {
	// Workspace is the sender.
	Workspace *model.Workspace
	// Email is the contact's address.
	Email string
	// Category is the consent category the link opts out of.
	Category string
	// OptedOut reports whether the contact is opted out of Category (before
	// or by this request).
	OptedOut bool
}

// unsubscribeKey returns the key that signs unsubscribe links. It is
// generated once and kept in the database, so that every replica and
// every restart signs and checks with the same key.
func (s *Service) unsubscribeKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.unsubKey != nil {
		return s.unsubKey, nil
	}
	key, err := unsubscribe.LoadSecret(ctx, s.store, s.now())
	if err != nil {
		return nil, err
	}
	s.unsubKey = key
	return key, nil
}

// listUnsubscribe returns the List-Unsubscribe header of a message, its
// unsubscribe link in angle brackets, or "" when it gets none:
// transactional mail ignores opt-outs; a literal address is no contact,
// so there is nothing to record an opt-out on; and without a public base
// URL there is no absolute link to give. Every message of a mailing has
// one, so it is written into one buffer with its token.
func (s *Service) listUnsubscribe(ws *model.Workspace, m *model.Message, key []byte) string {
	var buf [512]byte
	b := s.linkPrefix(append(buf[:0], '<'), m, "/u/")
	if b == nil {
		return ""
	}
	b = unsubscribe.AppendToken(b, key, unsubscribe.Link{Workspace: ws.Key, ContactID: m.To.ContactID,
		Category: m.Category, MessageID: m.ID})
	return string(append(b, '>'))
}

// linkPrefix appends the public base URL and path to b, the start of a
// signed link of m, or returns nil when m gets no such link (see
// listUnsubscribe).
func (s *Service) linkPrefix(b []byte, m *model.Message, path string) []byte {
	if !unsubscribable(m) {
		return nil
	}
	base := strings.TrimSuffix(s.baseURL(), "/")
	if base == "" {
		return nil
	}
	return append(append(b, base...), path...)
}

// unsubscribable reports whether a message offers an unsubscribe link: it
// belongs to a consent category and went to a contact.
func unsubscribable(m *model.Message) bool {
	return bulk(m) && m.To.ContactID != ""
}

// UnsubscribeCheck resolves an unsubscribe link without changing anything:
// link scanners and previews fetch links, so only Unsubscribe opts out.
func (s *Service) UnsubscribeCheck(ctx context.Context, token string) (*Unsubscription, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	u, _, err := resolveUnsubscribe(ctx, s.store, key, token)
	return u, err
}

// Unsubscribe opts the contact of an unsubscribe link out of the link's
// category on every channel, recorded in the preference ledger with
// source one_click. It is idempotent: a second request changes nothing. The first
// one also adds an "unsubscribed" entry to the message's timeline while
// the message is kept, so the history shows where the opt-out came from;
// later events suppress the contact's messages of that category as opted
// out.
func (s *Service) Unsubscribe(ctx context.Context, token string) (*Unsubscription, error) {
	key, err := s.unsubscribeKey(ctx) // before the transaction: it may write
	if err != nil {
		return nil, err
	}
	var (
		u     *Unsubscription
		added bool
	)
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		var (
			l   unsubscribe.Link
			err error
		)
		if u, l, err = resolveUnsubscribe(ctx, tx, key, token); err != nil {
			return err
		}
		now := s.now()
		changes, err := tx.PreferenceApply(ctx, &store.PreferenceApplyParams{WorkspaceID: u.Workspace.ID,
			ContactID: l.ContactID, Sets: model.OptOutEverywhere(l.Category), Source: model.PrefByOneClick,
			Actor: u.Email, At: now})
		if errors.Is(err, store.ErrNotFound) {
			return ErrUnsubscribeGone
		}
		if added = len(changes) > 0; err != nil || !added {
			return err
		}
		u.OptedOut = true
		entry := &model.MessageEvent{At: now, Status: model.MsgUnsubscribed, Actor: u.Email, Detail: l.Category}
		err = tx.MessageEventAppend(ctx, u.Workspace.ID, l.MessageID, entry)
		if errors.Is(err, store.ErrNotFound) {
			return nil // purged: the contact's opt_outs still record it
		}
		if err != nil {
			return err
		}
		return s.webhookOutcome(ctx, tx, u.Workspace.ID, l.MessageID, model.MsgUnsubscribed, l.Category, now)
	})
	if err != nil {
		return nil, err
	}
	if added {
		s.logger.InfoContext(ctx, "recipient unsubscribed", "workspace", u.Workspace.Key, "category", u.Category)
	}
	return u, nil
}

// resolveUnsubscribe checks a token with key and loads its workspace and
// contact through q.
func resolveUnsubscribe(ctx context.Context, q store.Queries, key []byte, token string) (*Unsubscription, unsubscribe.Link, error) {
	l, err := unsubscribe.Parse(key, token)
	if err != nil || l.Category == model.CategoryTransactional {
		return nil, l, ErrUnsubscribeInvalid
	}
	ws, err := q.WorkspaceGetByKey(ctx, l.Workspace)
	if err != nil {
		return nil, l, goneIfNotFound(err, "load workspace")
	}
	c, err := q.ContactGet(ctx, ws.ID, l.ContactID)
	if err != nil {
		return nil, l, goneIfNotFound(err, "load contact")
	}
	u := &Unsubscription{Workspace: ws, Email: c.Email, Category: l.Category, OptedOut: c.OptedOut(l.Category)}
	return u, l, nil
}

func goneIfNotFound(err error, action string) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnsubscribeGone
	}
	return fmt.Errorf("%s: %w", action, err)
}
