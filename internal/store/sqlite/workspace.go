package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanWorkspace(r scanner) (*model.Workspace, error) {
	var w model.Workspace
	var created, updated int64
	var senders, inbound, vocabulary, summary string
	err := r.Scan(&w.ID, &w.Key, &w.Name, &w.DefaultLocale, &w.Timezone, &w.Sender.From,
		&w.Sender.ReplyTo, &w.RetentionDays, &w.ConfirmationExpiryHours, &created, &updated, &senders, &inbound, &vocabulary, &w.QuietHours,
		&summary)
	if err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON([]byte(inbound), &w.Inbound); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON([]byte(vocabulary), &w.Vocabulary); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON([]byte(summary), &w.SummarySchedule); err != nil {
		return nil, err
	}
	w.AllowedSenders = dbutil.FromWords(senders)
	w.CreatedAt, w.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &w, nil
}

func (q queriesImpl) WorkspaceInsert(ctx context.Context, w *model.Workspace) error {
	row := q.db.QueryRowContext(ctx, query("WorkspaceInsert"), w.Key, w.Name, w.DefaultLocale, w.Timezone,
		w.Sender.From, w.Sender.ReplyTo, w.RetentionDays, w.ConfirmationExpiryHours,
		millis(w.CreatedAt), millis(w.UpdatedAt), dbutil.Words(w.AllowedSenders), string(dbutil.ToJSON(w.Inbound)), string(dbutil.ToJSON(w.Vocabulary)), string(w.QuietHours),
		string(dbutil.ToJSON(w.SummarySchedule)))
	return mapErr(row.Scan(&w.ID))
}

func (q queriesImpl) WorkspaceSendersSet(ctx context.Context, p *store.WorkspaceSendersSetParams) error {
	return affected(q.db.ExecContext(ctx, query("WorkspaceSendersSet"), dbutil.Words(p.AllowedSenders),
		millis(p.At), p.WorkspaceID))
}

func (q queriesImpl) WorkspaceGetByID(ctx context.Context, id int64) (*model.Workspace, error) {
	return scanWorkspace(q.db.QueryRowContext(ctx, query("WorkspaceGetByID"), id))
}

func (q queriesImpl) WorkspaceGetByKey(ctx context.Context, key string) (*model.Workspace, error) {
	return scanWorkspace(q.db.QueryRowContext(ctx, query("WorkspaceGetByKey"), key))
}

func (q queriesImpl) WorkspaceList(ctx context.Context) ([]*model.Workspace, error) {
	rows, err := q.db.QueryContext(ctx, query("WorkspaceList"))
	return collect(rows, err, scanWorkspace)
}

func (q queriesImpl) WorkspaceUpdate(ctx context.Context, w *model.Workspace) error {
	return affected(q.db.ExecContext(ctx, query("WorkspaceUpdate"), w.Name, w.DefaultLocale, w.Timezone,
		w.Sender.From, w.Sender.ReplyTo, w.RetentionDays, w.ConfirmationExpiryHours,
		millis(w.UpdatedAt), string(dbutil.ToJSON(w.Inbound)), string(dbutil.ToJSON(w.Vocabulary)), string(w.QuietHours),
		string(dbutil.ToJSON(w.SummarySchedule)), w.ID))
}

func scanAPIKey(r scanner) (*model.APIKey, error) {
	var k model.APIKey
	var scopes string
	var created int64
	var revoked sql.NullInt64
	if err := r.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &scopes, &created, &revoked); err != nil {
		return nil, mapErr(err)
	}
	for _, s := range strings.Split(scopes, ",") {
		if s != "" {
			k.Scopes = append(k.Scopes, model.Scope(s))
		}
	}
	k.CreatedAt, k.RevokedAt = fromMillis(created), fromNullMillis(revoked)
	return &k, nil
}

func (q queriesImpl) APIKeyInsert(ctx context.Context, p *store.APIKeyInsertParams) error {
	k := p.Key
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	_, err := q.db.ExecContext(ctx, query("APIKeyInsert"), k.ID, k.WorkspaceID, k.Name, k.Prefix,
		p.Hash, strings.Join(scopes, ","), millis(k.CreatedAt))
	return mapErr(err)
}

func (q queriesImpl) APIKeyGetByHash(ctx context.Context, hash []byte) (*model.APIKey, error) {
	return scanAPIKey(q.db.QueryRowContext(ctx, query("APIKeyGetByHash"), hash))
}

func (q queriesImpl) APIKeyList(ctx context.Context, workspaceID int64) ([]*model.APIKey, error) {
	rows, err := q.db.QueryContext(ctx, query("APIKeyList"), workspaceID)
	return collect(rows, err, scanAPIKey)
}

func (q queriesImpl) APIKeyRevoke(ctx context.Context, p *store.APIKeyRevokeParams) error {
	return affected(q.db.ExecContext(ctx, query("APIKeyRevoke"), millis(p.At), p.WorkspaceID, p.ID))
}

func (q queriesImpl) WorkspaceConfigVersion(ctx context.Context, ws int64) (int64, error) {
	var v int64
	return v, mapErr(q.db.QueryRowContext(ctx, query("WorkspaceConfigVersion"), ws).Scan(&v))
}

func (q queriesImpl) WorkspaceConfigBump(ctx context.Context, ws int64) error {
	return affected(q.db.ExecContext(ctx, query("WorkspaceConfigBump"), ws))
}

func (q queriesImpl) APIKeyHashes(ctx context.Context, ws int64) (map[string][]byte, error) {
	rows, err := q.db.QueryContext(ctx, query("APIKeyHashes"), ws)
	type kh struct {
		id   string
		hash []byte
	}
	list, err := collect(rows, err, func(r scanner) (kh, error) {
		var v kh
		return v, mapErr(r.Scan(&v.id, &v.hash))
	})
	out := make(map[string][]byte, len(list))
	for _, v := range list {
		out[v.id] = v.hash
	}
	return out, err
}
