package service

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/verp"
)

// Compose builds the e-mail of message m of workspace ws: the one place
// that decides what a message looks like on the wire, for delivery and for
// the history's .eml download alike. The headers depend only on the
// message (its unsubscribe link is signed with the server's key), so every
// attempt of a message carries the same ones.
func (s *Service) Compose(ctx context.Context, ws *model.Workspace, m *model.Message) (*channel.Email, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	headers := map[string]string{"Auto-Submitted": "auto-generated"}
	if bulk(m) {
		headers["List-Id"] = listID(m.Category, ws.Key, s.baseURL())
		headers["Precedence"] = "bulk"
	}
	if u := s.listUnsubscribe(ws, m, key); u != "" {
		headers["List-Unsubscribe"] = u
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	e := &channel.Email{
		MessageID: m.MessageID, From: m.From, ReplyTo: s.replyTo(ws, m, key),
		To: []model.Address{m.To}, CC: m.CC, BCC: m.BCC,
		Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		Headers:    headers,
		Date:       m.CreatedAt,
		ReturnPath: s.returnPath(ws, m, key),
	}
	if text, htmlBody := s.withPreferenceFooter(m, s.preferenceURL(ws, m, key)); text != nil || htmlBody != nil {
		e.Text, e.TextParts, e.HTML, e.HTMLParts = "", text, "", htmlBody
	}
	return e, nil
}

// returnPath is the message's signed bounce address when an inbound
// domain is set (signed with the server key, under its own purpose), so
// that a bounce names the message even when it quotes nothing of it; else
// "" (the From address is the envelope sender).
func (s *Service) returnPath(ws *model.Workspace, m *model.Message, key []byte) string {
	if s.inboundDomain == "" {
		return ""
	}
	return verp.Address(key, ws.ID, m.ID, s.inboundDomain)
}

// replyTo is the message's Reply-To: its signed reply address when the
// workspace opted into reply tracking and an inbound domain is set (it
// then wins over the Reply-To the template or flow set: the workspace
// chose that its replies come back to Herold), else the message's own.
func (s *Service) replyTo(ws *model.Workspace, m *model.Message, key []byte) string {
	if s.inboundDomain == "" || !ws.Inbound.ReplyTracking {
		return m.ReplyTo
	}
	return cmp.Or(verp.ReplyAddress(key, ws.ID, ws.Key, m.ID, s.inboundDomain), m.ReplyTo)
}

// bulk reports whether m is bulk mail: mail of a consent category
// (newsletters, broadcasts, birthday mail) rather than transactional mail.
// Bulk mail is marked with List-Id and "Precedence: bulk", so receivers
// sort it apart and auto-responders stay silent (RFC 3834 asks them to
// skip such mail).
func bulk(m *model.Message) bool {
	return m.Category != "" && m.Category != model.CategoryTransactional
}

// maxListID is RFC 2919's limit for a list id, angle brackets not counted.
const maxListID = 255

// listID returns the List-Id (RFC 2919) of a workspace's mail of a
// category: "<category.workspace.namespace>", the namespace being the host
// name of the public base URL, or "localhost", RFC 2919's namespace for a
// list without a domain. So every category of every workspace is one list,
// and the id stays the same from message to message. Names are letters,
// digits, '_', '-' and '.' (model.ValidName); a dot inside a name is
// written "=2E" so that "a.b" of "c" and "a" of "b.c" stay apart and the
// id stays a dot-atom. An id that would exceed 255 octets gets a hash of
// the two names as its label.
func listID(category, workspace, baseURL string) string {
	label := listLabel(category) + "." + listLabel(workspace)
	ns := listNamespace(baseURL)
	if len(label)+1+len(ns) > maxListID {
		sum := sha256.Sum256([]byte(category + "\x00" + workspace))
		label = hex.EncodeToString(sum[:16])
	}
	if len(label)+1+len(ns) > maxListID {
		ns = "localhost"
	}
	return "<" + label + "." + ns + ">"
}

// listLabel writes a name as a part of a list id, its dots escaped.
func listLabel(name string) string {
	return strings.ReplaceAll(name, ".", "=2E")
}

// lastNamespace is the base URL listNamespace saw last and its answer,
// since every message of a consent category asks again for the same one.
var lastNamespace atomic.Pointer[[2]string]

// listNamespace returns the host name of baseURL when it is a domain name
// (not an IP address or a name with other characters), else "localhost".
func listNamespace(baseURL string) string {
	if last := lastNamespace.Load(); last != nil && last[0] == baseURL {
		return last[1]
	}
	ns := parseNamespace(baseURL)
	lastNamespace.Store(&[2]string{baseURL, ns})
	return ns
}

func parseNamespace(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "localhost"
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if len(host) > 253 || !strings.ContainsAny(host, "abcdefghijklmnopqrstuvwxyz") {
		return "localhost"
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return "localhost"
		}
	}
	return host
}

// day is today's date in ws's time zone, for the daily counts.
func (s *Service) day(ws *model.Workspace) string {
	return s.now().In(ws.Location()).Format("2006-01-02")
}

func isOneOf(s model.MessageStatus, list []model.MessageStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
