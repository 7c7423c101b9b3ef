package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// choicePurpose separates the MACs of workspace choices from the other
// sealed tokens and the unsubscribe links signed with the same key.
const choicePurpose = "herold sign-in workspace choice"

// workspaceChoice signs the users whose password was verified into a
// token valid for ChoiceTTL and bound to the browser. The token is
// stateless, so that any replica accepts it.
func (s *Service) workspaceChoice(ctx context.Context, users []*model.User, binding string) (*WorkspaceChoice, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	out := &WorkspaceChoice{}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ws, err := s.store.WorkspaceGetByID(ctx, u.WorkspaceID)
		if err != nil {
			return nil, fmt.Errorf("load workspace: %w", err)
		}
		out.Options = append(out.Options, ChoiceOption{UserID: u.ID, Workspace: ws})
		ids = append(ids, strconv.FormatInt(u.WorkspaceID, 10)+":"+u.ID)
	}
	payload := strconv.FormatInt(s.now().Add(ChoiceTTL).Unix(), 10) + "|" + strings.Join(ids, ",")
	out.Token = seal(key, choicePurpose, binding, payload)
	return out, nil
}

// SignInChoose starts the session of the user a workspace choice offered.
// It returns ErrChoiceExpired for a token that is not valid (any more) or
// a user it does not name.
func (s *Service) SignInChoose(ctx context.Context, token, binding, userID string) (*SignedIn, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	payload, ok := unseal(key, choicePurpose, binding, token)
	if !ok {
		return nil, ErrChoiceExpired
	}
	exp, list, _ := strings.Cut(payload, "|")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !s.now().Before(time.Unix(unix, 0)) {
		return nil, ErrChoiceExpired
	}
	entries := strings.Split(list, ",")
	i := slices.IndexFunc(entries, func(e string) bool { return strings.HasSuffix(e, ":"+userID) })
	if i < 0 || userID == "" {
		return nil, ErrChoiceExpired
	}
	ws, _, _ := strings.Cut(entries[i], ":")
	wsID, _ := strconv.ParseInt(ws, 10, 64)
	u, err := s.store.UserGetByID(ctx, wsID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrChoiceExpired // deleted since
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	return s.startSession(ctx, u)
}
