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
	"github.com/herold-dev/herold/internal/store"
)

// broadcastBatch is the most contacts one batch of a broadcast looks at:
// a broadcast to 100,000 contacts holds one page in memory, never its
// whole audience, and stores its progress with every page.
const broadcastBatch = 500

// errBroadcastStopped means the broadcast was paused or cancelled (or its
// lease passed to another sender) while a batch was prepared: the batch
// was rolled back, nothing of it was sent.
var errBroadcastStopped = errors.New("the broadcast was paused, cancelled or taken over meanwhile")

// broadcastEvent is the event a broadcast emits for one contact: a manual
// notification of the broadcast's content to that contact alone, so the
// planner applies its category's consent and opt-outs like any
// notification's, and the message is queued, sent and explained like any
// other. Its idempotency key makes a contact's event unique per broadcast,
// so a batch repeated after a crash sends nothing twice.
func broadcastEvent(b *model.Broadcast, tmpl *model.Template, contactID string) *EventInput {
	n := &model.Notification{Key: store.BroadcastNotification(b.Key), Name: b.Name, EventType: store.BroadcastEventType,
		Template: broadcastTemplateKey(b), Recipients: []model.Recipient{model.Recipient("contact:" + contactID)},
		Category: b.Category}
	n.Normalize()
	return &EventInput{Type: store.BroadcastEventType, Project: store.BroadcastEventType, Source: model.SourceBroadcast,
		Contact: contactID, Actors: map[string][]string{}, Data: b.Data,
		IdempotencyKey: broadcastPrefix + b.Key + ":" + contactID,
		Origin:         &model.Step{Code: model.StepBroadcast, Params: map[string]string{"broadcast": b.Key, "name": b.Name}},
		Manual:         n, Template: tmpl}
}

// broadcastTemplateKey is the template key a broadcast's messages name:
// its template's, or "broadcast:KEY" for inline content.
func broadcastTemplateKey(b *model.Broadcast) string {
	if b.Content != nil {
		return store.BroadcastNotification(b.Key)
	}
	return b.Template
}

// broadcastTemplate is the template a broadcast's messages are rendered
// with: its inline content in the workspace's default locale, or its
// stored template with the broadcast's sender first. Nil when the stored
// template is gone: the messages then fail with that reason.
func (s *Service) broadcastTemplate(ctx context.Context, ws *model.Workspace, b *model.Broadcast) (*model.Template, error) {
	if b.Content != nil {
		return &model.Template{Key: broadcastTemplateKey(b), Name: b.Name, Sender: b.Sender,
			Locales: map[string]model.TemplateContent{ws.DefaultLocale: *b.Content}, UpdatedAt: b.UpdatedAt}, nil
	}
	t, err := s.store.TemplateGet(ctx, ws.ID, b.Template)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := *t
	c.Sender = b.Sender.Or(t.Sender)
	return &c, nil
}

// audience selects a broadcast's contacts.
type audience struct {
	prog *condition.Program // nil: every contact
	base map[string]any
	loc  *time.Location
}

func (s *Service) audienceOf(ws *model.Workspace, b *model.Broadcast, now time.Time) (*audience, error) {
	a := &audience{base: model.NewData(model.DataInput{Workspace: ws, Now: now}), loc: ws.Location()}
	if b.Audience != "" {
		p, err := s.conditions.Cached(b.Audience)
		if err != nil {
			return nil, fmt.Errorf("audience: %w", err)
		}
		a.prog = p
	}
	return a, nil
}

// match reports whether contact c is in the audience.
func (a *audience) match(ctx context.Context, c *model.Contact) (bool, error) {
	if a.prog == nil {
		return true, nil
	}
	a.base[model.RootContact] = c.Data()
	r, err := a.prog.Eval(ctx, a.base, a.loc)
	return r.Match, err
}

// sampleError records a contact whose audience condition failed.
func sampleError(p *model.BroadcastProgress, c *model.Contact, err error) {
	p.Errors++
	if len(p.ErrorSamples) < maxErrorSamples {
		p.ErrorSamples = append(p.ErrorSamples, fmt.Sprintf("contact %s: %v", c.ID, err))
	}
}

