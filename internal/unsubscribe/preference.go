package unsubscribe

import (
	"errors"
	"strconv"
	"time"
)

// preferencePurpose separates preference-page MACs from unsubscribe ones
// made with the same secret: an unsubscribe token never opens the page.
const preferencePurpose = "herold preferences v1\x00"

// PreferenceValidity is how long a preference-page link works after its
// message was made. Unlike the one-click unsubscribe link, which must
// keep working for as long as the mail is kept, the page shows and
// changes every preference of the contact, so its link ages out; the
// page then says to use the link of a newer message.
const PreferenceValidity = 180 * 24 * time.Hour

// ErrExpired is returned for a well-signed preference token past its
// expiry.
var ErrExpired = errors.New("preference link has expired")

// PreferenceLink is what a preference-page link stands for: one contact
// of one workspace, until Expires.
type PreferenceLink struct {
	// Workspace is the workspace's key (see Link).
	Workspace string
	ContactID string
	// Expires is when the link stops working (whole seconds).
	Expires time.Time
}

// PreferenceToken returns the token of l, in the form of Token.
func PreferenceToken(secret []byte, l PreferenceLink) string {
	return sign(secret, preferencePurpose, l.Workspace, l.ContactID, strconv.FormatInt(l.Expires.Unix(), 10))
}

// AppendPreferenceToken appends the token of l (see PreferenceToken) to
// dst, as AppendToken does.
func AppendPreferenceToken(dst, secret []byte, l PreferenceLink) []byte {
	return appendSigned(dst, secret, preferencePurpose, l.Workspace, l.ContactID, strconv.FormatInt(l.Expires.Unix(), 10))
}

// ParsePreference checks a preference token's signature and expiry at
// now: ErrInvalid for any defect, ErrExpired (with the link) when it is
// well signed but too old.
func ParsePreference(secret []byte, token string, now time.Time) (PreferenceLink, error) {
	names, err := parse(secret, preferencePurpose, token, 3)
	if err != nil {
		return PreferenceLink{}, err
	}
	exp, err := strconv.ParseInt(names[2], 10, 64)
	if err != nil {
		return PreferenceLink{}, ErrInvalid
	}
	l := PreferenceLink{Workspace: names[0], ContactID: names[1], Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(l.Expires) {
		return l, ErrExpired
	}
	return l, nil
}
