package inbound

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/unsubscribe"
	"github.com/herold-dev/herold/internal/verp"
)

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	Store  store.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Domain is the inbound domain: mail to KEY@Domain or
	// KEY+anything@Domain belongs to the workspace with key KEY.
	// Required.
	Domain string
	// SoftBounceThreshold soft bounces of one address within
	// SoftBounceWindow suppress it. Defaults 3 and 7 days.
	SoftBounceThreshold int
	SoftBounceWindow    time.Duration
	// Events receives the mail.received events of human replies; nil:
	// replies are only recorded.
	Events Events
	// Throttle mails of one sender on one object within ThrottleWindow
	// are processed; more are recorded as throttled. Defaults 5 and 10
	// minutes.
	Throttle       int
	ThrottleWindow time.Duration
	// AfterOutcomes, when set, runs in the transaction that records a
	// bounce of a message Herold sent, with the message's "bounced"
	// outcome (webhook subscriptions queue their deliveries there).
	AfterOutcomes func(ctx context.Context, tx store.Tx, outcomes []*store.MessageOutcome, applied []bool) error
}

// Receiver stores and acts on received mail.
type Receiver struct {
	cfg ReceiverConfig
	log *slog.Logger

	keyMu sync.Mutex
	key   []byte // the server key that signs bounce and reply addresses
}

// NewReceiver checks cfg and returns a Receiver.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Store == nil || cfg.Clock == nil || cfg.Domain == "" {
		return nil, errors.New("inbound receiver: Store, Clock and Domain are required")
	}
	cfg.Domain = strings.ToLower(cfg.Domain)
	cfg.SoftBounceThreshold = cmp.Or(cfg.SoftBounceThreshold, 3)
	cfg.SoftBounceWindow = cmp.Or(cfg.SoftBounceWindow, 7*24*time.Hour)
	cfg.Throttle = cmp.Or(cfg.Throttle, 5)
	cfg.ThrottleWindow = cmp.Or(cfg.ThrottleWindow, 10*time.Minute)
	log := cmp.Or(cfg.Logger, slog.Default()).With("component", "inbound")
	return &Receiver{cfg: cfg, log: log}, nil
}

// ErrUnknownRecipient is returned for an address that names no workspace.
var ErrUnknownRecipient = errors.New("no workspace receives mail at this address")

// Workspace returns the workspace an envelope recipient belongs to.
func (r *Receiver) Workspace(ctx context.Context, rcpt string) (*model.Workspace, error) {
	local, domain, ok := strings.Cut(strings.ToLower(rcpt), "@")
	if !ok || domain != r.cfg.Domain {
		return nil, ErrUnknownRecipient
	}
	if strings.HasPrefix(local, verp.Prefix) {
		wsID, _, err := r.verp(ctx, local)
		if err != nil || wsID == 0 {
			return nil, cmp.Or(err, ErrUnknownRecipient)
		}
		ws, err := r.cfg.Store.WorkspaceGetByID(ctx, wsID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnknownRecipient
		}
		return ws, err
	}
	key, _, _ := strings.Cut(local, "+")
	ws, err := r.cfg.Store.WorkspaceGetByKey(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownRecipient
	}
	return ws, err
}

// Envelope is the SMTP envelope of a received message.
type Envelope struct {
	From string
	To   string
}

// Outcome is what became of a received message.
type Outcome struct {
	ID string
	// Duplicate: the workspace had received this message already (same
	// Message-ID and content); nothing was done again.
	Duplicate bool
	Result    *Result
	// Kind is what was recorded: the classification, hard_bounce or
	// soft_bounce for a bounce, throttled for mail over the throttle.
	Kind string
}

