package inbound

import (
	"regexp"
	"strings"
)

// Kind is what a received message is.
type Kind string

// Kinds, in the order classification tries them.
const (
	// KindBounce: a delivery status notification (RFC 3464 or a common
	// non-standard format) about mail Herold sent.
	KindBounce Kind = "bounce"
	// KindComplaint: an abuse report (ARF, RFC 5965).
	KindComplaint Kind = "complaint"
	// KindAutoReply: an automatic reply (RFC 3834 and common markers,
	// vacation notices); recorded, never answered.
	KindAutoReply Kind = "auto_reply"
	// KindMail: a human reply or new mail.
	KindMail Kind = "mail"
)

// Bounce is one recipient a delivery status notification reports on.
type Bounce struct {
	Recipient string `json:"recipient"`
	// Status is the enhanced status code, e.g. "5.1.1"; empty when the
	// notification gives none.
	Status string `json:"status,omitempty"`
	// Diagnostic is the remote server's reply, e.g. "550 5.1.1 user
	// unknown", or the notification's own words for it.
	Diagnostic string `json:"diagnostic,omitempty"`
	// Hard is true for a permanent failure (a 5.x.x status, a 5xx reply,
	// or action "failed" without a status); false for a temporary one.
	Hard bool `json:"hard"`
}

// Result is the classification of a received message with its evidence.
type Result struct {
	Kind Kind `json:"kind"`
	// Format names the evidence's format: "rfc3464", "postfix", "exim",
	// "microsoft", "gmail", "arf", or for an automatic reply the marker
	// that identified it ("auto-submitted: auto-replied").
	Format  string   `json:"format,omitempty"`
	Bounces []Bounce `json:"bounces,omitempty"`
	// FeedbackType and Complainant describe a complaint: "abuse" and the
	// address that complained.
	FeedbackType string `json:"feedback_type,omitempty"`
	Complainant  string `json:"complainant,omitempty"`
	// OriginalMessageID is the Message-ID of the message a bounce or
	// complaint is about, when the report carries it.
	OriginalMessageID string `json:"original_message_id,omitempty"`
}

// Classify decides what m is, in this order: a bounce, a complaint, an
// automatic reply, else mail.
func Classify(m *Mail) *Result {
	if r := dsn(m); r != nil {
		return r
	}
	if r := arf(m); r != nil {
		return r
	}
	if marker := autoReply(m); marker != "" {
		return &Result{Kind: KindAutoReply, Format: marker}
	}
	return &Result{Kind: KindMail}
}

// dsn recognises a standard DSN by its report part, else a non-standard
// one by its sender or subject and reads the recipients and replies from
// its text.
func dsn(m *Mail) *Result {
	if len(m.DeliveryStatus) > 0 {
		r := &Result{Kind: KindBounce, Format: "rfc3464", OriginalMessageID: originalID(m)}
		blocks := fieldBlocks(m.DeliveryStatus)
		for i, b := range blocks {
			if i == 0 && b["final-recipient"] == "" && b["original-recipient"] == "" {
				continue // the per-message fields
			}
			action := strings.ToLower(b["action"])
			if action != "failed" && action != "delayed" {
				continue // delivered, relayed, expanded: not a failure
			}
			rcpt := dsnAddress(b["final-recipient"])
			if rcpt == "" {
				rcpt = dsnAddress(b["original-recipient"])
			}
			status := statusCode.FindString(b["status"])
			diag := dsnDiagnostic(b["diagnostic-code"])
			hard := strings.HasPrefix(status, "5") || status == "" && action == "failed"
			if action == "delayed" {
				hard = false
			}
			r.Bounces = append(r.Bounces, Bounce{Recipient: rcpt, Status: status, Diagnostic: clip(diag), Hard: hard})
		}
		if f := vendor(m); f != "" {
			r.Format = f
		}
		return r
	}
	if !looksLikeBounce(m) {
		return nil
	}
	return textBounce(m)
}

// arf reads an abuse report (RFC 5965).
func arf(m *Mail) *Result {
	if m.ReportType != "feedback-report" || len(m.FeedbackReport) == 0 {
		return nil
	}
	r := &Result{Kind: KindComplaint, Format: "arf", OriginalMessageID: originalID(m)}
	blocks := fieldBlocks(m.FeedbackReport)
	if len(blocks) > 0 {
		r.FeedbackType = strings.ToLower(blocks[0]["feedback-type"])
		r.Complainant = dsnAddress(blocks[0]["original-rcpt-to"])
	}
	if r.Complainant == "" && m.Original != nil {
		r.Complainant = firstAddress(m.Original.Get("To"))
	}
	return r
}

