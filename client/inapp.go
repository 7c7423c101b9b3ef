package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// FeedToken signs a feed token that lets one browser read one contact's
// in-app feed until expires (at most 24 hours ahead; Herold refuses
// longer ones). secret is the workspace's feed secret (POST
// /v1/inbox/secret), workspace its key. The host application makes a
// token when it renders a page for the signed-in person and hands it to
// the <herold-inbox> element; the API key never reaches the browser.
//
//	tok := client.FeedToken(secret, "acme", user.ContactID, time.Now().Add(time.Hour))
//
// The format (docs/inbox.md) is base64url(payload) "." base64url(HMAC-SHA256)
// with payload {"ws":…,"sub":…,"exp":…}.
func FeedToken(secret, workspace, contactID string, expires time.Time) string {
	payload, _ := json.Marshal(struct {
		Workspace string `json:"ws"`
		Contact   string `json:"sub"`
		Expires   int64  `json:"exp"`
	}{workspace, contactID, expires.Unix()})
	enc := base64.RawURLEncoding
	p := enc.EncodeToString(payload)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(p))
	return p + "." + enc.EncodeToString(m.Sum(nil))
}

// InApp is an in-app message's item as rendered: what the contact's feed
// shows.
type InApp struct {
	Title   string        `json:"title,omitempty"`
	Body    string        `json:"body,omitempty"`
	Link    string        `json:"link,omitempty"`
	Actions []InAppAction `json:"actions,omitempty"`
}

// InAppAction is one button of an in-app item.
type InAppAction struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}
