package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"github.com/herold-dev/herold/internal/model"
)

// cursorPurpose separates the MACs of cursors from the unsubscribe tokens
// signed with the same server secret (see package unsubscribe).
const cursorPurpose = "herold cursor v1\x00"

// cursorMACSize is the length of a cursor's truncated HMAC-SHA256: 128
// bits, as in unsubscribe tokens.
const cursorMACSize = 16

// maxCursor bounds a cursor's length: a position is an id or a key of at
// most a few hundred bytes, in base64 with the MAC.
const maxCursor = 1024

// errCursor is the answer to a cursor this server did not hand out for
// the list it comes back to.
func errCursor() error {
	return &ValidationError{Fields: []FieldError{{Field: "cursor", Code: CodeInvalid,
		Detail: "is not a cursor of this list: pass back the next_cursor of the previous page with the same path and filters, or start without it"}}}
}

// CursorSeal returns the cursor clients pass back to get the page after
// position after of a list. list names the list with its filters (the API
// gives the path and the query without cursor and limit), so that the
// cursor is good for that list of workspace ws only. The cursor is
// base64url(after) "." base64url(MAC): a forged, changed or misplaced
// cursor is refused instead of answering a page from a wrong position.
func (s *Service) CursorSeal(ctx context.Context, ws *model.Workspace, list, after string) (string, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(after)) + "." + enc.EncodeToString(cursorMAC(key, ws.ID, list, after)), nil
}

// CursorOpen returns the position a cursor of CursorSeal stands for, or a
// ValidationError naming the cursor parameter when it is not one CursorSeal
// made for this list of workspace ws.
func (s *Service) CursorOpen(ctx context.Context, ws *model.Workspace, list, cursor string) (string, error) {
	pos, sig, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > maxCursor {
		return "", errCursor()
	}
	enc := base64.RawURLEncoding
	after, err := enc.DecodeString(pos)
	if err != nil {
		return "", errCursor()
	}
	mac, err := enc.DecodeString(sig)
	if err != nil {
		return "", errCursor()
	}
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	if !hmac.Equal(mac, cursorMAC(key, ws.ID, list, string(after))) {
		return "", errCursor()
	}
	return string(after), nil
}

// cursorMAC signs a position in one list of one workspace; the lengths
// keep the parts apart, so no two (list, position) pairs sign alike.
func cursorMAC(key []byte, wsID int64, list, after string) []byte {
	h := hmac.New(sha256.New, key)
	b := []byte(cursorPurpose)
	b = binary.AppendVarint(b, wsID)
	b = binary.AppendUvarint(b, uint64(len(list)))
	b = append(b, list...)
	b = append(b, after...)
	h.Write(b)
	return h.Sum(nil)[:cursorMACSize]
}