var (
	// statusCode is an enhanced status code (RFC 3463).
	statusCode = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)
	// replyLine is an SMTP reply with its code, e.g. "550 5.1.1 <x@y>:
	// Recipient address rejected" or "550-5.1.1 The email account …".
	replyLine = regexp.MustCompile(`\b([245]\d\d)[ -](?:#?([245]\.\d{1,3}\.\d{1,3})\b)?.*`)
	// emailIn finds addresses in text.
	emailIn = regexp.MustCompile(`[A-Za-z0-9._%+\-=]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// messageIDIn finds a Message-ID header quoted in a bounce's text.
	messageIDIn = regexp.MustCompile(`(?im)^\s*Message-ID:\s*<([^>\s]+)>`)
)

// bounceSubjects are subjects of non-standard bounces (lower case
// prefixes), from Postfix, Exim, Microsoft Exchange and Gmail, German
// ones included.
var bounceSubjects = []string{
	"undelivered mail returned to sender", "mail delivery failed", "delivery status notification",
	"undeliverable:", "unzustellbar:", "returned mail:", "failure notice", "mail delivery system",
	"delivery failure", "nicht zustellbar",
}

func looksLikeBounce(m *Mail) bool {
	local, _, _ := strings.Cut(m.From, "@")
	if local == "mailer-daemon" || local == "postmaster" || m.Header.Get("X-Failed-Recipients") != "" {
		return true
	}
	s := strings.ToLower(m.Subject)
	for _, p := range bounceSubjects {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// vendor names the MTA whose wording a bounce uses.
func vendor(m *Mail) string {
	t := m.Text
	switch {
	case strings.Contains(t, "This is the mail system at host"):
		return "postfix"
	case strings.Contains(t, "This message was created automatically by mail delivery software"):
		return "exim"
	case strings.Contains(t, "Delivery has failed to these recipients or groups") || strings.Contains(t, "Remote Server returned") ||
		m.Header.Get("X-MS-Exchange-Message-Is-Ndr") != "":
		return "microsoft"
	case strings.Contains(t, "wasn't delivered to") || strings.Contains(strings.ToLower(m.From), "googlemail.com") ||
		strings.Contains(strings.ToLower(m.From), "@google.com"):
		return "gmail"
	}
	return ""
}

// textBounce reads a bounce without a delivery-status part: the failed
// recipients from X-Failed-Recipients (Exim, Gmail) or the addresses the
// text names beside a reply, the reply line as diagnostic.
func textBounce(m *Mail) *Result {
	r := &Result{Kind: KindBounce, Format: vendor(m), OriginalMessageID: originalID(m)}
	if r.Format == "" {
		r.Format = "text"
	}
	if r.OriginalMessageID == "" {
		if sm := messageIDIn.FindStringSubmatch(m.Text); sm != nil {
			r.OriginalMessageID = sm[1]
		}
	}
	text := m.Text
	if i := strings.Index(text, "------ This is a copy of the message"); i >= 0 {
		text = text[:i] // Exim: the returned message follows
	}
	diag, status, code := "", "", ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.Trim(strings.TrimSpace(line), "'\"")
		if sm := replyLine.FindStringSubmatch(line); sm != nil && (sm[2] != "" || strings.HasPrefix(line, sm[1])) {
			diag, code, status = sm[0], sm[1], sm[2]
			break
		}
	}
	if status == "" {
		status = statusCode.FindString(text)
	}
	hard := strings.HasPrefix(status, "5") || status == "" && strings.HasPrefix(code, "5")
	if status == "" && code == "" {
		// No reply at all: only a bounce that says the delivery failed
		// for good counts as hard.
		s := strings.ToLower(m.Subject)
		hard = !strings.Contains(s, "delay") && !strings.Contains(s, "warning")
	}
	var rcpts []string
	for _, f := range strings.Split(m.Header.Get("X-Failed-Recipients"), ",") {
		if a := strings.ToLower(strings.TrimSpace(f)); a != "" {
			rcpts = append(rcpts, a)
		}
	}
	if len(rcpts) == 0 {
		seen := map[string]bool{}
		for _, a := range emailIn.FindAllString(text, 20) {
			a = strings.ToLower(a)
			local, _, _ := strings.Cut(a, "@")
			if seen[a] || a == m.From || local == "mailer-daemon" || local == "postmaster" {
				continue
			}
			seen[a] = true
			rcpts = append(rcpts, a)
			if len(rcpts) == 1 && r.Format != "microsoft" {
				break // the first address a bounce names is the failed one
			}
		}
	}
	for _, a := range rcpts {
		r.Bounces = append(r.Bounces, Bounce{Recipient: a, Status: status, Diagnostic: clip(diag), Hard: hard})
	}
	return r
}

// autoReply returns the marker that makes m an automatic reply, or "".
func autoReply(m *Mail) string {
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "auto-submitted: " + v
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if h.Get(name) != "" {
			return strings.ToLower(name)
		}
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v == "auto_reply" || v == "bulk" || v == "junk" {
		return "precedence: " + v
	}
	s := strings.ToLower(m.Subject)
	for _, p := range []string{"auto:", "automatic reply:", "automatische antwort:", "autoreply:", "out of office",
		"abwesenheitsnotiz", "vacation:", "abwesend:", "urlaub:"} {
		if strings.HasPrefix(s, p) {
			return "subject: " + p
		}
	}
	local, _, _ := strings.Cut(m.From, "@")
	if local == "mailer-daemon" || local == "postmaster" {
		return "from: " + local // a report no parser read: never answer it
	}
	return ""
}

func originalID(m *Mail) string {
	if m.Original == nil {
		return ""
	}
	return msgID(m.Original.Get("Message-Id"))
}

// dsnAddress reads "rfc822; anna@example.org".
func dsnAddress(v string) string {
	if _, a, ok := strings.Cut(v, ";"); ok {
		v = a
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
}

// dsnDiagnostic reads "smtp; 550 5.1.1 user unknown".
func dsnDiagnostic(v string) string {
	if t, d, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(t, " <@") {
		v = d
	}
	return strings.TrimSpace(v)
}

// clip bounds evidence to one short line.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "")
	}
	return s
}
