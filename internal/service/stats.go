package service

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/timeutil"
)

// Bounds of a statistics query.
const (
	// DefaultStatsDays is the range without from: the last 30 days, today
	// included.
	DefaultStatsDays = 30
	// MaxStatsDays is the longest range one query covers, so that an
	// answer stays small (a few rows per day).
	MaxStatsDays = 366
)

// StatsParams select a range of days; empty To is today, empty From is
// DefaultStatsDays before To.
type StatsParams struct {
	From, To string
}

// Stats are the daily counts of a range of days. They outlive the purge
// of the messages they count (retention_days).
type Stats struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Timezone string `json:"timezone"`
	// Items are the non-zero counts, by day, status and (for suppressed)
	// reason, oldest day first.
	Items []store.StatsRow `json:"items"`
}

// StatsList returns the workspace's daily counts from p.From to p.To, both
// included.
func (s *Service) StatsList(ctx context.Context, ws *model.Workspace, p StatsParams) (*Stats, error) {
	loc := ws.Location()
	var c checker
	to := c.day("to", p.To, timeutil.DateOf(s.now(), loc))
	from := c.day("from", p.From, to.AddDays(1-DefaultStatsDays))
	if err := c.err(); err != nil {
		return nil, err
	}
	switch days := timeutil.DaysBetween(from, to) + 1; {
	case days < 1:
		c.add("from", CodeInvalid, "is after to (%s); give the earlier day as from", to)
	case days > MaxStatsDays:
		c.add("from", CodeInvalid, "the range covers %d days, at most %d are allowed; ask in parts", days, MaxStatsDays)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	out := &Stats{From: from.String(), To: to.String(), Timezone: loc.String()}
	rows, err := s.store.StatsList(ctx, ws.ID, out.From, out.To)
	if err != nil {
		return nil, fmt.Errorf("read daily counts: %w", err)
	}
	out.Items = rows
	if out.Items == nil {
		out.Items = []store.StatsRow{}
	}
	return out, nil
}

// day parses an optional day written YYYY-MM-DD; empty is def.
func (c *checker) day(field, v string, def timeutil.Date) timeutil.Date {
	if v == "" {
		return def
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.add(field, CodeInvalid, "%q is not a day; write it as YYYY-MM-DD, e.g. 2026-03-01", v)
		return def
	}
	return timeutil.DateOf(t, time.UTC)
}