// Receive stores raw for ws and acts on its classification, in one
// transaction: a hard bounce, or the soft bounce that reaches the
// threshold, suppresses the address; a complaint suppresses it and opts
// its contact out of the message's category; the message a report is
// about gets a "bounced" or "complained" entry in its timeline. An
// automatic reply is only recorded.
func (r *Receiver) Receive(ctx context.Context, ws *model.Workspace, env Envelope, raw []byte) (*Outcome, error) {
	now := r.cfg.Clock.Now().UTC()
	sum := sha256.Sum256(raw)
	row := &model.InboundMessage{ID: ingest.NewID(), ContentHash: hex.EncodeToString(sum[:]), MailFrom: env.From,
		RcptTo: env.To, Raw: raw, ReceivedAt: now}
	res := &Result{Kind: "malformed"}
	m, err := Parse(raw)
	if err == nil {
		row.HeaderID = m.MessageID
		res = Classify(m)
	}
	row.Kind = string(res.Kind)
	if res.Kind == KindMail {
		if err := r.reply(ctx, ws, m, env.To, row, now); err != nil {
			return nil, fmt.Errorf("receive mail: %w", err)
		}
	}
	if res.Kind == KindBounce {
		row.Kind = "soft_bounce"
		for _, b := range res.Bounces {
			if b.Hard {
				row.Kind = "hard_bounce"
			}
		}
		if len(res.Bounces) > 0 {
			row.Address = res.Bounces[0].Recipient
		}
	}
	if res.Kind == KindComplaint {
		row.Address = res.Complainant
	}
	if res.Kind != KindMail {
		row.MessageID = heroldID(res.OriginalMessageID)
	}
	if res.Kind == KindBounce {
		// The signed bounce address names the message first.
		local, _, _ := strings.Cut(strings.ToLower(env.To), "@")
		if wsID, id, err := r.verp(ctx, local); err != nil {
			return nil, fmt.Errorf("receive mail: %w", err)
		} else if wsID == ws.ID {
			row.MessageID = id
		}
	}
	ev, _ := json.Marshal(res)
	row.Evidence = string(ev)
	out := &Outcome{ID: row.ID, Result: res}
	err = r.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		created, err := tx.InboundMessageInsert(ctx, ws.ID, row)
		if err != nil || !created {
			out.Duplicate = !created
			return err
		}
		switch res.Kind {
		case KindBounce:
			return r.bounced(ctx, tx, ws, row, res, now)
		case KindComplaint:
			return r.complained(ctx, tx, ws, row, res, now)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("receive mail: %w", err)
	}
	r.log.InfoContext(ctx, "mail received", "workspace", ws.Key, "id", row.ID, "kind", row.Kind, "address", row.Address,
		"message", row.MessageID, "object", row.Object, "duplicate", out.Duplicate)
	out.Kind = row.Kind
	return out, nil
}

// reply matches a human mail to the message it answers and, unless its
// sender is throttled, turns it into a mail.received event before the
// mail is recorded: a failure then leaves nothing recorded, the sending
// MTA retries, and the event's idempotency key keeps it single.
func (r *Receiver) reply(ctx context.Context, ws *model.Workspace, m *Mail, rcpt string, row *model.InboundMessage, now time.Time) error {
	row.Address = m.From
	mt, err := r.matchMail(ctx, ws, m, rcpt)
	if err != nil || mt == nil {
		return err
	}
	row.MessageID, row.Object = mt.message, objectKey(mt.object)
	over, err := r.throttled(ctx, ws, m.From, row.Object, now)
	if err != nil {
		return err
	}
	if over {
		row.Kind = "throttled"
		r.log.WarnContext(ctx, "inbound mail throttled: recorded, not processed", "workspace", ws.Key, "id", row.ID,
			"from", m.From, "object", row.Object, "limit", r.cfg.Throttle, "window", r.cfg.ThrottleWindow)
		return nil
	}
	if r.cfg.Events == nil {
		return nil
	}
	res, err := r.cfg.Events.Ingest(ctx, ws, mailEvent(m, mt, row.ContentHash))
	if err != nil {
		return fmt.Errorf("make event %s: %w", EventType, err)
	}
	row.EventID = res.Event.ID
	return nil
}

func (r *Receiver) bounced(ctx context.Context, tx store.Tx, ws *model.Workspace, row *model.InboundMessage, res *Result, now time.Time) error {
	for _, b := range res.Bounces {
		if b.Recipient == "" {
			continue
		}
		evidence := cmp.Or(b.Diagnostic, b.Status, "bounce ("+res.Format+")")
		if row.MessageID != "" {
			if err := r.timeline(ctx, tx, ws, row.MessageID, model.MsgBounced, b.Recipient, evidence, now); err != nil {
				return err
			}
			if err := r.afterBounce(ctx, tx, ws, row.MessageID, b.Recipient+": "+evidence, now); err != nil {
				return err
			}
		}
		kind := model.SuppressionHardBounce
		if !b.Hard {
			n, err := tx.InboundMessageCount(ctx, &store.InboundCountParams{WorkspaceID: ws.ID, Address: b.Recipient,
				Kind: "soft_bounce", Since: now.Add(-r.cfg.SoftBounceWindow)})
			if err != nil {
				return err
			}
			if n < r.cfg.SoftBounceThreshold {
				continue
			}
			kind = model.SuppressionSoftBounces
			evidence = strconv.Itoa(n) + " soft bounces, the last: " + evidence
		}
		if err := r.suppress(ctx, tx, ws, b.Recipient, kind, evidence, row.MessageID, now); err != nil {
			return err
		}
	}
	return nil
}

