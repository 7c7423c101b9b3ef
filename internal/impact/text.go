package impact

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/herold-dev/herold/internal/i18n"
)

// catalog holds the sentences of Text; the catalogs are embedded.
var catalog = sync.OnceValue(i18n.Must)

// timeLayout shows the window's bounds; replays are reported in UTC.
const timeLayout = "2006-01-02 15:04 UTC"

// Text writes the human summary of the report in lang ("de" or "en";
// anything else is English): the totals, whether the limit stopped the
// replay, the drift, and every group with changes with its examples.
func (r *Report) Text(w io.Writer, lang string) error {
	lang = i18n.Normalize(lang)
	c := catalog()
	num := func(n int) string { return i18n.Num(lang, n) }
	var b strings.Builder
	line := func(id string, data map[string]any) {
		b.WriteString(c.T(lang, id, data))
		b.WriteByte('\n')
	}
	line("impact.summary", map[string]any{"events": num(r.Events), "since": r.Since.UTC().Format(timeLayout),
		"until": r.Until.UTC().Format(timeLayout)})
	if r.Skipped > 0 {
		line("impact.skipped", map[string]any{"n": num(r.Skipped)})
	}
	if r.Truncated {
		line("impact.truncated", map[string]any{"n": num(r.Events + r.Skipped), "oldest": r.Oldest.UTC().Format(timeLayout)})
	}
	t := r.Totals
	if t.Changes() == 0 {
		line("impact.none", map[string]any{"before": num(t.Before)})
	} else {
		line("impact.totals", counts(t, num))
	}
	if t.Drift > 0 {
		line("impact.drift", map[string]any{"n": num(t.Drift)})
	}
	for _, p := range r.Projects {
		for _, g := range p.Groups {
			if g.Changes() == 0 {
				continue
			}
			data := counts(g.Counts, num)
			data["project"], data["flow"], data["event_type"], data["notification"] = p.Project, g.Flow, g.EventType, g.Notification
			causes := make([]string, len(g.Causes))
			for i, cs := range g.Causes {
				causes[i] = c.T(lang, "impact.cause."+cs, nil)
			}
			data["causes"] = strings.Join(causes, "; ")
			b.WriteByte('\n')
			if len(causes) > 0 {
				line("impact.group.caused", data)
			} else {
				line("impact.group", data)
			}
			for _, ex := range g.Examples {
				b.WriteString("  ")
				line("impact.example."+ex.Change, example(c, lang, ex))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// counts are the template data of a Counts.
func counts(c Counts, num func(int) string) map[string]any {
	return map[string]any{"before": num(c.Before), "after": num(c.After), "added": num(c.Added),
		"removed": num(c.Removed), "changed": num(c.Changed)}
}

// example is the template data of an example.
func example(c *i18n.Catalog, lang string, ex Example) map[string]any {
	data := map[string]any{"event": ex.Event, "at": ex.ReceivedAt.UTC().Format(timeLayout)}
	if m := ex.Before; m != nil {
		data["before"] = describe(c, lang, m)
	}
	if m := ex.After; m != nil {
		data["after"] = describe(c, lang, m)
	}
	fields := make([]string, len(ex.Fields))
	for i, f := range ex.Fields {
		fields[i] = c.T(lang, "impact.field."+f, nil)
	}
	data["fields"] = strings.Join(fields, ", ")
	return data
}

// describe says to whom a message goes, with which template and as what.
func describe(c *i18n.Catalog, lang string, m *Message) string {
	status := c.T(lang, "status."+string(m.Status), nil)
	if m.Reason != "" {
		// The cockpit's names of suppression reasons ("keine
		// E-Mail-Adresse"); a reason without one stays its code.
		reason := m.Reason
		if c.Has(lang, "web.reason."+reason) {
			reason = c.T(lang, "web.reason."+reason, nil)
		}
		status += ": " + reason
	}
	return fmt.Sprintf("%s (%s, %s)", m.Recipient, m.Template, status)
}
