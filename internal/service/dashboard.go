package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// DashboardDay counts one day's messages by outcome.
type DashboardDay struct {
	// Day is the date in the workspace's time zone (midnight).
	Day        time.Time
	Sent       int
	Failed     int
	Suppressed int
	// Awaiting counts messages that were held for confirmation that day.
	Awaiting int
	Declined int
	Expired  int
}

// DashboardReason is one suppression reason with its count.
type DashboardReason struct {
	Reason string
	Count  int
}

// QueueState describes the workspace's undelivered mail.
type QueueState struct {
	// Depth counts messages queued, sending or waiting for a retry.
	Depth int
	// More is true when there are more than Depth (the count stops at
	// maxQueueScan).
	More bool
	// Oldest is the oldest of them; nil when the queue is empty.
	Oldest *model.Message
}

// Dashboard is the cockpit's at-a-glance view of one workspace.
type Dashboard struct {
	// Days are the last days, oldest first, today last.
	Days   []DashboardDay
	Totals DashboardDay
	// Reasons are the most frequent suppression reasons of the period,
	// most frequent first.
	Reasons []DashboardReason
	// Pending counts messages awaiting confirmation now; PendingMore is
	// true when there are more than Pending.
	Pending     int
	PendingMore bool
	Queue       QueueState
	// Today is the last of Days: today's counts in the workspace's time
	// zone.
	Today DashboardDay
	// Silent counts the events of the period that produced no message at
	// all (not even a suppressed one), SilentToday those of today; the
	// counts stop at MaxSilentCount. Since is the period's first day.
	Silent, SilentToday int
	Since               time.Time
}

// MaxSilentCount caps the dashboard's count of events without messages.
const MaxSilentCount = 10000

// maxQueueScan bounds the messages the dashboard reads to size the queue.
const maxQueueScan = 5000

// maxReasons is how many suppression reasons the dashboard lists.
const maxReasons = 5

// Dashboard summarises the last days (today included) of a workspace from
// its daily counts, its confirmation queue and its delivery queue.
func (s *Service) Dashboard(ctx context.Context, ws *model.Workspace, days int) (*Dashboard, error) {
	if days < 1 {
		days = 30
	}
	loc := ws.Location()
	now := s.clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	out := &Dashboard{Days: make([]DashboardDay, days)}
	index := map[string]int{}
	for i := range out.Days {
		d := today.AddDate(0, 0, i-days+1)
		out.Days[i].Day = d
		index[d.Format("2006-01-02")] = i
	}
	rows, err := s.store.StatsList(ctx, ws.ID, out.Days[0].Day.Format("2006-01-02"), today.Format("2006-01-02"))
	if err != nil {
		return nil, fmt.Errorf("read daily counts: %w", err)
	}
	reasons := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Day]
		if !ok {
			continue
		}
		addCount(&out.Days[i], r.Status, r.Count)
		addCount(&out.Totals, r.Status, r.Count)
		if r.Status == model.MsgSuppressed {
			reasons[r.Reason] += r.Count
		}
	}
	for reason, n := range reasons {
		out.Reasons = append(out.Reasons, DashboardReason{Reason: reason, Count: n})
	}
	sort.Slice(out.Reasons, func(i, j int) bool {
		a, b := out.Reasons[i], out.Reasons[j]
		return a.Count > b.Count || (a.Count == b.Count && a.Reason < b.Reason)
	})
	if len(out.Reasons) > maxReasons {
		out.Reasons = out.Reasons[:maxReasons]
	}
	pending, err := s.PendingList(ctx, ws, PendingParams{PageParams: PageParams{Limit: MaxPageSize}})
	if err != nil {
		return nil, fmt.Errorf("count confirmations: %w", err)
	}
	out.Pending, out.PendingMore = len(pending.Items), pending.Next != ""
	out.Today, out.Since = out.Days[len(out.Days)-1], out.Days[0].Day
	if out.Silent, err = s.store.EventCountSilent(ctx, &store.EventCountSilentParams{WorkspaceID: ws.ID,
		Since: out.Since, Limit: MaxSilentCount}); err != nil {
		return nil, fmt.Errorf("count events without messages: %w", err)
	}
	if out.SilentToday, err = s.store.EventCountSilent(ctx, &store.EventCountSilentParams{WorkspaceID: ws.ID,
		Since: today, Limit: MaxSilentCount}); err != nil {
		return nil, fmt.Errorf("count today's events without messages: %w", err)
	}
	out.Queue, err = s.queueState(ctx, ws)
	return out, err
}

func addCount(d *DashboardDay, st model.MessageStatus, n int) {
	switch st {
	case model.MsgSent:
		d.Sent += n
	case model.MsgFailed:
		d.Failed += n
	case model.MsgSuppressed:
		d.Suppressed += n
	case model.MsgAwaitingConfirmation:
		d.Awaiting += n
	case model.MsgDeclined:
		d.Declined += n
	case model.MsgExpired:
		d.Expired += n
	}
}

// queueState pages through the workspace's undelivered messages, newest
// first, so that the last one read is the oldest.
func (s *Service) queueState(ctx context.Context, ws *model.Workspace) (QueueState, error) {
	var q QueueState
	lp := &store.MessageListParams{WorkspaceID: ws.ID,
		Statuses: []model.MessageStatus{model.MsgQueued, model.MsgSending, model.MsgRetrying}}
	p := PageParams{Limit: MaxPageSize}
	for {
		pg, err := s.messagePage(ctx, lp, p)
		if err != nil {
			return q, fmt.Errorf("read delivery queue: %w", err)
		}
		q.Depth += len(pg.Items)
		if len(pg.Items) > 0 {
			q.Oldest = pg.Items[len(pg.Items)-1]
		}
		if pg.Next == "" {
			return q, nil
		}
		if q.Depth >= maxQueueScan {
			q.More = true
			return q, nil
		}
		p.After = pg.Next
	}
}