func (r *Receiver) complained(ctx context.Context, tx store.Tx, ws *model.Workspace, row *model.InboundMessage, res *Result, now time.Time) error {
	if res.Complainant == "" {
		return nil
	}
	evidence := "complaint (" + cmp.Or(res.FeedbackType, "abuse") + ")"
	if row.MessageID != "" {
		if err := r.timeline(ctx, tx, ws, row.MessageID, model.MsgComplained, res.Complainant, evidence, now); err != nil {
			return err
		}
		m, err := tx.MessageGet(ctx, ws.ID, row.MessageID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case m.To.ContactID != "" && m.Category != "" && m.Category != model.CategoryTransactional:
			if _, err := tx.PreferenceApply(ctx, &store.PreferenceApplyParams{WorkspaceID: ws.ID, ContactID: m.To.ContactID,
				Sets: model.OptOutEverywhere(m.Category), Source: model.PrefByComplaint, Actor: res.Complainant,
				At: now}); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return r.suppress(ctx, tx, ws, res.Complainant, model.SuppressionComplaint, evidence, row.MessageID, now)
}

func (r *Receiver) suppress(ctx context.Context, tx store.Tx, ws *model.Workspace, addr string, kind model.SuppressionKind, evidence, msg string, now time.Time) error {
	_, err := tx.SuppressionUpsert(ctx, &store.SuppressionUpsertParams{WorkspaceID: ws.ID, Suppression: &model.Suppression{
		Email: addr, Kind: kind, Evidence: evidence, MessageID: msg, CreatedAt: now}})
	if err == nil {
		r.log.WarnContext(ctx, "address suppressed after inbound mail", "workspace", ws.Key, "address", addr,
			"kind", kind, "evidence", evidence, "message", msg)
	}
	return err
}

// afterBounce hands the bounced outcome of message id to AfterOutcomes,
// if the workspace has the message.
func (r *Receiver) afterBounce(ctx context.Context, tx store.Tx, ws *model.Workspace, id, why string, now time.Time) error {
	if r.cfg.AfterOutcomes == nil {
		return nil
	}
	m, err := tx.MessageGet(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	o := &store.MessageOutcome{WorkspaceID: ws.ID, ID: m.ID, To: model.MsgBounced, Attempts: m.Attempts, Reason: why, At: now}
	return r.cfg.AfterOutcomes(ctx, tx, []*store.MessageOutcome{o}, []bool{true})
}

// timeline notes a bounce or complaint in the message's timeline; a
// message this workspace does not have (long purged, or another's id) is
// left alone.
func (r *Receiver) timeline(ctx context.Context, tx store.Tx, ws *model.Workspace, id string, st model.MessageStatus, actor, detail string, now time.Time) error {
	err := tx.MessageEventAppend(ctx, ws.ID, id, &model.MessageEvent{At: now, Status: st, Actor: actor, Detail: detail})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// heroldID is Herold's message id in a Message-ID Herold wrote
// ("<id>@<domain>"), else "".
func heroldID(messageID string) string {
	id, _, ok := strings.Cut(messageID, "@")
	if !ok || len(id) != 36 || strings.Count(id, "-") != 4 {
		return ""
	}
	return id
}

// verp reads a signed bounce address's local part: the workspace and
// message it names, or 0 when it is none (or forged).
func (r *Receiver) verp(ctx context.Context, local string) (int64, string, error) {
	if !strings.HasPrefix(local, verp.Prefix) {
		return 0, "", nil
	}
	key, err := r.serverKey(ctx)
	if err != nil {
		return 0, "", err
	}
	ws, id, ok := verp.Parse(key, local)
	if !ok {
		return 0, "", nil
	}
	return ws, id, nil
}

// replyToken reads a tracked reply address's local part (KEY+r.TOKEN):
// the message of ws it names, or "" when it is none (or forged, or
// another workspace's).
func (r *Receiver) replyToken(ctx context.Context, ws *model.Workspace, local string) (string, error) {
	if _, tag, _ := strings.Cut(local, "+"); !strings.HasPrefix(tag, verp.ReplyTag) {
		return "", nil
	}
	key, err := r.serverKey(ctx)
	if err != nil {
		return "", err
	}
	id, _ := verp.ParseReply(key, ws.ID, local)
	return id, nil
}

// serverKey is the server key that signs bounce and reply addresses,
// loaded once.
func (r *Receiver) serverKey(ctx context.Context) ([]byte, error) {
	r.keyMu.Lock()
	defer r.keyMu.Unlock()
	if r.key == nil {
		key, err := unsubscribe.LoadSecret(ctx, r.cfg.Store, r.cfg.Clock.Now())
		if err != nil {
			return nil, err
		}
		r.key = key
	}
	return r.key, nil
}
