package service

import (
	"context"
	"strconv"

	"github.com/herold-dev/herold/internal/model"
)

// cursorPurpose separates the MACs of cursors from the other sealed
// tokens and the unsubscribe links signed with the same key.
const cursorPurpose = "herold cursor v1"

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
	return seal(key, cursorPurpose, cursorScope(ws, list), after), nil
}

// CursorOpen returns the position a cursor of CursorSeal stands for, or a
// ValidationError naming the cursor parameter when it is not one CursorSeal
// made for this list of workspace ws.
func (s *Service) CursorOpen(ctx context.Context, ws *model.Workspace, list, cursor string) (string, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	after, ok := unseal(key, cursorPurpose, cursorScope(ws, list), cursor)
	if !ok {
		return "", errCursor()
	}
	return after, nil
}

// cursorScope is the list of one workspace a cursor is good for.
func cursorScope(ws *model.Workspace, list string) string {
	return strconv.FormatInt(ws.ID, 10) + "\x00" + list
}
