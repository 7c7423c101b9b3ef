package service

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Bounds of suppression-list input: a note is a sentence, a search a
// fragment of an address.
const (
	MaxSuppressionNote   = 1000
	MaxSuppressionSearch = 254
)

// SuppressionInput is an administrator's entry for the suppression list.
type SuppressionInput struct {
	Email string `json:"email"`
	// Note is the evidence shown by explain ("asked by phone").
	Note string `json:"note"`
	// ExpiresAt, when set, must lie in the future.
	ExpiresAt *time.Time `json:"expires_at"`
}

// SuppressionList pages through the workspace's suppression list by
// address, keeping those containing search (case-insensitive) when set.
func (s *Service) SuppressionList(ctx context.Context, ws *model.Workspace, search string, p PageParams) (*Page[*model.Suppression], error) {
	if len(search) > MaxSuppressionSearch {
		return nil, &ValidationError{Fields: []FieldError{{Field: "q", Code: CodeTooLong,
			Detail: fmt.Sprintf("search for at most %d characters of an address", MaxSuppressionSearch)}}}
	}
	return page(ctx, p, func(s *model.Suppression) string { return s.Email },
		func(ctx context.Context, after string, limit int) ([]*model.Suppression, error) {
			return s.store.SuppressionList(ctx, &store.SuppressionListParams{WorkspaceID: ws.ID, Search: search,
				After: after, Limit: limit})
		})
}

// SuppressionAdd puts an address on the list by hand (kind manual; the
// planner suppresses it as "blocked"), replacing an entry it has.
func (s *Service) SuppressionAdd(ctx context.Context, ws *model.Workspace, in SuppressionInput) (*model.Suppression, bool, error) {
	now := s.now().UTC()
	var errs []FieldError
	if in.Email == "" {
		errs = append(errs, FieldError{Field: "email", Code: CodeRequired, Detail: "name the address to suppress"})
	} else if _, err := model.ParseBareAddress(in.Email); errors.Is(err, model.ErrNotBare) {
		errs = append(errs, FieldError{Field: "email", Code: CodeInvalidEmail,
			Detail: fmt.Sprintf("%q is not a bare e-mail address: give only the address, such as anna@example.org, without a name, angle brackets or a comment", in.Email)})
	} else if err != nil {
		errs = append(errs, FieldError{Field: "email", Code: CodeInvalidEmail, Detail: "not an e-mail address, e.g. anna@example.org"})
	}
	if utf8.RuneCountInString(in.Note) > MaxSuppressionNote {
		errs = append(errs, FieldError{Field: "note", Code: CodeTooLong, Detail: fmt.Sprintf("at most %d characters", MaxSuppressionNote)})
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		errs = append(errs, FieldError{Field: "expires_at", Code: CodeInvalid, Detail: "must lie in the future; leave it out for an entry that does not expire"})
	}
	if len(errs) > 0 {
		return nil, false, &ValidationError{Fields: errs}
	}
	sup := &model.Suppression{Email: in.Email, Kind: model.SuppressionManual, Evidence: in.Note, CreatedAt: now}
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC()
		sup.ExpiresAt = &t
	}
	created, err := s.store.SuppressionUpsert(ctx, &store.SuppressionUpsertParams{WorkspaceID: ws.ID, Suppression: sup})
	if err != nil {
		return nil, false, err
	}
	return sup, created, nil
}

// SuppressionDelete takes an address off the list: it is mailed again.
func (s *Service) SuppressionDelete(ctx context.Context, ws *model.Workspace, email string) error {
	return mapNotFound(s.store.SuppressionDelete(ctx, ws.ID, email), "suppression of %q", email)
}
