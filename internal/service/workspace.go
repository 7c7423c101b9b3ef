package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// WorkspaceSettings are the editable fields of a workspace.
type WorkspaceSettings struct {
	Name                    string
	DefaultLocale           string
	Timezone                string
	Sender                  model.Sender
	RetentionDays           int
	ConfirmationExpiryHours int
	// Inbound are the choices for received mail (reply tracking,
	// subject token, rules); checked here, at save.
	Inbound model.InboundSettings
	// Vocabulary names event types, roles and categories for the
	// cockpit; checked here, at save.
	Vocabulary model.Vocabulary
	// QuietHours hold non-urgent e-mail ("22:00-07:00", "open Mon-Fri
	// 08:00-18:00"); empty: none.
	QuietHours model.QuietHours
	// SummarySchedule is when daily and weekly summaries are sent;
	// empty fields: 08:00, Mondays.
	SummarySchedule model.SummarySchedule
}

// defaults fills what a new workspace leaves out. An update uses only
// defaultTexts: there every number is either kept or given, and a given 0
// is out of range, not "the default".
func (w *WorkspaceSettings) defaults() {
	w.defaultTexts()
	w.RetentionDays = cmp.Or(w.RetentionDays, model.DefaultRetentionDays)
	w.ConfirmationExpiryHours = cmp.Or(w.ConfirmationExpiryHours, model.DefaultConfirmationExpiryHours)
}

// defaultTexts resets an emptied locale or time zone to its default.
func (w *WorkspaceSettings) defaultTexts() {
	w.DefaultLocale = cmp.Or(w.DefaultLocale, model.DefaultLocale)
	w.Timezone = cmp.Or(w.Timezone, model.DefaultTimezone)
}

