package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanUser(r scanner) (*model.User, error) {
	var u model.User
	if err := r.Scan(&u.ID, &u.WorkspaceID, &u.Email, &u.Name, &u.PasswordHash, &u.LastSignInAt,
		&u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	u.LastSignInAt = utcPtr(u.LastSignInAt)
	u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	return &u, nil
}

func (q queriesImpl) UserInsert(ctx context.Context, u *model.User) error {
	_, err := q.db.Exec(ctx, query("UserInsert"), u.ID, u.WorkspaceID, strings.ToLower(u.Email), u.Name, u.PasswordHash,
		u.LastSignInAt, u.CreatedAt, u.UpdatedAt)
	return mapErr(err)
}

func (q queriesImpl) UserGetByID(ctx context.Context, ws int64, id string) (*model.User, error) {
	return scanUser(q.db.QueryRow(ctx, query("UserGetByID"), ws, id))
}

func (q queriesImpl) UserGetByEmail(ctx context.Context, ws int64, email string) (*model.User, error) {
	return scanUser(q.db.QueryRow(ctx, query("UserGetByEmail"), ws, email))
}

func (q queriesImpl) UserListByEmail(ctx context.Context, email string) ([]*model.User, error) {
	rows, err := q.db.Query(ctx, query("UserListByEmail"), email)
	return collect(rows, err, scanUser)
}

func (q queriesImpl) UserCount(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, query("UserCount")).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) UserList(ctx context.Context, ws int64) ([]*model.User, error) {
	rows, err := q.db.Query(ctx, query("UserList"), ws)
	return collect(rows, err, scanUser)
}

func (q queriesImpl) UserUpdatePassword(ctx context.Context, p *store.UserPasswordParams) error {
	return affected(q.db.Exec(ctx, query("UserUpdatePassword"), p.PasswordHash, p.At, p.WorkspaceID, p.ID))
}

func (q queriesImpl) UserSignedIn(ctx context.Context, p *store.UserSignedInParams) error {
	return affected(q.db.Exec(ctx, query("UserSignedIn"), p.At, p.WorkspaceID, p.ID))
}

func (q queriesImpl) UserDelete(ctx context.Context, ws int64, id string) error {
	return affected(q.db.Exec(ctx, query("UserDelete"), ws, id))
}

func scanSession(r scanner) (*model.Session, error) {
	var s model.Session
	if err := r.Scan(&s.TokenHash, &s.WorkspaceID, &s.UserID, &s.CSRFToken, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt); err != nil {
		return nil, mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt)
	return &s, nil
}

func (q queriesImpl) SessionInsert(ctx context.Context, s *model.Session) error {
	_, err := q.db.Exec(ctx, query("SessionInsert"), s.TokenHash, s.WorkspaceID, s.UserID, s.CSRFToken,
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
	return mapErr(err)
}

func (q queriesImpl) SessionGetByHash(ctx context.Context, hash []byte) (*model.Session, error) {
	return scanSession(q.db.QueryRow(ctx, query("SessionGetByHash"), hash))
}

func (q queriesImpl) SessionTouch(ctx context.Context, p *store.SessionTouchParams) error {
	return affected(q.db.Exec(ctx, query("SessionTouch"), p.At, p.TokenHash))
}

func (q queriesImpl) SessionDelete(ctx context.Context, hash []byte) error {
	return affected(q.db.Exec(ctx, query("SessionDelete"), hash))
}

func (q queriesImpl) SessionDeleteByUser(ctx context.Context, ws int64, userID string) error {
	_, err := q.db.Exec(ctx, query("SessionDeleteByUser"), ws, userID)
	return mapErr(err)
}

func (q queriesImpl) SessionPurge(ctx context.Context, now, idleBefore time.Time) (int, error) {
	tag, err := q.db.Exec(ctx, query("SessionPurge"), now, idleBefore)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}