// SendDueBroadcast claims one due broadcast and sends its next batch:
// reads the next page of contacts, emits an event for each one in the
// audience and stores the progress (cursor and counts) with the events in
// one transaction, then sets when the broadcast is due next (at once, or
// later as its pacing says; done after the last page). It reports whether
// a broadcast was due. A batch that fails leaves the broadcast under the
// lease, so it is tried again when the lease runs out.
func (s *Service) SendDueBroadcast(ctx context.Context, owner string, lease time.Duration) (bool, error) {
	now := s.now()
	c, err := s.store.BroadcastClaim(ctx, &store.RunClaimParams{Owner: owner, Now: now, LeaseUntil: now.Add(lease)})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "claiming a broadcast failed; trying again at the next poll", "owner", owner, "error", err)
		}
		return false, fmt.Errorf("claim a broadcast: %w", err)
	}
	if c.Recurrence != "" {
		err = s.openEdition(ctx, owner, c, now)
	} else {
		err = s.sendBatch(ctx, owner, c, now)
	}
	switch {
	case err == nil || errors.Is(err, errBroadcastStopped):
		return true, nil
	case ctx.Err() != nil:
		// Stopping: the batch was rolled back; give the lease up so the
		// next start (or another replica) goes on at once.
		s.releaseBroadcast(owner, c)
		return true, ctx.Err()
	}
	s.logger.WarnContext(ctx, "a broadcast batch failed; it is tried again when its lease runs out",
		"workspace", c.WorkspaceID, "broadcast", c.Key, "owner", owner, "cursor", c.Progress.Cursor, "error", err)
	return true, fmt.Errorf("broadcast %s: %w", c.Key, err)
}

// releaseBroadcast gives up owner's lease on c, its progress as stored:
// due again at once.
func (s *Service) releaseBroadcast(owner string, c *store.ClaimedBroadcast) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := s.now()
	err := s.store.BroadcastProgress(ctx, &store.BroadcastProgressParams{WorkspaceID: c.WorkspaceID, Key: c.Key,
		Owner: owner, Progress: c.Progress, DueAt: now, At: now})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.logger.Warn("giving up a broadcast's lease failed; it goes on when the lease runs out",
			"workspace", c.WorkspaceID, "broadcast", c.Key, "error", err)
	}
}

func (s *Service) sendBatch(ctx context.Context, owner string, c *store.ClaimedBroadcast, now time.Time) error {
	b := c.Broadcast
	ws, err := s.store.WorkspaceGetByID(ctx, c.WorkspaceID)
	if err != nil {
		return fmt.Errorf("load workspace: %w", err)
	}
	limit := broadcastBatch
	if b.PerMinute > 0 {
		limit = min(limit, b.PerMinute)
	}
	page, err := s.store.ContactScan(ctx, &store.ContactScanParams{
		ListParams: store.ListParams{WorkspaceID: ws.ID, After: b.Progress.Cursor, Limit: limit}})
	if err != nil {
		return fmt.Errorf("read contacts: %w", err)
	}
	aud, err := s.audienceOf(ws, b, now)
	if err != nil {
		return err
	}
	tmpl, err := s.broadcastTemplate(ctx, ws, b)
	if err != nil {
		return fmt.Errorf("load template: %w", err)
	}
	prog := b.Progress
	var ins []*EventInput
	for _, ct := range page.Contacts {
		ok, err := aud.match(ctx, ct)
		switch {
		case err != nil:
			sampleError(&prog, ct, err)
		case ok:
			in := broadcastEvent(b, tmpl, ct.ID)
			if b.PerMinute > 0 {
				// Paced: the batch's messages are spread over its
				// time and wait in the queue until theirs, where a
				// pause or cancel still reaches them.
				in.NotBefore = now.Add(time.Duration(len(ins)) * time.Minute / time.Duration(b.PerMinute))
			}
			ins = append(ins, in)
		}
	}
	prog.Scanned += page.Scanned
	prog.Matched += len(ins)
	if n := len(page.Contacts); n > 0 {
		prog.Cursor = page.Contacts[n-1].ID
	}
	p := &store.BroadcastProgressParams{WorkspaceID: ws.ID, Key: b.Key, Owner: owner, Progress: prog,
		Done: page.Scanned < limit, DueAt: now, At: now}
	if b.PerMinute > 0 {
		// The next batch waits as long as this one's messages take at
		// the broadcast's pace.
		p.DueAt = now.Add(time.Duration(len(ins)) * time.Minute / time.Duration(b.PerMinute))
	}
	progress := func(tx store.Tx) error { return s.broadcastProgress(ctx, tx, p) }
	if len(ins) == 0 {
		return s.store.WithTx(ctx, progress)
	}
	s.ingest.WaitRoom(ctx, len(ins)) // a broadcast goes at the pace of sending, not ahead of it
	_, err = s.ingest.AcceptMany(ctx, ws, ins, func(tx store.Tx, _ []*IngestResult) error { return progress(tx) })
	return err
}

