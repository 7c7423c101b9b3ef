package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
)

// snapshot is the configuration and data one event's decision reads.
type snapshot struct {
	project   *model.Project
	flow      *model.Flow
	object    *model.Object
	contacts  map[string]*model.Contact
	templates map[string]*model.Template
}

func (sn *snapshot) input(ws *model.Workspace, ev *model.Event, now time.Time) plan.Input {
	return plan.Input{Workspace: ws, Event: ev, Project: sn.project, Flow: sn.flow, Object: sn.object,
		Contacts: sn.contacts, Now: now}
}

// loadSnapshot reads what plan needs for ev; missing rows stay nil so that
// the planner records them.
func (s *Service) loadSnapshot(ctx context.Context, q store.Queries, ws *model.Workspace, ev *model.Event) (*snapshot, error) {
	sns, err := s.loadSnapshots(ctx, q, ws, []*model.Event{ev})
	if err != nil {
		return nil, err
	}
	return sns[ev], nil
}

// loadSnapshots reads what plan needs for events of one workspace: the
// configuration version once (configuration itself comes from the cache),
// and the contacts of all of them in one query. Each snapshot gets its own
// map of its own contacts.
func (s *Service) loadSnapshots(ctx context.Context, q store.Queries, ws *model.Workspace, evs []*model.Event) (map[*model.Event]*snapshot, error) {
	out := make(map[*model.Event]*snapshot, len(evs))
	if len(evs) == 0 {
		return out, nil
	}
	cfg, err := s.configReader(ctx, q, ws.ID)
	if err != nil {
		return nil, fmt.Errorf("read configuration version: %w", err)
	}
	ids := make(map[*model.Event][]string, len(evs))
	var all []string
	seen := map[string]bool{}
	for _, ev := range evs {
		sn := &snapshot{}
		if sn.project, err = cfg.project(ctx, ev.Project); err != nil {
			return nil, fmt.Errorf("load project: %w", err)
		}
		if sn.project != nil && sn.project.Flow != "" {
			if sn.flow, err = cfg.flow(ctx, sn.project.Flow); err != nil {
				return nil, fmt.Errorf("load flow: %w", err)
			}
		}
		if ev.Object != nil {
			if sn.object, err = optional(q.ObjectGet(ctx, ws.ID, *ev.Object)); err != nil {
				return nil, fmt.Errorf("load object: %w", err)
			}
		}
		var keys []string
		if sn.flow != nil {
			for _, n := range sn.flow.Notifications {
				if n.EventType == ev.Type {
					keys = append(keys, n.Template)
				}
			}
		}
		if len(keys) > 0 {
			if sn.templates, err = cfg.templates(ctx, keys); err != nil {
				return nil, fmt.Errorf("load templates: %w", err)
			}
		}
		ids[ev] = plan.ContactIDs(ev, sn.project, sn.object, sn.flow)
		for _, id := range ids[ev] {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
		out[ev] = sn
	}
	contacts, err := q.ContactGetMany(ctx, ws.ID, all)
	if err != nil {
		return nil, fmt.Errorf("load contacts: %w", err)
	}
	for ev, sn := range out {
		sn.contacts = make(map[string]*model.Contact, len(ids[ev]))
		for _, id := range ids[ev] {
			if c, ok := contacts[id]; ok {
				sn.contacts[id] = c
			}
		}
	}
	return out, nil
}

func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// evaluator adapts the CEL environment to the planner.
type evaluator struct{ env *condition.Env }

func (s *Service) evaluator() plan.Evaluator { return evaluator{s.conditions} }

func (e evaluator) Eval(ctx context.Context, expr string, data map[string]any, loc *time.Location) (bool, map[string]any, error) {
	p, err := e.env.Cached(expr)
	if err != nil {
		return false, nil, err
	}
	r, err := p.Eval(ctx, data, loc)
	return r.Match, r.Values, err
}

// materialize turns planned messages into rendered, stored messages and
// fills their ids into the trace.
func (s *Service) materialize(ctx context.Context, ws *model.Workspace, ev *model.Event, sn *snapshot, out *plan.Output, now time.Time) []*model.Message {
	msgs := make([]*model.Message, 0, len(out.Messages))
	for _, pm := range out.Messages {
		n := pm.Notification
		m := &model.Message{
			ID: newID(), EventID: ev.ID, EventType: ev.Type, Project: ev.Project, Notification: n.Key,
			Template: n.Template, Channel: n.Channel, Category: n.Category, To: pm.To.Address,
			CC: addresses(pm.CC), BCC: addresses(pm.BCC), Status: pm.Status, Reason: string(pm.Reason),
			CreatedAt: now, UpdatedAt: now,
		}
		if sn.flow != nil {
			m.Flow, m.FlowVersion = sn.flow.Key, sn.flow.Version
		}
		step := &out.Trace[pm.Step]
		step.Message = m.ID
		if m.Status != model.MsgSuppressed {
			if err := s.renderInto(ctx, ws, sn, out.Data, pm, m, now); err != nil {
				m.Status, m.Reason = model.MsgFailed, err.Error()
				step.Code = model.StepMessageRenderFailed
				step.Params = map[string]string{"error": err.Error(), "template": n.Template}
			}
		}
		m.MessageID = s.messageIDHeader(m.ID, m.From)
		if m.Status == model.MsgQueued {
			m.QueuedAt = &now
		}
		if m.Status == model.MsgAwaitingConfirmation {
			exp := now.Add(time.Duration(ws.ConfirmationExpiryHours) * time.Hour)
			m.ExpiresAt = &exp
		}
		m.Timeline = []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: m.Status, Detail: m.Reason}}
		msgs = append(msgs, m)
	}
	return msgs
}

