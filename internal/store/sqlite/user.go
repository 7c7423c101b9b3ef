package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanUser(r scanner) (*model.User, error) {
	var u model.User
	var last sql.NullInt64
	var created, updated int64
	if err := r.Scan(&u.ID, &u.WorkspaceID, &u.Email, &u.Name, &u.PasswordHash, &last, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	u.LastSignInAt = fromNullMillis(last)
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &u, nil
}

func (q queriesImpl) UserInsert(ctx context.Context, u *model.User) error {
	_, err := q.db.ExecContext(ctx, query("UserInsert"), u.ID, u.WorkspaceID, strings.ToLower(u.Email), u.Name,
		u.PasswordHash, nullTime(u.LastSignInAt), millis(u.CreatedAt), millis(u.UpdatedAt))
	return mapErr(err)
}

func (q queriesImpl) UserGetByID(ctx context.Context, ws int64, id string) (*model.User, error) {
	return scanUser(q.db.QueryRowContext(ctx, query("UserGetByID"), ws, id))
}

func (q queriesImpl) UserGetByEmail(ctx context.Context, ws int64, email string) (*model.User, error) {
	return scanUser(q.db.QueryRowContext(ctx, query("UserGetByEmail"), ws, email))
}

func (q queriesImpl) UserListByEmail(ctx context.Context, email string) ([]*model.User, error) {
	rows, err := q.db.QueryContext(ctx, query("UserListByEmail"), email)
	return collect(rows, err, scanUser)
}

func (q queriesImpl) UserCount(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, query("UserCount")).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) UserList(ctx context.Context, ws int64) ([]*model.User, error) {
	rows, err := q.db.QueryContext(ctx, query("UserList"), ws)
	return collect(rows, err, scanUser)
}

func (q queriesImpl) UserUpdatePassword(ctx context.Context, p *store.UserPasswordParams) error {
	return affected(q.db.ExecContext(ctx, query("UserUpdatePassword"), p.PasswordHash, millis(p.At), p.WorkspaceID, p.ID))
}

func (q queriesImpl) UserSignedIn(ctx context.Context, p *store.UserSignedInParams) error {
	return affected(q.db.ExecContext(ctx, query("UserSignedIn"), millis(p.At), p.WorkspaceID, p.ID))
}

func (q queriesImpl) UserDelete(ctx context.Context, ws int64, id string) error {
	return affected(q.db.ExecContext(ctx, query("UserDelete"), ws, id))
}

func scanSession(r scanner) (*model.Session, error) {
	var s model.Session
	var created, seen, expires int64
	if err := r.Scan(&s.TokenHash, &s.WorkspaceID, &s.UserID, &s.CSRFToken, &created, &seen, &expires); err != nil {
		return nil, mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	return &s, nil
}

func (q queriesImpl) SessionInsert(ctx context.Context, s *model.Session) error {
	_, err := q.db.ExecContext(ctx, query("SessionInsert"), s.TokenHash, s.WorkspaceID, s.UserID, s.CSRFToken,
		millis(s.CreatedAt), millis(s.LastSeenAt), millis(s.ExpiresAt))
	return mapErr(err)
}

func (q queriesImpl) SessionGetByHash(ctx context.Context, hash []byte) (*model.Session, error) {
	return scanSession(q.db.QueryRowContext(ctx, query("SessionGetByHash"), hash))
}

func (q queriesImpl) SessionTouch(ctx context.Context, p *store.SessionTouchParams) error {
	return affected(q.db.ExecContext(ctx, query("SessionTouch"), millis(p.At), p.TokenHash))
}

func (q queriesImpl) SessionDelete(ctx context.Context, hash []byte) error {
	return affected(q.db.ExecContext(ctx, query("SessionDelete"), hash))
}

func (q queriesImpl) SessionDeleteByUser(ctx context.Context, ws int64, userID string) error {
	_, err := q.db.ExecContext(ctx, query("SessionDeleteByUser"), ws, userID)
	return mapErr(err)
}

func (q queriesImpl) SessionPurge(ctx context.Context, now, idleBefore time.Time) (int, error) {
	res, err := q.db.ExecContext(ctx, query("SessionPurge"), millis(now), millis(idleBefore))
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
