package postgres

import (
	"context"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanWorkspace(r scanner) (*model.Workspace, error) {
	var w model.Workspace
	var senders, inbound, vocabulary, summary string
	err := r.Scan(&w.ID, &w.Key, &w.Name, &w.DefaultLocale, &w.Timezone, &w.Sender.From,
		&w.Sender.ReplyTo, &w.RetentionDays, &w.ConfirmationExpiryHours, &w.CreatedAt, &w.UpdatedAt, &senders, &inbound, &vocabulary, &w.QuietHours,
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
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return &w, nil
}

func (q queriesImpl) WorkspaceInsert(ctx context.Context, w *model.Workspace) error {
	return mapErr(q.db.QueryRow(ctx, query("WorkspaceInsert"), w.Key, w.Name, w.DefaultLocale, w.Timezone,
		w.Sender.From, w.Sender.ReplyTo, w.RetentionDays, w.ConfirmationExpiryHours, w.CreatedAt, w.UpdatedAt,
		dbutil.Words(w.AllowedSenders), string(dbutil.ToJSON(w.Inbound)), string(dbutil.ToJSON(w.Vocabulary)), string(w.QuietHours),
		string(dbutil.ToJSON(w.SummarySchedule))).Scan(&w.ID))
}

func (q queriesImpl) WorkspaceSendersSet(ctx context.Context, p *store.WorkspaceSendersSetParams) error {
	return affected(q.db.Exec(ctx, query("WorkspaceSendersSet"), dbutil.Words(p.AllowedSenders), p.At, p.WorkspaceID))
}

func (q queriesImpl) WorkspaceGetByID(ctx context.Context, id int64) (*model.Workspace, error) {
	return scanWorkspace(q.db.QueryRow(ctx, query("WorkspaceGetByID"), id))
}

func (q queriesImpl) WorkspaceGetByKey(ctx context.Context, key string) (*model.Workspace, error) {
	return scanWorkspace(q.db.QueryRow(ctx, query("WorkspaceGetByKey"), key))
}

func (q queriesImpl) WorkspaceList(ctx context.Context) ([]*model.Workspace, error) {
	rows, err := q.db.Query(ctx, query("WorkspaceList"))
	return collect(rows, err, scanWorkspace)
}

func (q queriesImpl) WorkspaceUpdate(ctx context.Context, w *model.Workspace) error {
	return affected(q.db.Exec(ctx, query("WorkspaceUpdate"), w.Name, w.DefaultLocale, w.Timezone,
		w.Sender.From, w.Sender.ReplyTo, w.RetentionDays, w.ConfirmationExpiryHours, w.UpdatedAt, string(dbutil.ToJSON(w.Inbound)), string(dbutil.ToJSON(w.Vocabulary)), string(w.QuietHours),
		string(dbutil.ToJSON(w.SummarySchedule)), w.ID))
}

func scanAPIKey(r scanner) (*model.APIKey, error) {
	var k model.APIKey
	var scopes string
	if err := r.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &scopes, &k.CreatedAt, &k.RevokedAt); err != nil {
		return nil, mapErr(err)
	}
	for _, s := range strings.Split(scopes, ",") {
		if s != "" {
			k.Scopes = append(k.Scopes, model.Scope(s))
		}
	}
	k.CreatedAt, k.RevokedAt = utc(k.CreatedAt), utcPtr(k.RevokedAt)
	return &k, nil
}

func (q queriesImpl) APIKeyInsert(ctx context.Context, p *store.APIKeyInsertParams) error {
	k := p.Key
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	_, err := q.db.Exec(ctx, query("APIKeyInsert"), k.ID, k.WorkspaceID, k.Name, k.Prefix, p.Hash,
		strings.Join(scopes, ","), k.CreatedAt)
	return mapErr(err)
}

func (q queriesImpl) APIKeyGetByHash(ctx context.Context, hash []byte) (*model.APIKey, error) {
	return scanAPIKey(q.db.QueryRow(ctx, query("APIKeyGetByHash"), hash))
}

func (q queriesImpl) APIKeyList(ctx context.Context, ws int64) ([]*model.APIKey, error) {
	rows, err := q.db.Query(ctx, query("APIKeyList"), ws)
	return collect(rows, err, scanAPIKey)
}

func (q queriesImpl) APIKeyRevoke(ctx context.Context, p *store.APIKeyRevokeParams) error {
	return affected(q.db.Exec(ctx, query("APIKeyRevoke"), p.At, p.WorkspaceID, p.ID))
}

func (q queriesImpl) WorkspaceConfigVersion(ctx context.Context, ws int64) (int64, error) {
	var v int64
	return v, mapErr(q.db.QueryRow(ctx, query("WorkspaceConfigVersion"), ws).Scan(&v))
}

func (q queriesImpl) WorkspaceConfigBump(ctx context.Context, ws int64) error {
	return affected(q.db.Exec(ctx, query("WorkspaceConfigBump"), ws))
}

func (q queriesImpl) APIKeyHashes(ctx context.Context, ws int64) (map[string][]byte, error) {
	rows, err := q.db.Query(ctx, query("APIKeyHashes"), ws)
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