// broadcaster sends due broadcasts batch by batch, in a loop that stops.
type broadcaster struct {
	s      *Service
	owner  string
	cfg    RunnerConfig
	wakeCh chan struct{}
	quit   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func newBroadcaster(s *Service, owner string, cfg RunnerConfig) *broadcaster {
	ctx, cancel := context.WithCancel(context.Background())
	return &broadcaster{s: s, owner: owner, cfg: cfg.withDefaults(), wakeCh: make(chan struct{}, 1),
		quit: make(chan struct{}), ctx: ctx, cancel: cancel}
}

// wake tells the broadcaster that a broadcast became due.
func (b *broadcaster) wake() {
	select {
	case b.wakeCh <- struct{}{}:
	default:
	}
}

func (b *broadcaster) start() {
	if b.cfg.Off {
		return
	}
	if b.owner == "" {
		panic("service: the broadcaster needs an owner name (Config.Owner)")
	}
	b.wg.Add(1)
	go b.loop()
}

// stop interrupts the batch in progress (rolled back: it is sent again
// at the next start, from the stored cursor) and waits for the loop.
func (b *broadcaster) stop() {
	b.once.Do(func() {
		close(b.quit)
		b.cancel()
		b.wg.Wait()
	})
}

func (b *broadcaster) loop() {
	defer b.wg.Done()
	tick := time.NewTicker(b.cfg.Poll)
	defer tick.Stop()
	for {
		for b.ctx.Err() == nil {
			// A failed batch is logged with its ids where it fails.
			worked, err := b.s.SendDueBroadcast(b.ctx, b.owner, b.cfg.Lease)
			if !worked || err != nil {
				break
			}
		}
		select {
		case <-b.quit:
			return
		case <-b.wakeCh:
		case <-tick.C:
		}
	}
}

// BroadcastPreview is who a broadcast would reach and the mail one of
// them would get, without sending anything.
type BroadcastPreview struct {
	// Scanned counts the workspace's contacts, Audience those the
	// audience condition selects, Errors those it could not decide.
	Scanned      int      `json:"scanned"`
	Audience     int      `json:"audience"`
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples"`
	// Excluded counts audience contacts that get no mail, by reason
	// (no_consent, opted_out, no_email, invalid_email): the planner's
	// own rule. Recipients is the audience without them.
	Excluded   map[string]int `json:"excluded"`
	Recipients int            `json:"recipients"`
	// Contact is the contact the sample mail is rendered for; Message
	// is that mail (or its suppression, with the reason) and Trace the
	// decisions, exactly as sending would make them.
	Contact string         `json:"contact,omitempty"`
	Message *model.Message `json:"message,omitempty"`
	Trace   []model.Step   `json:"trace,omitempty"`
}

// BroadcastPreviewGet counts a broadcast's audience and renders its mail
// for contactID (empty: the first contact who would get it). It reads
// the contacts page by page, like sending does.
func (s *Service) BroadcastPreviewGet(ctx context.Context, ws *model.Workspace, key, contactID string) (*BroadcastPreview, error) {
	b, err := s.BroadcastGet(ctx, ws, key)
	if err != nil {
		return nil, err
	}
	now := s.now()
	aud, err := s.audienceOf(ws, b, now)
	if err != nil {
		return nil, err
	}
	out := &BroadcastPreview{Excluded: map[string]int{}, ErrorSamples: []string{}}
	var prog model.BroadcastProgress
	sample, after := contactID, ""
	for {
		page, err := s.store.ContactScan(ctx, &store.ContactScanParams{
			ListParams: store.ListParams{WorkspaceID: ws.ID, After: after, Limit: scanPage}})
		if err != nil {
			return nil, fmt.Errorf("read contacts: %w", err)
		}
		for _, c := range page.Contacts {
			ok, err := aud.match(ctx, c)
			if err != nil {
				sampleError(&prog, c, err)
				continue
			}
			if !ok {
				continue
			}
			out.Audience++
			if r := plan.Suppressed(b.Category, model.ChannelEmail, plan.ContactRecipient(c, "")); r != "" {
				out.Excluded[string(r)]++
				continue
			}
			out.Recipients++
			if sample == "" {
				sample = c.ID
			}
		}
		out.Scanned += page.Scanned
		if page.Scanned < scanPage || ctx.Err() != nil {
			break
		}
		after = page.Contacts[len(page.Contacts)-1].ID
	}
	out.Errors, out.ErrorSamples = prog.Errors, append(out.ErrorSamples, prog.ErrorSamples...)
	if sample == "" {
		return out, ctx.Err()
	}
	if _, err := s.store.ContactGet(ctx, ws.ID, sample); err != nil {
		return nil, mapNotFound(err, "contact %q", sample)
	}
	tmpl, err := s.broadcastTemplate(ctx, ws, b)
	if err != nil {
		return nil, err
	}
	res, err := s.ingest.DryRun(ctx, ws, broadcastEvent(b, tmpl, sample))
	if err != nil {
		return nil, err
	}
	out.Contact, out.Trace = sample, res.Event.Trace
	if len(res.Messages) > 0 {
		out.Message = res.Messages[0]
	}
	return out, nil
}
