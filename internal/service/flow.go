package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// refs collects the references a configuration makes, so that they can be
// checked against the store in one query each.
type refs struct {
	templates map[string][]string // key → fields
	contacts  map[string][]string
	webhooks  map[string][]string // endpoint id → fields
}

func newRefs() *refs {
	return &refs{templates: map[string][]string{}, contacts: map[string][]string{}, webhooks: map[string][]string{}}
}

func (r *refs) template(field, key string) { r.templates[key] = append(r.templates[key], field) }
func (r *refs) contact(field, id string)   { r.contacts[id] = append(r.contacts[id], field) }
func (r *refs) webhook(field, id string)   { r.webhooks[id] = append(r.webhooks[id], field) }

// check reports every reference that does not exist in ws.
func (r *refs) check(ctx context.Context, q store.Queries, ws int64, c *checker) error {
	if len(r.templates) > 0 {
		found, err := q.TemplateGetMany(ctx, ws, keysOf(r.templates))
		if err != nil {
			return fmt.Errorf("look up templates: %w", err)
		}
		for key, fields := range r.templates {
			if found[key] == nil {
				for _, f := range fields {
					c.add(f, CodeUnknownRef, "template %q does not exist", key)
				}
			}
		}
	}
	if len(r.contacts) > 0 {
		found, err := q.ContactGetMany(ctx, ws, keysOf(r.contacts))
		if err != nil {
			return fmt.Errorf("look up contacts: %w", err)
		}
		for id, fields := range r.contacts {
			if found[id] == nil {
				for _, f := range fields {
					c.add(f, CodeUnknownRef, "contact %q does not exist", id)
				}
			}
		}
	}
	if err := r.checkWebhooks(ctx, q, ws, c); err != nil {
		return err
	}
	sortFieldErrors(c.errs)
	return nil
}

