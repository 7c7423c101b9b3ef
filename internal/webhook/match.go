package webhook

import "strings"

// Matches reports whether an event type matches one of an endpoint's
// patterns: "*" matches every type, "booking.*" every type starting with
// "booking.", anything else itself.
func Matches(patterns []string, eventType string) bool {
	for _, p := range patterns {
		switch {
		case p == "*" || p == eventType:
			return true
		case strings.HasSuffix(p, ".*") && strings.HasPrefix(eventType, p[:len(p)-1]):
			return true
		}
	}
	return false
}

// Outcomes are the message outcomes an endpoint can subscribe to: the
// terminal states of a message's life.
var Outcomes = []string{"sent", "failed", "suppressed", "declined", "expired", "bounced", "unsubscribed"}