func addresses(rs []plan.Recipient) []model.Address {
	out := make([]model.Address, len(rs))
	for i, r := range rs {
		out[i] = r.Address
	}
	return out
}

// errNoSender explains a message without a From address.
var errNoSender = errors.New("no sender address: set sender.from on the template, its flow or the workspace")

// renderInto renders the message's template for its recipient and sets the
// sender.
func (s *Service) renderInto(ctx context.Context, ws *model.Workspace, sn *snapshot, data map[string]any, pm plan.Message, m *model.Message, now time.Time) error {
	t := sn.templates[pm.Notification.Template]
	if t == nil {
		return fmt.Errorf("template %q does not exist", pm.Notification.Template)
	}
	var flowSender model.Sender
	if sn.flow != nil {
		flowSender = sn.flow.Sender
	}
	sender := t.Sender.Or(flowSender).Or(ws.Sender)
	m.From, m.ReplyTo = sender.From, sender.ReplyTo
	if m.From == "" {
		return errNoSender
	}
	locale, loc := ws.DefaultLocale, ws.Location()
	recipient := model.AddressData(pm.To.Address)
	if c := pm.To.Contact; c != nil {
		recipient = c.Data()
		if c.Locale != "" {
			locale = c.Locale
		}
		if c.Timezone != "" {
			loc = model.LoadLocation(c.Timezone)
		}
	}
	chosen, content, ok := t.Content(locale, ws.DefaultLocale)
	if !ok {
		return fmt.Errorf("template %q has no content", t.Key)
	}
	m.Locale = chosen
	compiled, err := s.compiled(ws.ID, t, chosen, content)
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", t.Key, chosen, err)
	}
	outp, err := compiled.Render(ctx, model.WithRecipient(data, recipient),
		render.Options{Locale: locale, Location: loc, Now: now, Limits: s.limits})
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", t.Key, chosen, err)
	}
	m.Subject, m.HTML, m.Text = outp.Subject, outp.HTML, outp.Text
	return nil
}

// compiledCache keeps compiled templates by workspace, key, version and
// locale; a changed template has a new updated_at and so a new entry.
type compiledCache struct {
	mu sync.Mutex
	m  map[string]*render.Compiled
}

const compiledCacheSize = 2000

func (s *Service) compiled(ws int64, t *model.Template, locale string, c model.TemplateContent) (*render.Compiled, error) {
	key := fmt.Sprintf("%d/%s/%d/%s", ws, t.Key, t.UpdatedAt.UnixNano(), locale)
	s.templates.mu.Lock()
	if ct, ok := s.templates.m[key]; ok {
		s.templates.mu.Unlock()
		return ct, nil
	}
	s.templates.mu.Unlock()
	ct, err := render.Compile(c)
	if err != nil {
		return nil, err
	}
	s.templates.mu.Lock()
	if len(s.templates.m) >= compiledCacheSize {
		s.templates.m = map[string]*render.Compiled{}
	}
	s.templates.m[key] = ct
	s.templates.mu.Unlock()
	return ct, nil
}
