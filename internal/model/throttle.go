package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ThrottleScope says what a throttle rule counts together for one
// recipient.
type ThrottleScope string

// The scopes of a throttle rule.
const (
	// ThrottleCategory counts the recipient's messages of the
	// notification's category, from every notification of the workspace
	// whose rule names the category.
	ThrottleCategory ThrottleScope = "category"
	// ThrottleNotification counts the recipient's messages of this
	// notification.
	ThrottleNotification ThrottleScope = "notification"
	// ThrottleKey counts the recipient's messages whose key template
	// renders to the same text (e.g. one ticket: "{{.object.id}}").
	ThrottleKey ThrottleScope = "key"
)

// ThrottleRule allows at most Max messages per recipient per Window in
// its scope; the excess is suppressed with ReasonThrottled. Windows are
// fixed: they start at multiples of their length since the Unix epoch
// (UTC), so a 1 h window runs from one full hour to the next.
type ThrottleRule struct {
	// Max is the most messages per window, 1 to MaxThrottleCount.
	Max int `json:"max" yaml:"max"`
	// Window is a Go duration ("15m", "1h", "24h"): whole minutes, from
	// 1 minute to 31 days.
	Window string `json:"window" yaml:"window"`
	// Scope is category (default), notification or key.
	Scope ThrottleScope `json:"scope,omitempty" yaml:"scope,omitempty"`
	// Key is the key template of the key scope; empty otherwise.
	Key string `json:"key,omitempty" yaml:"key,omitempty"`
	// RollUp collects the excess e-mail into one summary sent when the
	// window ends ("+3 more") instead of suppressing it.
	RollUp bool `json:"roll_up,omitempty" yaml:"roll_up,omitempty"`
}

// Bounds of throttle rules: each rule costs a counter write per message.
const (
	MaxThrottleRules  = 5
	MaxThrottleCount  = 100000
	MaxThrottleWindow = 31 * 24 * time.Hour
	MaxThrottleKey    = 200
)

// ReasonThrottled: a throttle rule of the notification allowed no more
// messages to the recipient in the current window.
const ReasonThrottled SuppressReason = "throttled"

// Duration is the rule's window; 0 when it does not parse.
func (r *ThrottleRule) Duration() time.Duration {
	d, err := time.ParseDuration(r.Window)
	if err != nil {
		return 0
	}
	return d
}

// WindowAt returns the window of the rule that holds t: [start, end).
func (r *ThrottleRule) WindowAt(t time.Time) (start, end time.Time) {
	d := r.Duration()
	if d <= 0 {
		return t, t
	}
	ns := t.UnixNano()
	start = time.Unix(0, ns-ns%int64(d)).UTC()
	return start, start.Add(d)
}

// ScopeOrDefault is the rule's scope, category when empty.
func (r *ThrottleRule) ScopeOrDefault() ThrottleScope {
	if r.Scope == "" {
		return ThrottleCategory
	}
	return r.Scope
}

// Check returns the problems of the rules, each with the field's path
// under prefix (e.g. "throttle").
func CheckThrottle(prefix string, rules []ThrottleRule) []FieldProblem {
	var out []FieldProblem
	if len(rules) > MaxThrottleRules {
		return []FieldProblem{{prefix, fmt.Sprintf("at most %d throttle rules", MaxThrottleRules)}}
	}
	for i, r := range rules {
		f := prefix + "[" + strconv.Itoa(i) + "]."
		add := func(field, detail string) { out = append(out, FieldProblem{f + field, detail}) }
		if r.Max < 1 || r.Max > MaxThrottleCount {
			add("max", fmt.Sprintf("must be 1 to %d messages", MaxThrottleCount))
		}
		d, err := time.ParseDuration(r.Window)
		switch {
		case err != nil:
			add("window", fmt.Sprintf("%q is not a duration; write e.g. 15m, 1h or 24h", r.Window))
		case d < time.Minute || d > MaxThrottleWindow || d%time.Minute != 0:
			add("window", "must be whole minutes from 1m to 744h (31 days)")
		}
		switch r.ScopeOrDefault() {
		case ThrottleCategory, ThrottleNotification:
			if r.Key != "" {
				add("key", "a key template is only used with scope key")
			}
		case ThrottleKey:
			switch {
			case strings.TrimSpace(r.Key) == "":
				add("key", "scope key needs a key template, e.g. {{.object.id}}")
			case len(r.Key) > MaxThrottleKey:
				add("key", fmt.Sprintf("at most %d characters", MaxThrottleKey))
			}
		default:
			add("scope", fmt.Sprintf("%q is not a scope; use category, notification or key", r.Scope))
		}
	}
	return out
}

// FormatWindow writes a window for people: "1 h", "15 min", "1 d", "90 min".
func FormatWindow(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/time.Minute)) + " min"
}

// normalizeThrottle writes each rule's default scope, so that stored and
// exported rules have one shape.
func (n *Notification) normalizeThrottle() {
	for i := range n.Throttle {
		n.Throttle[i].Scope = n.Throttle[i].ScopeOrDefault()
	}
}

// rollUpWord ends the one-line form of a rule with RollUp.
const rollUpWord = "roll-up"

// ParseThrottle reads a rule in its one-line form, "MAX/WINDOW [SCOPE
// [KEY]] [roll-up]": "5/1h", "2/24h notification", "1/15m key {{
// .object.id }}", "5/1h roll-up".
// A line that does not parse gives a rule that CheckThrottle refuses
// (max 0, the line as its window), so the problem is reported with the
// rule's field path.
func ParseThrottle(line string) ThrottleRule {
	r, _ := ParseThrottleLine(line)
	return r
}

// ParseThrottleLine is ParseThrottle that also says whether the line has
// the one-line form at all (ok false: not even "MAX/…"), so a form can
// report such a line once instead of its max and window separately.
func ParseThrottleLine(line string) (r ThrottleRule, ok bool) {
	rest, rollUp := strings.CutSuffix(strings.TrimSpace(line), rollUpWord)
	if rollUp && (rest == "" || strings.TrimRight(rest, " \t") != rest) {
		r, ok = ParseThrottleLine(rest)
		r.RollUp = true
		return r, ok
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return ThrottleRule{Window: line}, false
	}
	maxText, window, slash := strings.Cut(fields[0], "/")
	n, err := strconv.Atoi(maxText)
	if !slash || err != nil {
		return ThrottleRule{Window: line}, false
	}
	r = ThrottleRule{Max: n, Window: window}
	if len(fields) > 1 {
		r.Scope = ThrottleScope(fields[1])
	}
	if len(fields) > 2 {
		_, rest, _ := strings.Cut(line, fields[1])
		r.Key = strings.TrimSpace(rest)
	}
	return r, true
}

// FormatThrottle writes rules one per line in the form ParseThrottle reads.
func FormatThrottle(rules []ThrottleRule) string {
	lines := make([]string, len(rules))
	for i, r := range rules {
		lines[i] = strconv.Itoa(r.Max) + "/" + r.Window + " " + string(r.ScopeOrDefault())
		if r.Key != "" {
			lines[i] += " " + r.Key
		}
		if r.RollUp {
			lines[i] += " " + rollUpWord
		}
	}
	return strings.Join(lines, "\n")
}