// checkWebhooks reports every named webhook endpoint that does not exist
// in ws or is not active (a paused or disabled endpoint would hold or drop
// what the notification posts).
func (r *refs) checkWebhooks(ctx context.Context, q store.Queries, ws int64, c *checker) error {
	for id, fields := range r.webhooks {
		e, err := q.WebhookEndpointGet(ctx, ws, id)
		if errors.Is(err, store.ErrNotFound) {
			for _, f := range fields {
				c.add(f, CodeUnknownRef, "webhook endpoint %q does not exist", id)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("look up webhook endpoints: %w", err)
		}
		if e.State != model.WebhookActive {
			for _, f := range fields {
				c.add(f, CodeInvalid, "webhook endpoint %q is %s; resume it first (POST /v1/webhooks/%s/state)", id, e.State, id)
			}
		}
	}
	return nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkNotification validates one notification; field is its path prefix
// ("notifications[2]" or "").
func (s *Service) checkNotification(c *checker, r *refs, field string, n *model.Notification) {
	f := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	c.name(f("key"), n.Key)
	c.text(f("name"), n.Name, 200)
	c.name(f("event_type"), n.EventType)
	if n.Template == "" {
		c.add(f("template"), CodeRequired, "is required")
	} else {
		r.template(f("template"), n.Template)
	}
	if len(n.Recipients) == 0 {
		c.add(f("recipients"), CodeRequired, "name at least one recipient: role:NAME, contact:ID, email:ADDRESS or watchers")
	}
	for _, list := range []struct {
		name string
		rs   []model.Recipient
	}{{"recipients", n.Recipients}, {"cc", n.CC}, {"bcc", n.BCC}} {
		for i, rcpt := range list.rs {
			path := fmt.Sprintf("%s[%d]", f(list.name), i)
			kind, value, err := rcpt.Parse()
			if err != nil {
				code := CodeInvalid
				if kind == "" && strings.HasPrefix(string(rcpt), "email:") {
					code = CodeInvalidEmail
				}
				if model.HasCRLF(string(rcpt)) {
					code = CodeLineBreak
				}
				c.add(path, code, "%v", err)
				continue
			}
			if kind == model.RecipientContact {
				r.contact(path, value)
			}
		}
	}
	if !n.Status.Valid() {
		c.add(f("status"), CodeInvalid, "%q is not a status; use active, inactive or confirm", n.Status)
	}
	c.name(f("category"), n.Category)
	for i, ch := range n.Channels {
		if !slices.Contains(model.Channels, ch) {
			c.add(fmt.Sprintf("%s[%d]", f("channels"), i), CodeInvalid, "%q is not a channel; use email, inapp or webhook", ch)
		}
	}
	switch {
	case n.Sends(model.ChannelWebhook) && n.Webhook == "":
		c.add(f("webhook"), CodeRequired, "the webhook channel needs the id of a webhook endpoint (GET /v1/webhooks)")
	case n.Sends(model.ChannelWebhook):
		r.webhook(f("webhook"), n.Webhook)
	case n.Webhook != "":
		c.add(f("webhook"), CodeInvalid, "an endpoint is only used with the webhook channel; add \"webhook\" to channels or leave this out")
	}
	if n.Sends(model.ChannelWebhook) && n.Status == model.StatusConfirm {
		c.add(f("status"), CodeInvalid, "the webhook channel posts at once and cannot wait for a confirmation; use active")
	}
	if n.Condition != "" {
		checkCondition(c, s.conditions, f("condition"), n.Condition)
	}
	checkThrottle(c, f("throttle"), n.Throttle)
	checkRollUp(c, f("throttle"), n)
	checkDigest(c, f, n)
	if n.Digest != nil && len(n.Throttle) > 0 {
		// A digest already sends one message per window and key.
		c.add(f("throttle"), CodeInvalid, "a notification with a digest sends one message per window already; remove the throttle rules or the digest")
	}
}

// checkCondition compiles a CEL condition in env and reports its issues
// with line and column.
func checkCondition(c *checker, env *condition.Env, field, expr string) {
	_, err := env.Compile(expr)
	if err == nil {
		return
	}
	var cerr *condition.CompileError
	if errors.As(err, &cerr) && len(cerr.Issues) > 0 {
		for _, is := range cerr.Issues {
			c.addAt(field, CodeCondition, is.Message, is.Line, is.Column)
		}
		return
	}
	c.add(field, CodeCondition, "%v", err)
}

// MaxFlowNotifications is the most notifications one flow holds. Every
// notification of the event's type is decided for every event of a
// project on the flow, its condition evaluated, so the count bounds the
// work one event can cause (with the planner's condition budget, see
// plan.DefaultConditionBudget).
const MaxFlowNotifications = 200

// tooManyNotifications is the error of a flow beyond MaxFlowNotifications.
func tooManyNotifications(c *checker, n int) {
	c.add("notifications", CodeTooLong, "a flow holds at most %d notifications, this one would have %d; "+
		"remove some or combine those that differ only in their recipients", MaxFlowNotifications, n)
}

func (s *Service) checkFlow(c *checker, r *refs, ws *model.Workspace, f *model.Flow) {
	c.name("key", f.Key)
	c.text("name", f.Name, 200)
	c.longText("description", f.Description, 2000)
	c.sender("sender", f.Sender, ws)
	if len(f.Notifications) > MaxFlowNotifications {
		// Not checked one by one: compiling thousands of conditions is
		// the work the bound is there to prevent.
		tooManyNotifications(c, len(f.Notifications))
		return
	}
	seen := map[string]bool{}
	for i := range f.Notifications {
		n := &f.Notifications[i]
		field := fmt.Sprintf("notifications[%d]", i)
		if seen[n.Key] && n.Key != "" {
			c.add(field+".key", CodeDuplicate, "the key %q is used twice in this flow", n.Key)
		}
		seen[n.Key] = true
		s.checkNotification(c, r, field, n)
	}
}

// FlowPut creates or replaces a flow with all its notifications.
func (s *Service) FlowPut(ctx context.Context, ws *model.Workspace, f *model.Flow) (bool, error) {
	var created bool
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		var err error
		created, err = s.flowSave(ctx, tx, ws, f)
		return err
	})
	return created, err
}

// flowSave validates and saves a flow in tx (FlowPut, and applying
// configuration files).
func (s *Service) flowSave(ctx context.Context, tx store.Tx, ws *model.Workspace, f *model.Flow) (bool, error) {
	f.Normalize()
	f.Name = cmp.Or(f.Name, f.Key)
	var c checker
	r := newRefs()
	s.checkFlow(&c, r, ws, f)
	if err := r.check(ctx, tx, ws.ID, &c); err != nil {
		return false, err
	}
	if err := c.err(); err != nil {
		return false, err
	}
	now := s.now()
	f.CreatedAt, f.UpdatedAt = now, now
	return tx.FlowUpsert(ctx, ws.ID, f)
}

