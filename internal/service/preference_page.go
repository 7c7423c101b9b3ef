package service

import (
	"context"
	"errors"
	"html"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/unsubscribe"
)

// ErrPreferenceLinkInvalid means a preference-page link is not one this
// server made: mistyped, cut short, changed, or signed with another key.
var ErrPreferenceLinkInvalid = errors.New("the preference link is not valid")

// ErrPreferenceLinkExpired means a preference-page link was made by this
// server but is older than unsubscribe.PreferenceValidity.
var ErrPreferenceLinkExpired = errors.New("the preference link has expired")

// PreferencePage is what a preference-page link shows: the workspace
// (its name heads the page), the contact and its preferences.
type PreferencePage struct {
	Workspace   *model.Workspace
	Contact     *model.Contact
	Preferences *Preferences
	// Changed counts the values a save changed.
	Changed int
}

// PreferencePageGet resolves a preference-page link and loads what the
// page shows. It changes nothing: link scanners fetch links too.
func (s *Service) PreferencePageGet(ctx context.Context, token string) (*PreferencePage, error) {
	ws, c, err := s.resolvePreferenceLink(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.preferencePage(ctx, ws, c.ID)
}

// PreferencePageSave applies what the recipient chose on the page: the
// ledger records each value that changed with source page and the
// contact's address.
func (s *Service) PreferencePageSave(ctx context.Context, token string, in []CategoryPreference) (*PreferencePage, error) {
	ws, c, err := s.resolvePreferenceLink(ctx, token)
	if err != nil {
		return nil, err
	}
	changes, err := s.applyPreferences(ctx, ws, c.ID, in, model.PrefByPage, c.Email)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil, ErrUnsubscribeGone
	}
	if err != nil {
		return nil, err
	}
	if len(changes) > 0 {
		s.logger.InfoContext(ctx, "recipient changed preferences", "workspace", ws.Key, "contact", c.ID,
			"changes", len(changes))
	}
	pg, err := s.preferencePage(ctx, ws, c.ID)
	if err != nil {
		return nil, err
	}
	pg.Changed = len(changes)
	return pg, nil
}

// preferencePage loads what the page shows of contact id.
func (s *Service) preferencePage(ctx context.Context, ws *model.Workspace, id string) (*PreferencePage, error) {
	c, err := s.store.ContactGet(ctx, ws.ID, id)
	if err != nil {
		return nil, goneIfNotFound(err, "load contact")
	}
	p, err := s.PreferencesGet(ctx, ws, c.ID)
	if err != nil {
		return nil, err
	}
	return &PreferencePage{Workspace: ws, Contact: c, Preferences: p}, nil
}

func (s *Service) resolvePreferenceLink(ctx context.Context, token string) (*model.Workspace, *model.Contact, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, nil, err
	}
	l, err := unsubscribe.ParsePreference(key, token, s.now())
	switch {
	case errors.Is(err, unsubscribe.ErrExpired):
		return nil, nil, ErrPreferenceLinkExpired
	case err != nil:
		return nil, nil, ErrPreferenceLinkInvalid
	}
	ws, err := s.store.WorkspaceGetByKey(ctx, l.Workspace)
	if err != nil {
		return nil, nil, goneIfNotFound(err, "load workspace")
	}
	c, err := s.store.ContactGet(ctx, ws.ID, l.ContactID)
	if err != nil {
		return nil, nil, goneIfNotFound(err, "load contact")
	}
	return ws, c, nil
}

// preferenceURL returns the preference-page link of a message, or "" when
// it gets none: for the reasons listUnsubscribe gives. The link expires
// unsubscribe.PreferenceValidity after the message was made, so every
// attempt of a message carries the same link.
func (s *Service) preferenceURL(ws *model.Workspace, m *model.Message, key []byte) string {
	var buf [512]byte
	b := s.linkPrefix(buf[:0], m, "/p/")
	if b == nil {
		return ""
	}
	exp := m.CreatedAt.Add(unsubscribe.PreferenceValidity).Truncate(1e9)
	return string(unsubscribe.AppendPreferenceToken(b, key, unsubscribe.PreferenceLink{Workspace: ws.Key,
		ContactID: m.To.ContactID, Expires: exp}))
}

// withPreferenceFooter adds the link to the preference page at the end of
// a message's text and HTML bodies, in the message's language (German or
// English): every mail of a consent category carries it. The bodies come
// back in pieces (nil for a body without a footer, which stays the
// message's), which the MIME builder writes one after the other, so that
// no message of a mailing copies its bodies.
func (s *Service) withPreferenceFooter(m *model.Message, url string) (text, htmlBody []string) {
	if url == "" || m.Text == "" && m.HTML == "" {
		return nil, nil
	}
	lang := "en"
	if strings.HasPrefix(strings.ToLower(m.Locale), "de") {
		lang = "de"
	}
	label := s.catalog.T(lang, "mail.preferences.footer", nil)
	parts := make([]string, 0, 13) // both bodies' pieces in one allocation
	if m.Text != "" {
		parts = append(parts, strings.TrimRight(m.Text, "\r\n"), "\n\n-- \n", label, ": ", url, "\n")
		text = parts[:len(parts):len(parts)]
	}
	if m.HTML != "" {
		i := bodyEnd(m.HTML)
		start := len(parts)
		parts = append(parts, m.HTML[:i], `<p style="font-size:small;color:#555"><a href="`, html.EscapeString(url), `">`,
			html.EscapeString(label), "</a></p>", m.HTML[i:])
		htmlBody = parts[start:]
	}
	return text, htmlBody
}

// bodyEnd returns where the last "</body>" of an HTML body starts, in any
// case, or the body's end when it has none: where the preference footer
// goes. It compares in place rather than searching a lower-cased copy,
// which cost a copy of every body sent (and whose offsets shift when a
// character changes its length in lower case, as "İ" does).
func bodyEnd(htmlBody string) int {
	const tag = "</body>"
	for end := len(htmlBody); ; {
		i := strings.LastIndexByte(htmlBody[:end], '<')
		if i < 0 {
			return len(htmlBody)
		}
		if len(htmlBody)-i >= len(tag) && strings.EqualFold(htmlBody[i:i+len(tag)], tag) {
			return i
		}
		end = i
	}
}
