package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/herold-dev/herold/client"
)

// maxSimulateFile bounds the file herold simulate reads (the server's
// body limit is 1 MiB of JSON).
const maxSimulateFile = 4 << 20

// simulateWait is how long herold simulate waits for the answer: the
// server's default --http-write-timeout.
const simulateWait = 2 * time.Minute

func newSimulate() *cobra.Command {
	var cf clientFlags
	var lang, until string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "simulate FLOW FILE|-",
		Short: "Show what a flow would send for events at given times, without sending anything",
		Long: `Runs the events of FILE (JSON or YAML: a list of events, or {events: [...], until: ...})
through the flow FLOW on a scratch copy of the workspace, with the engine's own code and a
simulated clock, and prints the timeline: each message with its recipient, channel, subject and
when it would go out, or why not, then each event's explanation. Each event needs occurred_at.
Nothing is stored, sent or posted. See docs/simulate.md.`,
		Example: `  herold simulate standard events.yaml --until 2026-03-09T08:00:00Z
  herold simulate standard events.json --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A simulation may take the server's whole limit
			// (--simulate-timeout); wait as long as the server writes.
			c, err := cf.client(client.WithTimeout(simulateWait))
			if err != nil {
				return err
			}
			req, err := readSimulation(cmd, args[1])
			if err != nil {
				return err
			}
			if until != "" {
				t, err := time.Parse(time.RFC3339, until)
				if err != nil {
					return fmt.Errorf("--until %q: use RFC 3339, e.g. 2026-03-09T08:00:00Z", until)
				}
				req["until"] = t
			}
			var out json.RawMessage
			path := "/v1/flows/" + url.PathEscape(args[0]) + "/simulate?lang=" + url.QueryEscape(lang)
			if err := c.Do(cmd.Context(), "POST", path, req, &out); err != nil {
				if errors.Is(err, client.ErrNotFound) {
					return fmt.Errorf("flow %s not found in this key's workspace; list flows with GET /v1/flows", args[0])
				}
				return err
			}
			if asJSON {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out)
				return err
			}
			var tl client.Timeline
			if err := json.Unmarshal(out, &tl); err != nil {
				return fmt.Errorf("read the server's answer: %w", err)
			}
			printTimeline(cmd.OutOrStdout(), &tl)
			return nil
		},
	}
	cf.add(cmd, "POST /v1/flows/{key}/simulate")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the explanations: en or de")
	cmd.Flags().StringVar(&until, "until", "", "end of the simulated time (RFC 3339); default the last event's time")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the server's JSON answer")
	return withEnvHelp(cmd)
}

// readSimulation reads the request body from a JSON or YAML file: a list
// of events or an object with events (and until). The events go out as
// written, so the server's strict decoding reports every unknown field.
func readSimulation(cmd *cobra.Command, name string) (map[string]any, error) {
	var r io.Reader
	if name == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxSimulateFile+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxSimulateFile {
		return nil, fmt.Errorf("%s: larger than %d MiB; simulate fewer events", name, maxSimulateFile>>20)
	}
	var root yaml.Node // YAML is a superset of JSON: one decoder reads both
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("%s: neither JSON nor YAML: %w", name, err)
	}
	v, err := yamlValue(&root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch v := v.(type) {
	case []any:
		return map[string]any{"events": v}, nil
	case map[string]any:
		return v, nil
	}
	return nil, fmt.Errorf("%s: expected a list of events or an object with \"events\"", name)
}

// yamlValue converts a YAML node to what encoding/json writes back as the
// same JSON: timestamps and dates stay the strings written (data such as
// date: 2026-04-15 must reach the server as written), numbers exact.
func yamlValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, errors.New("empty file")
		}
		return yamlValue(n.Content[0])
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		return strconv.ParseBool(n.Value)
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return n.Value, nil
}

// printTimeline writes the timeline as a table, then each event's
// explanation.
func printTimeline(w io.Writer, tl *client.Timeline) {
	counts := map[string]int{}
	for _, m := range tl.Messages {
		counts[m.Outcome]++
	}
	var parts []string
	for _, o := range []string{client.OutcomeSent, client.OutcomeScheduled, "suppressed", "awaiting_confirmation", "expired"} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], strings.ReplaceAll(o, "_", " ")))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no messages")
	}
	fmt.Fprintf(w, "Flow %s, %s to %s: %d events, %s.\n\n", tl.Flow, stamp(tl.From), stamp(tl.Until), len(tl.Events),
		strings.Join(parts, ", "))
	if len(tl.Messages) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tOUTCOME\tTO\tCHANNEL\tEVENT\tSUBJECT OR REASON")
		for _, m := range tl.Messages {
			what := m.Subject
			if m.Reason != "" {
				what = m.Reason
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", stamp(m.At), m.Outcome, recipient(m.To), m.Channel, m.Event, what)
		}
		_ = tw.Flush()
		fmt.Fprintln(w)
	}
	for _, ev := range tl.Events {
		fmt.Fprintf(w, "Event %d, %s at %s: %s\n", ev.Index, ev.Type, stamp(ev.OccurredAt), ev.Summary)
		for i, s := range ev.Steps {
			fmt.Fprintf(w, "  %2d. %s\n", i+1, s.Text)
		}
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func recipient(a client.Address) string {
	if a.Email != "" {
		return a.Email
	}
	if a.Contact != "" {
		return a.Contact
	}
	return "-"
}
