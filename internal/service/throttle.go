package service

import (
	"context"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
)

// checkThrottle reports the problems of a notification's throttle rules
// under field ("flows.notifications[0].throttle").
func checkThrottle(c *checker, field string, rules []model.ThrottleRule) {
	for _, p := range model.CheckThrottle(field, rules) {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
}

// purgeThrottleCounts deletes the workspace's throttle counters whose
// window has ended: nothing counts against them any more.
func (s *Service) purgeThrottleCounts(ctx context.Context, ws *model.Workspace) error {
	if _, err := purgeAll(ctx, ws.ID, s.clock.Now().UTC(), s.store.ThrottleCountPurge); err != nil {
		return fmt.Errorf("purge throttle counters of workspace %s: %w", ws.Key, err)
	}
	return nil
}

// checkContactQuietHours checks a contact's own quiet hours (the
// attribute quiet_hours): rules like "22:00-07:00" or "open Mon-Fri
// 08:00-18:00" (model.QuietHours), or absent.
func checkContactQuietHours(c *checker, field string, attrs map[string]any) {
	v, ok := attrs[model.ContactQuietHoursAttribute]
	if !ok || v == nil {
		return
	}
	s, isText := v.(string)
	if !isText {
		c.add(field, CodeInvalid, "quiet hours are a text like \"22:00-07:00\" or \"open Mon-Fri 08:00-18:00\"")
		return
	}
	for _, p := range model.QuietHours(s).Check(field) {
		c.add(p.Field, CodeInvalid, "%s", p.Detail)
	}
}