// FlowGet returns a flow with its notifications.
func (s *Service) FlowGet(ctx context.Context, ws *model.Workspace, key string) (*model.Flow, error) {
	f, err := s.store.FlowGet(ctx, ws.ID, key)
	return f, mapNotFound(err, "flow %q", key)
}

// FlowList pages through flows.
func (s *Service) FlowList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Flow], error) {
	return page(ctx, p, func(f *model.Flow) string { return f.Key },
		func(ctx context.Context, after string, limit int) ([]*model.Flow, error) {
			return s.store.FlowList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// FlowDelete deletes a flow no project uses.
func (s *Service) FlowDelete(ctx context.Context, ws *model.Workspace, key string) error {
	err := s.configTx(ctx, ws, func(tx store.Tx) error { return tx.FlowDelete(ctx, ws.ID, key) })
	var inUse *store.InUseError
	if errors.As(err, &inUse) {
		return &ConflictError{Detail: fmt.Sprintf("flow %q is used by %s; assign those projects another flow or none first",
			key, joinList(inUse.UsedBy))}
	}
	return mapNotFound(err, "flow %q", key)
}

// NotificationPut adds or replaces one notification of a flow.
func (s *Service) NotificationPut(ctx context.Context, ws *model.Workspace, flowKey string, n *model.Notification) (bool, error) {
	return s.notificationSave(ctx, ws, flowKey, n, false)
}

// NotificationAdd adds a notification to a flow; an empty key is derived
// from the event type. An existing key is a conflict.
func (s *Service) NotificationAdd(ctx context.Context, ws *model.Workspace, flowKey string, n *model.Notification) error {
	_, err := s.notificationSave(ctx, ws, flowKey, n, true)
	return err
}

func (s *Service) notificationSave(ctx context.Context, ws *model.Workspace, flowKey string, n *model.Notification, addOnly bool) (bool, error) {
	n.Normalize()
	var created bool
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		f, err := tx.FlowGet(ctx, ws.ID, flowKey)
		if err != nil {
			return mapNotFound(err, "flow %q", flowKey)
		}
		if n.Key == "" && addOnly {
			n.Key = uniqueKey(f, n.EventType)
		}
		replaces := false
		for _, existing := range f.Notifications {
			if existing.Key == n.Key {
				replaces = true
			}
		}
		if replaces && addOnly {
			return &ConflictError{Detail: fmt.Sprintf("a notification %q already exists in flow %q; use PUT to replace it", n.Key, flowKey)}
		}
		var c checker
		if !replaces && len(f.Notifications) >= MaxFlowNotifications {
			tooManyNotifications(&c, len(f.Notifications)+1)
			return c.err()
		}
		r := newRefs()
		s.checkNotification(&c, r, "", n)
		if err := r.check(ctx, tx, ws.ID, &c); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		created, err = tx.NotificationUpsert(ctx, &store.NotificationUpsertParams{
			WorkspaceID: ws.ID, Flow: flowKey, Notification: n, At: s.now()})
		return err
	})
	return created, err
}

// uniqueKey derives a notification key from the event type that is not yet
// used in f.
func uniqueKey(f *model.Flow, eventType string) string {
	base := strings.NewReplacer(".", "-", "_", "-").Replace(eventType)
	if !model.ValidName(base) {
		base = "notification"
	}
	used := map[string]bool{}
	for _, n := range f.Notifications {
		used[n.Key] = true
	}
	key := base
	for i := 2; used[key]; i++ {
		key = fmt.Sprintf("%s-%d", base, i)
	}
	return key
}

// NotificationGet returns one notification of a flow.
func (s *Service) NotificationGet(ctx context.Context, ws *model.Workspace, flowKey, key string) (*model.Notification, error) {
	f, err := s.FlowGet(ctx, ws, flowKey)
	if err != nil {
		return nil, err
	}
	for i := range f.Notifications {
		if f.Notifications[i].Key == key {
			return &f.Notifications[i], nil
		}
	}
	return nil, notFound("notification %q in flow %q", key, flowKey)
}

// NotificationDelete removes one notification of a flow.
func (s *Service) NotificationDelete(ctx context.Context, ws *model.Workspace, flowKey, key string) error {
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		return tx.NotificationDelete(ctx, &store.NotificationDeleteParams{WorkspaceID: ws.ID, Flow: flowKey, Key: key, At: s.now()})
	})
	return mapNotFound(err, "notification %q in flow %q", key, flowKey)
}
