package inbound

import (
	"regexp"
	"strings"
)

// attribution matches the line mail clients put above a quoted message:
// "On Mon, 1 Dec 2026, Helpdesk wrote:", "Am 01.12.2026 um 10:00 schrieb
// Helpdesk:", Outlook's "-----Original Message-----" and its German form,
// and Outlook's rule before the quoted header block.
var attribution = regexp.MustCompile(`(?i)^(on\s.+\swrote:|am\s.+\sschrieb.*:|-{3,}\s*(original message|ursprüngliche nachricht)\s*-{3,}|_{20,})\s*$`)

// StripQuoted returns the new text of a reply: everything before the
// attribution of the quoted message, without quoted (">") lines, trimmed.
func StripQuoted(text string) string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if attribution.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, strings.TrimRight(line, " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
