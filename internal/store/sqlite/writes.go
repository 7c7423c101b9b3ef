package sqlite

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// The Store's own queriesImpl runs on the read-only pool. Each method that
// writes is overridden here to run as a transaction of the writer, so no
// write ever reaches a read-only connection (one that did would fail with
// "attempt to write a readonly database", which the conformance suite
// would catch).

// write runs one writing method in a transaction of the writer.
func write[T any](ctx context.Context, s *Store, fn func(q store.Tx) (T, error)) (T, error) {
	var out T
	err := s.WithTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// exec is write for methods that return only an error.
func exec(ctx context.Context, s *Store, fn func(q store.Tx) error) error {
	return s.WithTx(ctx, fn)
}

// WorkspaceInsert implements store.Queries.
func (s *Store) WorkspaceInsert(ctx context.Context, w *model.Workspace) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WorkspaceInsert(ctx, w) })
}

// WorkspaceSendersSet implements store.Queries.
func (s *Store) WorkspaceSendersSet(ctx context.Context, p *store.WorkspaceSendersSetParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WorkspaceSendersSet(ctx, p) })
}

// WorkspaceUpdate implements store.Queries.
func (s *Store) WorkspaceUpdate(ctx context.Context, w *model.Workspace) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WorkspaceUpdate(ctx, w) })
}

// WorkspaceConfigBump implements store.Queries.
func (s *Store) WorkspaceConfigBump(ctx context.Context, id int64) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WorkspaceConfigBump(ctx, id) })
}

// APIKeyInsert implements store.Queries.
func (s *Store) APIKeyInsert(ctx context.Context, p *store.APIKeyInsertParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.APIKeyInsert(ctx, p) })
}

// APIKeyRevoke implements store.Queries.
func (s *Store) APIKeyRevoke(ctx context.Context, p *store.APIKeyRevokeParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.APIKeyRevoke(ctx, p) })
}

// TemplateUpsert implements store.Queries.
func (s *Store) TemplateUpsert(ctx context.Context, ws int64, t *model.Template) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.TemplateUpsert(ctx, ws, t) })
}

// TemplateDelete implements store.Queries.
func (s *Store) TemplateDelete(ctx context.Context, ws int64, key string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.TemplateDelete(ctx, ws, key) })
}

// FlowUpsert implements store.Queries.
func (s *Store) FlowUpsert(ctx context.Context, ws int64, f *model.Flow) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.FlowUpsert(ctx, ws, f) })
}

// FlowSetVersion implements store.Queries.
func (s *Store) FlowSetVersion(ctx context.Context, ws int64, key string, version int) error {
	return exec(ctx, s, func(q store.Tx) error { return q.FlowSetVersion(ctx, ws, key, version) })
}

// FlowDelete implements store.Queries.
func (s *Store) FlowDelete(ctx context.Context, ws int64, key string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.FlowDelete(ctx, ws, key) })
}

// NotificationUpsert implements store.Queries.
func (s *Store) NotificationUpsert(ctx context.Context, p *store.NotificationUpsertParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.NotificationUpsert(ctx, p) })
}

// NotificationDelete implements store.Queries.
func (s *Store) NotificationDelete(ctx context.Context, p *store.NotificationDeleteParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.NotificationDelete(ctx, p) })
}

// ProjectUpsert implements store.Queries.
func (s *Store) ProjectUpsert(ctx context.Context, ws int64, p *model.Project) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ProjectUpsert(ctx, ws, p) })
}

// ProjectDelete implements store.Queries.
func (s *Store) ProjectDelete(ctx context.Context, ws int64, key string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ProjectDelete(ctx, ws, key) })
}

// ContactUpsert implements store.Queries.
func (s *Store) ContactUpsert(ctx context.Context, ws int64, c *model.Contact) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ContactUpsert(ctx, ws, c) })
}

// ContactUpsertMany implements store.Queries.
func (s *Store) ContactUpsertMany(ctx context.Context, ws int64, cs []*model.Contact) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ContactUpsertMany(ctx, ws, cs) })
}

// ContactDelete implements store.Queries.
func (s *Store) ContactDelete(ctx context.Context, ws int64, id string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ContactDelete(ctx, ws, id) })
}

// ContactOptOut implements store.Queries.
func (s *Store) ContactOptOut(ctx context.Context, p *store.ContactOptOutParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ContactOptOut(ctx, p) })
}

// ObjectUpsert implements store.Queries.
func (s *Store) ObjectUpsert(ctx context.Context, ws int64, o *model.Object) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ObjectUpsert(ctx, ws, o) })
}