// check validates the settings of ws, whose allowed senders the sender
// must keep to.
func (w *WorkspaceSettings) check(c *checker, ws *model.Workspace) {
	c.text("name", w.Name, 200)
	c.locale("default_locale", w.DefaultLocale)
	c.timezone("timezone", w.Timezone)
	c.sender("sender", w.Sender, ws)
	if w.RetentionDays < 1 || w.RetentionDays > 3650 {
		c.add("retention_days", CodeInvalid, "must be between 1 and 3650 days")
	}
	if w.ConfirmationExpiryHours < 1 || w.ConfirmationExpiryHours > 24*365 {
		c.add("confirmation_expiry_hours", CodeInvalid, "must be between 1 and 8760 hours")
	}
	for _, p := range w.Inbound.Check() {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
	for _, p := range w.Vocabulary.Check() {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
	for _, p := range w.QuietHours.Check("quiet_hours") {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
	for _, p := range w.SummarySchedule.Check("summary_schedule") {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
}

// WorkspaceCreateParams describe a new workspace.
type WorkspaceCreateParams struct {
	Key string
	WorkspaceSettings
	// KeyScopes are the scopes of the first API key; default admin+ingest.
	KeyScopes []model.Scope
	// KeySecret fixes the first key; empty generates one.
	KeySecret string
	// AllowedSenders are the sender domains and addresses the operator
	// allows the workspace (model.Workspace.AllowedSenders); empty: it
	// sends nothing until the operator sets them.
	AllowedSenders []string
}

// WorkspaceCreated is a new workspace with its first key's secret.
type WorkspaceCreated struct {
	Workspace *model.Workspace
	Key       *model.APIKey
	Secret    string
}

// WorkspaceCreate creates a workspace and its first API key in one
// transaction.
func (s *Service) WorkspaceCreate(ctx context.Context, p WorkspaceCreateParams) (*WorkspaceCreated, error) {
	var c checker
	c.name("key", p.Key)
	p.Name = cmp.Or(p.Name, p.Key)
	p.defaults()
	allowed := c.allowedSenders("allowed_senders", p.AllowedSenders)
	now := s.clock.Now().UTC()
	ws := &model.Workspace{
		Key: p.Key, Name: p.Name, DefaultLocale: p.DefaultLocale, Timezone: p.Timezone, Sender: p.Sender,
		AllowedSenders: allowed, RetentionDays: p.RetentionDays, ConfirmationExpiryHours: p.ConfirmationExpiryHours,
		Inbound: p.Inbound, Vocabulary: p.Vocabulary, QuietHours: p.QuietHours, CreatedAt: now, UpdatedAt: now,
		SummarySchedule: p.SummarySchedule,
	}
	p.check(&c, ws)
	if err := c.err(); err != nil {
		return nil, err
	}
	scopes := p.KeyScopes
	if len(scopes) == 0 {
		scopes = []model.Scope{model.ScopeAdmin, model.ScopeIngest}
	}
	out := &WorkspaceCreated{Workspace: ws}
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.WorkspaceInsert(ctx, ws); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &ConflictError{Detail: fmt.Sprintf("a workspace %q already exists; choose another key", p.Key)}
			}
			return fmt.Errorf("insert workspace: %w", err)
		}
		k, secret, err := s.KeyCreate(ctx, tx, ws, KeyCreateParams{Name: "first key", Scopes: scopes, Secret: p.KeySecret})
		out.Key, out.Secret = k, secret
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WorkspaceGet returns a workspace by key.
func (s *Service) WorkspaceGet(ctx context.Context, key string) (*model.Workspace, error) {
	ws, err := s.store.WorkspaceGetByKey(ctx, key)
	return ws, mapNotFound(err, "workspace %q", key)
}

// WorkspaceList lists all workspaces (operators only).
func (s *Service) WorkspaceList(ctx context.Context) ([]*model.Workspace, error) {
	list, err := s.store.WorkspaceList(ctx)
	if list == nil {
		list = []*model.Workspace{}
	}
	return list, err
}

// WorkspacePatch changes some settings; nil fields keep their value.
type WorkspacePatch struct {
	Name                    *string
	DefaultLocale           *string
	Timezone                *string
	Sender                  *model.Sender
	RetentionDays           *int
	ConfirmationExpiryHours *int
	// Inbound replaces the inbound settings as a whole.
	Inbound *model.InboundSettings
	// Vocabulary replaces the display names as a whole.
	Vocabulary *model.Vocabulary
	// QuietHours replaces the quiet hours; "" removes them.
	QuietHours *model.QuietHours
	// SummarySchedule replaces the summary schedule as a whole; {}
	// returns to the defaults.
	SummarySchedule *model.SummarySchedule
}

func patchField[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// applied is ws with the settings p, changed at.
func (p WorkspaceSettings) applied(ws *model.Workspace, at time.Time) model.Workspace {
	upd := *ws
	upd.Name, upd.DefaultLocale, upd.Timezone, upd.Sender = p.Name, p.DefaultLocale, p.Timezone, p.Sender
	upd.RetentionDays, upd.ConfirmationExpiryHours = p.RetentionDays, p.ConfirmationExpiryHours
	upd.Inbound, upd.Vocabulary = p.Inbound, p.Vocabulary
	upd.QuietHours = p.QuietHours
	upd.SummarySchedule = p.SummarySchedule
	upd.UpdatedAt = at
	return upd
}

// WorkspaceUpdate changes the settings named in patch.
func (s *Service) WorkspaceUpdate(ctx context.Context, ws *model.Workspace, patch WorkspacePatch) (*model.Workspace, error) {
	p, err := workspacePatched(ws, patch)
	if err != nil {
		return nil, err
	}
	upd := p.applied(ws, s.now())
	if err := s.store.WorkspaceUpdate(ctx, &upd); err != nil {
		return nil, fmt.Errorf("update workspace: %w", err)
	}
	return &upd, nil
}

// WorkspaceCheck returns the problems WorkspaceUpdate would refuse patch
// for, and saves nothing: a form that could not read some of its fields
// (a number that is none) leaves them out of patch and checks the rest,
// so that one submit names every problem.
func (s *Service) WorkspaceCheck(ws *model.Workspace, patch WorkspacePatch) error {
	_, err := workspacePatched(ws, patch)
	return err
}

// workspacePatched is ws's settings with patch applied, checked.
func workspacePatched(ws *model.Workspace, patch WorkspacePatch) (WorkspaceSettings, error) {
	p := WorkspaceSettings{Name: ws.Name, DefaultLocale: ws.DefaultLocale, Timezone: ws.Timezone, Sender: ws.Sender,
		RetentionDays: ws.RetentionDays, ConfirmationExpiryHours: ws.ConfirmationExpiryHours, Inbound: ws.Inbound,
		Vocabulary: ws.Vocabulary, QuietHours: ws.QuietHours}
	p.SummarySchedule = ws.SummarySchedule
	patchField(&p.Name, patch.Name)
	patchField(&p.DefaultLocale, patch.DefaultLocale)
	patchField(&p.Timezone, patch.Timezone)
	patchField(&p.Sender, patch.Sender)
	patchField(&p.RetentionDays, patch.RetentionDays)
	patchField(&p.ConfirmationExpiryHours, patch.ConfirmationExpiryHours)
	patchField(&p.Inbound, patch.Inbound)
	patchField(&p.Vocabulary, patch.Vocabulary)
	patchField(&p.QuietHours, patch.QuietHours)
	patchField(&p.SummarySchedule, patch.SummarySchedule)
	var c checker
	p.Name = cmp.Or(p.Name, ws.Key)
	p.defaultTexts()
	p.check(&c, ws)
	return p, c.err()
}

// WorkspaceSendersSet replaces the sender domains and addresses the
// operator allows workspace key (model.Workspace.AllowedSenders). It is
// the operator's tool (herold workspaces senders), never offered to a
// workspace's own admins. Templates and flows saved before keep their
// senders; a message whose sender is no longer allowed fails when it is
// made or sent.
func (s *Service) WorkspaceSendersSet(ctx context.Context, key string, allowed []string) (*model.Workspace, error) {
	ws, err := s.WorkspaceGet(ctx, key)
	if err != nil {
		return nil, err
	}
	var c checker
	list := c.allowedSenders("allowed_senders", allowed)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	if err := s.store.WorkspaceSendersSet(ctx, &store.WorkspaceSendersSetParams{WorkspaceID: ws.ID, AllowedSenders: list, At: now}); err != nil {
		return nil, fmt.Errorf("set allowed senders: %w", err)
	}
	ws.AllowedSenders, ws.UpdatedAt = list, now
	return ws, nil
}

// Bootstrapped reports what Bootstrap did.
type Bootstrapped struct {
	// Created is true when this start created the default workspace.
	Created   bool
	Workspace *model.Workspace
	// Secret is the first admin key, set only when Created and no fixed
	// key was given.
	Secret string
}

// Bootstrap creates the default workspace with a first key on the first
// start. A fixed bootstrapKey (HEROLD_BOOTSTRAP_KEY) is used as that key, and
// is also added to an existing installation when it is not yet known, so that
// automation can rely on it.
func (s *Service) Bootstrap(ctx context.Context, bootstrapKey string) (*Bootstrapped, error) {
	list, err := s.store.WorkspaceList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	allScopes := []model.Scope{model.ScopeAdmin, model.ScopeIngest, model.ScopeOperator}
	if len(list) == 0 {
		created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{
			Key:               model.DefaultWorkspaceKey,
			WorkspaceSettings: WorkspaceSettings{Name: "Default"},
			KeyScopes:         allScopes, KeySecret: bootstrapKey,
			// The installation's own workspace may send as anyone, so
			// that a new installation works out of the box.
			AllowedSenders: []string{model.AnySender},
		})
		if err != nil {
			return nil, fmt.Errorf("create default workspace: %w", err)
		}
		out := &Bootstrapped{Created: true, Workspace: created.Workspace}
		if bootstrapKey == "" {
			out.Secret = created.Secret
		}
		return out, nil
	}
	ws := list[0]
	for _, w := range list {
		if w.Key == model.DefaultWorkspaceKey {
			ws = w
		}
	}
	if bootstrapKey != "" {
		if _, err := s.store.APIKeyGetByHash(ctx, hashKey(bootstrapKey)); errors.Is(err, store.ErrNotFound) {
			if _, _, err := s.KeyCreate(ctx, s.store, ws, KeyCreateParams{Name: "bootstrap key", Scopes: allScopes, Secret: bootstrapKey}); err != nil {
				return nil, fmt.Errorf("add bootstrap key: %w", err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("look up bootstrap key: %w", err)
		}
	}
	return &Bootstrapped{Workspace: ws}, nil
}
