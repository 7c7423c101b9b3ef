package service

import (
	"context"
	"errors"
	"testing"

	"github.com/herold-dev/herold/internal/model"
)

// FuzzCursorOpen feeds arbitrary cursors to CursorOpen: it must never
// panic, must refuse with a field error naming the cursor, and what it
// takes must be a position signed for this list of this workspace (the
// same as sealing that position again).
func FuzzCursorOpen(f *testing.F) {
	s, err := New(Config{Store: openSQLite(f)})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	ws, other := &model.Workspace{ID: 1}, &model.Workspace{ID: 2}
	const list = "/v1/messages?status=failed"
	for _, after := range []string{"", "p-anna", "01956f2a-3c47-7b11-8e21-0c9d4a6b3f12"} {
		c, err := s.CursorSeal(ctx, ws, list, after)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(c)
		o, _ := s.CursorSeal(ctx, other, list, after)
		f.Add(o)
	}
	for _, seed := range []string{"zzz", "cC1hbm5h", ".", "cC1hbm5h.", "%%%.x", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		after, err := s.CursorOpen(ctx, ws, list, cursor)
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != "cursor" {
				t.Fatalf("CursorOpen(%q) = %v, want a field error naming cursor", cursor, err)
			}
			return
		}
		if _, err := s.CursorOpen(ctx, other, list, cursor); err == nil {
			t.Fatalf("cursor %q opens in another workspace", cursor)
		}
		if _, err := s.CursorOpen(ctx, ws, list+"&project=p", cursor); err == nil {
			t.Fatalf("cursor %q opens with other filters", cursor)
		}
		sealed, err := s.CursorSeal(ctx, ws, list, after)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.CursorOpen(ctx, ws, list, sealed); err != nil || again != after {
			t.Fatalf("resealed cursor of %q opens as %q, %v", after, again, err)
		}
	})
}