// ObjectDelete implements store.Queries.
func (s *Store) ObjectDelete(ctx context.Context, ws int64, ref model.ObjectRef) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ObjectDelete(ctx, ws, ref) })
}

// SecretGetOrCreate implements store.Queries.
func (s *Store) SecretGetOrCreate(ctx context.Context, name string, candidate []byte, at time.Time) ([]byte, error) {
	return write(ctx, s, func(q store.Tx) ([]byte, error) { return q.SecretGetOrCreate(ctx, name, candidate, at) })
}

// EventInsert implements store.PipelineQueries.
func (s *Store) EventInsert(ctx context.Context, ws int64, e *model.Event) error {
	return exec(ctx, s, func(q store.Tx) error { return q.EventInsert(ctx, ws, e) })
}

// EventInsertMany implements store.PipelineQueries.
func (s *Store) EventInsertMany(ctx context.Context, ws int64, es []*model.Event) error {
	return exec(ctx, s, func(q store.Tx) error { return q.EventInsertMany(ctx, ws, es) })
}

// EventInsertRows implements store.PipelineQueries.
func (s *Store) EventInsertRows(ctx context.Context, ws int64, rows []store.EventRow) error {
	return exec(ctx, s, func(q store.Tx) error { return q.EventInsertRows(ctx, ws, rows) })
}

// EventPurge implements store.PipelineQueries.
func (s *Store) EventPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.EventPurge(ctx, p) })
}

// MessageInsertMany implements store.PipelineQueries.
func (s *Store) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	return exec(ctx, s, func(q store.Tx) error { return q.MessageInsertMany(ctx, ws, ms) })
}

// MessageInsertClaimed implements store.PipelineQueries.
func (s *Store) MessageInsertClaimed(ctx context.Context, ws int64, owner string, until time.Time, ms []*model.Message) error {
	return exec(ctx, s, func(q store.Tx) error { return q.MessageInsertClaimed(ctx, ws, owner, until, ms) })
}

// MessageInsertRows implements store.PipelineQueries.
func (s *Store) MessageInsertRows(ctx context.Context, ws int64, owner string, until time.Time, rows []store.MessageRow) error {
	return exec(ctx, s, func(q store.Tx) error { return q.MessageInsertRows(ctx, ws, owner, until, rows) })
}

// MessageTransition implements store.PipelineQueries.
func (s *Store) MessageTransition(ctx context.Context, p *store.MessageTransitionParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.MessageTransition(ctx, p) })
}

// MessageClaim implements store.PipelineQueries.
func (s *Store) MessageClaim(ctx context.Context, p *store.MessageClaimParams) ([]store.ClaimedMessage, error) {
	return write(ctx, s, func(q store.Tx) ([]store.ClaimedMessage, error) { return q.MessageClaim(ctx, p) })
}

// MessageRecord implements store.PipelineQueries.
func (s *Store) MessageRecord(ctx context.Context, outcomes []*store.MessageOutcome) ([]bool, error) {
	return write(ctx, s, func(q store.Tx) ([]bool, error) { return q.MessageRecord(ctx, outcomes) })
}

// MessageLeaseRenew implements store.PipelineQueries.
func (s *Store) MessageLeaseRenew(ctx context.Context, owner string, ids []string, until time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.MessageLeaseRenew(ctx, owner, ids, until) })
}

// MessageLeaseReleaseOwn implements store.PipelineQueries.
func (s *Store) MessageLeaseReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.MessageLeaseReleaseOwn(ctx, owner, keep, now) })
}

// MessageLeaseExpire implements store.PipelineQueries.
func (s *Store) MessageLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.MessageLeaseExpire(ctx, owner, now) })
}

// MessageEventAppend implements store.PipelineQueries.
func (s *Store) MessageEventAppend(ctx context.Context, ws int64, id string, e *model.MessageEvent) error {
	return exec(ctx, s, func(q store.Tx) error { return q.MessageEventAppend(ctx, ws, id, e) })
}

// StatsAdd implements store.PipelineQueries.
func (s *Store) StatsAdd(ctx context.Context, deltas []store.StatsDelta) error {
	return exec(ctx, s, func(q store.Tx) error { return q.StatsAdd(ctx, deltas) })
}

// ScheduleUpsert implements store.ScheduleQueries.
func (s *Store) ScheduleUpsert(ctx context.Context, ws int64, sc *model.Schedule) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ScheduleUpsert(ctx, ws, sc) })
}

// ScheduleDelete implements store.ScheduleQueries.
func (s *Store) ScheduleDelete(ctx context.Context, ws int64, key string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ScheduleDelete(ctx, ws, key) })
}

