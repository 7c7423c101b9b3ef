package web

import (
	"regexp"
	"strings"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/service"
)

// fieldMsg is one message next to a form field (or in the form's
// summary): Text in the page's language and, where no sentence of ours
// says what the service found, Raw: the service's own detail (English),
// shown in small type marked lang="en" because it names the specific
// problem (a parse error, a rule).
type fieldMsg struct {
	Text string
	Raw  string
}

// String is the message as one line, for callers that show plain text.
func (m fieldMsg) String() string {
	if m.Raw == "" {
		return m.Text
	}
	return m.Text + " (" + m.Raw + ")"
}

// detailMessage maps a service detail the cockpit meets often to a
// sentence of its own, in German and English (web.fielderr.*). The groups
// of the pattern become the sentence's arguments by name.
type detailMessage struct {
	code string // the FieldError's code; "" for any
	re   *regexp.Regexp
	key  string
}

// detailMessages are matched in order; the first match wins. The service
// quotes values with %q, so a value is `"(.*)"`.
var detailMessages = []detailMessage{
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a valid (?:role )?name: `), "web.fielderr.name"},
	{"", regexp.MustCompile(`^role "(?P<v>.*)": use letters`), "web.fielderr.role"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a valid id: `), "web.fielderr.id"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a recipient; use role:NAME`), "web.fielderr.recipient"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a time zone`), "web.fielderr.time_zone"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a locale`), "web.fielderr.locale"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a time of day`), "web.fielderr.time_of_day"},
	// Quiet hours (model.QuietHours.Parse); a rule's number and text
	// before them are said by quietRuleParts.
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a rule; write a window`), "web.fielderr.quiet_rule"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a day; write Mon`), "web.fielderr.quiet_day"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" starts where it ends; write the days alone`), "web.fielderr.quiet_same"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" leaves no time to send`), "web.fielderr.quiet_no_time"},
	{"", regexp.MustCompile(`^"open" comes once, at the start`), "web.fielderr.quiet_open"},
	{"", regexp.MustCompile(`^a rule is empty; separate rules`), "web.fielderr.quiet_empty_rule"},
	{"", regexp.MustCompile(`^has (?P<n>\d+) rules; at most (?P<max>\d+)$`), "web.fielderr.quiet_rules"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a weekday`), "web.fielderr.weekday"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a valid e-mail address`), "web.fielderr.email"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a bare e-mail address`), "web.fielderr.email_bare"},
	{"", regexp.MustCompile(`^not an e-mail address, e\.g\.`), "web.fielderr.email_example"},
	{"", regexp.MustCompile(`^(?:is longer than|use at most) (?P<n>\d+) bytes$`), "web.fielderr.max_bytes"},
	{"", regexp.MustCompile(`^(?:use )?at most (?P<n>\d+) characters$`), "web.fielderr.max_chars"},
	{"", regexp.MustCompile(`^the URL is longer than (?P<n>\d+) characters$`), "web.fielderr.max_chars"},
	{"", regexp.MustCompile(`^use at least (?P<n>\d+) characters$`), "web.fielderr.min_chars"},
	{"", regexp.MustCompile(`^must be between (?P<min>\d+) and (?P<max>\d+) days$`), "web.fielderr.range_days"},
	{"", regexp.MustCompile(`^must be between (?P<min>\d+) and (?P<max>\d+) hours$`), "web.fielderr.range_hours"},
	{"", regexp.MustCompile(`^must be between (?P<min>\d+) and (?P<max>\d+)$`), "web.fielderr.range"},
	// Cron (schedule.ParseCron with the parser's reason after it; the
	// reason is Go's text with a slice print, so it is said, not shown).
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a cron expression .*expected exactly 5 fields, found (?P<n>\d+)`), "web.fielderr.cron_fields"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a cron expression .*range \((?P<n>\d+)\) above maximum \((?P<max>\d+)\)`), "web.fielderr.cron_above"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a cron expression .*range \((?P<n>\d+)\) below minimum \((?P<min>\d+)\)`), "web.fielderr.cron_below"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a cron expression`), "web.fielderr.cron"},
	// A webhook endpoint's URL (webhook.Guard.CheckURL).
	{"", regexp.MustCompile(`^the URL must start with https://`), "web.fielderr.url_https"},
	{"", regexp.MustCompile(`^the URL must use https`), "web.fielderr.url_http"},
	{"", regexp.MustCompile(`(?P<ip>\S+) is in the special range (?P<range>\S+)`), "web.fielderr.url_private"},
	{"", regexp.MustCompile(`^the URL has no host$`), "web.fielderr.url_host"},
	{"", regexp.MustCompile(`^the URL does not parse$`), "web.fielderr.url_parse"},
	{"", regexp.MustCompile(`^the URL must not carry a user name or password$`), "web.fielderr.url_user"},
	// Throttle rules (model.CheckThrottle; a line that is no rule at all
	// is said once by throttleLineErrors).
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a throttle rule`), "web.fielderr.throttle_rule"},
	{"", regexp.MustCompile(`^must be 1 to (?P<max>\d+) messages$`), "web.fielderr.throttle_max"},
	{"", regexp.MustCompile(`^"(?P<v>.*)" is not a duration; write e\.g\. 15m`), "web.fielderr.duration"},
	{"", regexp.MustCompile(`^must be whole minutes from 1m to 744h`), "web.fielderr.throttle_window"},
	{"", regexp.MustCompile(`^give 0 \(as fast as delivery takes them\) or 1 to (?P<max>\d+) messages a minute$`), "web.fielderr.per_minute"},
	{"", regexp.MustCompile(`^must not contain line breaks$`), "web.code.line_break"},
	{"", regexp.MustCompile(`^the key "(?P<v>.*)" is used twice in this flow$`), "web.fielderr.key_twice"},
	{"", regexp.MustCompile(`^must lie in the future`), "web.fielderr.future"},
	{service.CodeUnknownRef, regexp.MustCompile(`^template "(?P<v>.*)" does not exist$`), "web.fielderr.no_template"},
	{service.CodeUnknownRef, regexp.MustCompile(`^contact "(?P<v>.*)" does not exist$`), "web.fielderr.no_contact"},
	{service.CodeUnknownRef, regexp.MustCompile(`^flow "(?P<v>.*)" does not exist$`), "web.fielderr.no_flow"},
	{service.CodeUnknownRef, regexp.MustCompile(`^project "(?P<v>.*)" does not exist$`), "web.fielderr.no_project"},
	{service.CodeUnknownRef, regexp.MustCompile(`^webhook endpoint "(?P<v>.*)" does not exist$`), "web.fielderr.no_webhook"},
	{"", regexp.MustCompile(`^a roll-up collects e-mails into one summary mail`), "web.fielderr.roll_up"},
	{service.CodeTooLong, regexp.MustCompile(`^a flow holds at most (?P<n>\d+) notifications, this one would have (?P<count>\d+)`), "web.fielderr.max_notifications"},
}

// conditionSyntax says a condition's syntax error in the page's language
// (web.condsyntax.KIND, see condition.ReadSyntaxError); "" for another
// compile error, which keeps the service's detail.
func conditionSyntax(l *localizer, detail string) string {
	f, ok := condition.ReadSyntaxError(detail)
	if !ok {
		return ""
	}
	args := make([]any, 0, 2*len(f.Parts))
	for name, v := range f.Parts {
		args = append(args, name, v)
	}
	return l.T("web.condsyntax."+f.Kind, args...)
}

// withoutDetail are the codes whose sentence says all there is.
var withoutDetail = map[string]bool{
	service.CodeRequired: true, service.CodeMismatch: true, service.CodeLineBreak: true,
}

// fieldMessageParts says what is wrong with a field in the user's
// language: a sentence of ours for the details we know, else the code's
// sentence with the service's detail kept as Raw (on English pages joined
// to the sentence, as it is English already).
func fieldMessageParts(l *localizer, f service.FieldError) fieldMsg {
	if m, ok := quietRuleParts(l, f); ok {
		return m
	}
	var m fieldMsg
	if f.Code == service.CodeCondition {
		m.Text = conditionSyntax(l, f.Detail)
	}
	for _, d := range detailMessages {
		if m.Text != "" {
			break
		}
		if d.code != "" && d.code != f.Code {
			continue
		}
		sub := d.re.FindStringSubmatch(f.Detail)
		if sub == nil {
			continue
		}
		var args []any
		for i, name := range d.re.SubexpNames() {
			if name != "" {
				args = append(args, name, sub[i])
			}
		}
		m.Text = l.T(d.key, args...)
		break
	}
	if m.Text == "" {
		m.Text = l.T("web.code." + f.Code)
		if strings.HasPrefix(m.Text, "web.code.") {
			m.Text = l.T("web.code.invalid")
		}
		if !withoutDetail[f.Code] && f.Detail != "" {
			if l.lang == "en" {
				m.Text += ": " + f.Detail
			} else {
				m.Raw = f.Detail
			}
		}
	}
	if f.Line > 0 {
		if f.Column > 0 {
			m.Text = l.T("web.error.at_line_column", "line", f.Line, "column", f.Column) + " " + m.Text
		} else {
			m.Text = l.T("web.error.at_line", "line", f.Line) + " " + m.Text
		}
	}
	return m
}
