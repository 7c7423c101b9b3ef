package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/render"
)

// evaluator adapts the CEL environment to the planner.
type evaluator struct{ env *condition.Env }

func (g *Ingester) evaluator() plan.Evaluator { return evaluator{g.cfg.Conditions} }

func (e evaluator) Eval(ctx context.Context, expr string, data map[string]any, loc *time.Location) (condition.Result, error) {
	p, err := e.env.Cached(expr)
	if err != nil {
		return condition.Result{}, err
	}
	return p.Eval(ctx, data, loc)
}

// materialize turns planned messages into rendered, stored messages and
// fills their ids into the trace. It returns the messages, the planned
// messages they came from (index for index: a message collected into a
// digest has no row), and the digest items.
func (g *Ingester) materialize(ctx context.Context, ws *model.Workspace, ev *model.Event, sn *snapshot, out *plan.Output, now time.Time) ([]*model.Message, []plan.Message, []*DigestItem) {
	msgs := make([]*model.Message, 0, len(out.Messages))
	planned := make([]plan.Message, 0, len(out.Messages))
	var digests []*DigestItem
	if c := sn.contacts[ev.Contact]; c != nil && ev.Contact != "" {
		sn.subject = c
		sn.subjectData, _ = out.Data[model.RootContact].(map[string]any)
	}
	for _, pm := range out.Messages {
		n := pm.Notification
		var digestErr error
		if pm.Digest != nil {
			it, err := g.digestItem(ctx, ws, ev, sn, out.Data, pm, now)
			if err == nil {
				digests = append(digests, it)
				continue
			}
			digestErr = err
		}
		m := &model.Message{
			ID: NewID(), EventID: ev.ID, EventType: ev.Type, Project: ev.Project, Notification: n.Key,
			Template: n.Template, Channel: pm.Channel, Category: n.Category, To: pm.To.Address,
			CC: addresses(pm.CC), BCC: addresses(pm.BCC), Status: pm.Status, Reason: string(pm.Reason),
			CreatedAt: now, UpdatedAt: now,
		}
		if sn.flow != nil {
			m.Flow, m.FlowVersion = sn.flow.Key, sn.flow.Version
		}
		step := &out.Trace[pm.Step]
		step.Message = m.ID
		if m.Status != model.MsgSuppressed {
			err := digestErr
			if err == nil {
				err = g.renderInto(ctx, ws, sn, out.Data, pm, m, now)
			}
			if err != nil {
				m.Status, m.Reason = model.MsgFailed, err.Error()
				step.Code = model.StepMessageRenderFailed
				step.Params = map[string]string{"error": err.Error(), "template": n.Template}
			}
		}
		m.MessageID = g.messageIDHeader(m.ID, m.From)
		if m.Status == model.MsgQueued {
			m.QueuedAt = &now
			if !pm.HeldUntil.IsZero() {
				held := pm.HeldUntil
				m.NextAttemptAt = &held
			}
		}
		if m.Status == model.MsgAwaitingConfirmation {
			exp := now.Add(time.Duration(ws.ConfirmationExpiryHours) * time.Hour)
			m.ExpiresAt = &exp
		}
		m.Timeline = []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: m.Status, Detail: m.Reason}}
		msgs = append(msgs, m)
		planned = append(planned, pm)
	}
	return msgs, planned, digests
}

func addresses(rs []plan.Recipient) []model.Address {
	out := make([]model.Address, len(rs))
	for i, r := range rs {
		out[i] = r.Address
	}
	return out
}

// errNoSender explains a message without a From address.
var errNoSender = errors.New(model.NoSenderReason)

// renderInto renders the message's template for its recipient and sets the
// sender: the template's, else the flow's (the project's flow, for a
// manual send too), else the workspace's, field by field. A sender with
// placeholders is rendered like the subject; each sender must then be one
// address without line breaks that the operator allows the workspace.
func (g *Ingester) renderInto(ctx context.Context, ws *model.Workspace, sn *snapshot, data map[string]any, pm plan.Message, m *model.Message, now time.Time) error {
	t := sn.templates[pm.Notification.Template]
	if t == nil {
		return fmt.Errorf("template %q does not exist", pm.Notification.Template)
	}
	sender := t.Sender.Or(sn.flowSender).Or(ws.Sender)
	if sender.From == "" && pm.Channel != model.ChannelInApp {
		return errNoSender
	}
	locale, loc := ws.DefaultLocale, ws.Location()
	recipient := sn.recipientData(pm.To)
	if c := pm.To.Contact; c != nil {
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
	compiled, err := g.compiled(fmt.Sprintf("%d/%s/%d/%s", ws.ID, t.Key, t.UpdatedAt.UnixNano(), chosen),
		func() (*render.Compiled, error) { return render.Compile(content) })
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", t.Key, chosen, err)
	}
	data = model.WithRecipient(data, recipient)
	opts := render.Options{Locale: locale, Location: loc, Now: now, Limits: g.cfg.RenderLimits}
	if pm.Channel == model.ChannelInApp {
		return g.renderInApp(ctx, fmt.Sprintf("inapp/%d/%s/%d/%s", ws.ID, t.Key, t.UpdatedAt.UnixNano(), chosen),
			content, data, opts, m)
	}
	outp, err := compiled.Render(ctx, data, opts)
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", t.Key, chosen, err)
	}
	if m.From, err = g.senderHeader(ctx, "From", sender.From, data, opts); err != nil {
		return err
	}
	if m.ReplyTo, err = g.senderHeader(ctx, "Reply-To", sender.ReplyTo, data, opts); err != nil {
		return err
	}
	if err := ws.CheckSenders(m.From, m.ReplyTo); err != nil {
		return fmt.Errorf("sender refused: %w", err)
	}
	m.Subject, m.HTML, m.Text = outp.Subject, outp.HTML, outp.Text
	return nil
}