// ScheduleSetNext implements store.ScheduleQueries.
func (s *Store) ScheduleSetNext(ctx context.Context, ws int64, key string, prev, next *time.Time) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ScheduleSetNext(ctx, ws, key, prev, next) })
}

// ScheduleRunInsert implements store.ScheduleQueries.
func (s *Store) ScheduleRunInsert(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ScheduleRunInsert(ctx, ws, r) })
}

// ScheduleRunUpdate implements store.ScheduleQueries.
func (s *Store) ScheduleRunUpdate(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ScheduleRunUpdate(ctx, ws, r) })
}

// ScheduleRunClaim implements store.ScheduleQueries.
func (s *Store) ScheduleRunClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedRun, error) {
	return write(ctx, s, func(q store.Tx) (*store.ClaimedRun, error) { return q.ScheduleRunClaim(ctx, p) })
}

// ScheduleRunLeaseRenew implements store.ScheduleQueries.
func (s *Store) ScheduleRunLeaseRenew(ctx context.Context, owner string, ws int64, id string, until time.Time) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ScheduleRunLeaseRenew(ctx, owner, ws, id, until) })
}

// ScheduleRunRelease implements store.ScheduleQueries.
func (s *Store) ScheduleRunRelease(ctx context.Context, owner string, ws int64, id string, due time.Time) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.ScheduleRunRelease(ctx, owner, ws, id, due) })
}

// ScheduleRunReleaseOwn implements store.ScheduleQueries.
func (s *Store) ScheduleRunReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.ScheduleRunReleaseOwn(ctx, owner, keep, now) })
}

// ScheduleRunLeaseExpire implements store.ScheduleQueries.
func (s *Store) ScheduleRunLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.ScheduleRunLeaseExpire(ctx, owner, now) })
}

// UserInsert implements store.UserQueries.
func (s *Store) UserInsert(ctx context.Context, u *model.User) error {
	return exec(ctx, s, func(q store.Tx) error { return q.UserInsert(ctx, u) })
}

// UserUpdatePassword implements store.UserQueries.
func (s *Store) UserUpdatePassword(ctx context.Context, p *store.UserPasswordParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.UserUpdatePassword(ctx, p) })
}

// UserSignedIn implements store.UserQueries.
func (s *Store) UserSignedIn(ctx context.Context, p *store.UserSignedInParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.UserSignedIn(ctx, p) })
}

// UserDelete implements store.UserQueries.
func (s *Store) UserDelete(ctx context.Context, ws int64, id string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.UserDelete(ctx, ws, id) })
}

// SessionInsert implements store.UserQueries.
func (s *Store) SessionInsert(ctx context.Context, se *model.Session) error {
	return exec(ctx, s, func(q store.Tx) error { return q.SessionInsert(ctx, se) })
}

// SessionTouch implements store.UserQueries.
func (s *Store) SessionTouch(ctx context.Context, p *store.SessionTouchParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.SessionTouch(ctx, p) })
}

// SessionDelete implements store.UserQueries.
func (s *Store) SessionDelete(ctx context.Context, tokenHash []byte) error {
	return exec(ctx, s, func(q store.Tx) error { return q.SessionDelete(ctx, tokenHash) })
}

// SessionDeleteByUser implements store.UserQueries.
func (s *Store) SessionDeleteByUser(ctx context.Context, ws int64, userID string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.SessionDeleteByUser(ctx, ws, userID) })
}

// SessionPurge implements store.UserQueries.
func (s *Store) SessionPurge(ctx context.Context, now, idleBefore time.Time) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.SessionPurge(ctx, now, idleBefore) })
}

// ScheduleRunEventsAdd implements store.ScheduleQueries.
func (s *Store) ScheduleRunEventsAdd(ctx context.Context, ws int64, runID string, events []store.RunEvent) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ScheduleRunEventsAdd(ctx, ws, runID, events) })
}

// SuppressionUpsert implements store.Queries.
func (s *Store) SuppressionUpsert(ctx context.Context, p *store.SuppressionUpsertParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.SuppressionUpsert(ctx, p) })
}

// SuppressionDelete implements store.Queries.
func (s *Store) SuppressionDelete(ctx context.Context, ws int64, email string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.SuppressionDelete(ctx, ws, email) })
}

// InboundMessageInsert implements store.Queries.
func (s *Store) InboundMessageInsert(ctx context.Context, ws int64, m *model.InboundMessage) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.InboundMessageInsert(ctx, ws, m) })
}

// InboundMessagePurge implements store.Queries.
func (s *Store) InboundMessagePurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.InboundMessagePurge(ctx, p) })
}
