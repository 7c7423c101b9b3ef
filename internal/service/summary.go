package service

import (
	"strconv"

	"github.com/herold-dev/herold/internal/model"
)

// checkRollUp refuses a throttle rule with roll_up on a notification
// that sends no e-mail: a roll-up is a summary mail (the excess of
// in-app items of a notification that also mails is suppressed as
// without roll-up).
func checkRollUp(c *checker, field string, n *model.Notification) {
	if n.Sends(model.ChannelEmail) {
		return
	}
	for i, r := range n.Throttle {
		if r.RollUp {
			c.add(field+"["+strconv.Itoa(i)+"].roll_up", CodeInvalid,
				"a roll-up collects e-mails into one summary mail; send this notification by e-mail, or leave roll_up out")
		}
	}
}