// recipientData returns the recipient's part of the data model: the
// event's subject's map when the recipient is that contact (the same map;
// templates only read it), another contact's own data, or the literal
// address's, each built only when it is the one used.
func (sn *snapshot) recipientData(to plan.Recipient) map[string]any {
	switch c := to.Contact; {
	case c == nil:
		return model.AddressData(to.Address)
	case c == sn.subject && sn.subjectData != nil:
		return sn.subjectData
	default:
		return c.Data()
	}
}

// renderInApp renders the in-app item of a message into m: its title and
// body also as the subject and text, so that history and search show them
// like an e-mail's.
func (g *Ingester) renderInApp(ctx context.Context, key string, content model.TemplateContent, data map[string]any, opts render.Options, m *model.Message) error {
	ct, err := g.inapp.get(key, func() (*render.CompiledInApp, error) { return render.CompileInApp(content) })
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", m.Template, m.Locale, err)
	}
	item, err := ct.Render(ctx, data, opts)
	if err != nil {
		return fmt.Errorf("template %q (%s): %w", m.Template, m.Locale, err)
	}
	m.InApp, m.Subject, m.Text = item, item.Title, item.Body
	return nil
}

// senderHeader renders a sender field that has placeholders; a result with
// a line break is refused rather than repaired.
func (g *Ingester) senderHeader(ctx context.Context, header, src string, data map[string]any, opts render.Options) (string, error) {
	if !render.HasPlaceholders(src) {
		return src, nil
	}
	ct, err := g.compiled("sender/"+src, func() (*render.Compiled, error) { return render.CompileHeader(header, src) })
	if err == nil {
		var v string
		if v, err = ct.RenderHeader(ctx, data, opts); err == nil {
			if model.HasCRLF(v) {
				return "", fmt.Errorf("sender refused: %s %q rendered to %q, which contains a line break", header, src, v)
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("sender %s %q: %w", header, src, err)
}

// compiledCache keeps compiled templates by workspace, key, version and
// locale (a changed template has a new updated_at and so a new entry),
// sender templates by their source, and in-app parts under "inapp/…";
// and the domains of From addresses (see messageIDHeader).
type compiledCache[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

const compiledCacheSize = 2000

// get returns the value cached under key, compiling it on a miss.
func (c *compiledCache[T]) get(key string, compile func() (T, error)) (T, error) {
	c.mu.Lock()
	if ct, ok := c.m[key]; ok {
		c.mu.Unlock()
		return ct, nil
	}
	c.mu.Unlock()
	ct, err := compile()
	if err != nil {
		return ct, err
	}
	c.mu.Lock()
	if len(c.m) >= compiledCacheSize {
		c.m = map[string]T{}
	}
	c.m[key] = ct
	c.mu.Unlock()
	return ct, nil
}

// compiled returns the template cached under key, compiling it on a miss.
func (g *Ingester) compiled(key string, compile func() (*render.Compiled, error)) (*render.Compiled, error) {
	return g.templates.get(key, compile)
}

// asciiDomainOrNone is model.ASCIIDomain(d), or "" (the Message-ID then
// takes herold.invalid) when d is no valid domain name.
func asciiDomainOrNone(d string) string {
	a, err := model.ASCIIDomain(d)
	if err != nil {
		return ""
	}
	return a
}

// messageIDHeader builds the stable Message-ID of a message: its id at
// the configured domain, else at the sender's domain, in ASCII.
func (g *Ingester) messageIDHeader(id, from string) string {
	domain := g.cfg.MessageIDDomain
	if domain == "" {
		// Parsing the sender is most of this function's cost, and a
		// workspace's messages have few senders: their domains are kept.
		domain, _ = g.fromDomains.get(from, func() (string, error) {
			if a, err := model.ParseAddress(from); err == nil {
				_, d, _ := strings.Cut(a.Address, "@")
				return asciiDomainOrNone(d), nil
			}
			return "", nil
		})
	} else {
		domain = asciiDomainOrNone(domain)
	}
	if domain == "" {
		domain = "herold.invalid"
	}
	return id + "@" + domain
}
