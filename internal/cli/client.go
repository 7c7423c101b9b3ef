package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/httpapi"
	"github.com/herold-dev/herold/internal/model"
)

// clientFlags are the flags of commands that talk to a running server.
type clientFlags struct {
	server string
	key    string
}

// add adds --server and --key to cmd. calls are the API routes the
// command calls, as the route table writes them ("POST /v1/plan"): the
// help of --key names the scope they need, from the route table.
func (f *clientFlags) add(cmd *cobra.Command, calls ...string) {
	cmd.Flags().StringVar(&f.server, "server", "http://127.0.0.1:8080", "URL of the Herold server")
	cmd.Flags().StringVar(&f.key, "key", "", "API key (scope "+keyScopes(calls)+")")
}

// keyScopes names the scopes of which a key needs one for every route
// of calls ("admin", "admin or ingest"). It panics on a route the API
// does not have, or on routes no one scope opens: the command is wrong.
func keyScopes(calls []string) string {
	if len(calls) == 0 {
		panic("a client command names the API routes it calls")
	}
	var need []model.Scope
	for i, call := range calls {
		method, path, _ := strings.Cut(call, " ")
		scopes, ok := httpapi.RouteScopes(method, path)
		if !ok || scopes == nil {
			panic(fmt.Sprintf("no API route %q that takes a key", call))
		}
		if i == 0 {
			need = scopes
			continue
		}
		need = slices.DeleteFunc(need, func(s model.Scope) bool { return !slices.Contains(scopes, s) })
	}
	if len(need) == 0 {
		panic(fmt.Sprintf("no one scope opens all of %q", calls))
	}
	names := make([]string, len(need))
	for i, s := range need {
		names[i] = string(s)
	}
	return strings.Join(names, " or ")
}

func (f *clientFlags) client(opts ...client.Option) (*client.Client, error) {
	if f.key == "" {
		return nil, errors.New("no API key: pass --key or set HEROLD_KEY (create one with `herold keys create`)")
	}
	c, err := client.New(f.server, f.key, opts...)
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	return c, nil
}

func newEvents() *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Send events to a running server"}
	cmd.AddCommand(newEventsSend())
	return cmd
}

func newEventsSend() *cobra.Command {
	var cf clientFlags
	var ev client.Event
	var actors, data []string
	var object, contact, dataJSON string
	cmd := &cobra.Command{
		Use:   "send [FILE|-]",
		Short: "Send one event (from flags, or a JSON file; a JSON array is sent as a batch)",
		Example: `  herold events send --type job.requested --project messe-koeln --actor promoter=p-17 --data job="Messe Köln"
  herold events send event.json
  cat events.json | herold events send -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				return sendFile(cmd, c, args[0])
			}
			if err := eventFromFlags(&ev, actors, data, object, contact, dataJSON); err != nil {
				return err
			}
			res, err := c.SendEvent(cmd.Context(), &ev)
			if err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cf.add(cmd, "POST /v1/events", "POST /v1/events/batch")
	f := cmd.Flags()
	f.StringVar(&ev.Type, "type", "", "event type, e.g. job.requested")
	f.StringVar(&ev.Project, "project", "", "project key")
	f.StringArrayVar(&actors, "actor", nil, "role=contact-id (repeat)")
	f.StringVar(&contact, "contact", "", "the contact the event is about")
	f.StringVar(&object, "object", "", "collection/id of the object the event is about")
	f.StringArrayVar(&data, "data", nil, "key=value for the event data (repeat; values are strings)")
	f.StringVar(&dataJSON, "data-json", "", "the event data as a JSON object")
	f.StringVar(&ev.IdempotencyKey, "idempotency-key", "", "sending the same key again creates nothing")
	return withEnvHelp(cmd)
}

func eventFromFlags(ev *client.Event, actors, data []string, object, contact, dataJSON string) error {
	if ev.Type == "" || ev.Project == "" {
		return errors.New("--type and --project are required (or pass a JSON file)")
	}
	ev.Actors = map[string][]client.Actor{}
	for _, a := range actors {
		role, id, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("--actor %q: use role=contact-id", a)
		}
		ev.Actors[role] = append(ev.Actors[role], client.ContactID(id))
	}
	if contact != "" {
		a := client.ContactID(contact)
		ev.Contact = &a
	}
	if object != "" {
		coll, id, ok := strings.Cut(object, "/")
		if !ok {
			return fmt.Errorf("--object %q: use collection/id", object)
		}
		ev.Object = &client.ObjectRef{Collection: coll, ID: id}
	}
	ev.Data = map[string]any{}
	if dataJSON != "" {
		if err := json.Unmarshal([]byte(dataJSON), &ev.Data); err != nil {
			return fmt.Errorf("--data-json: %w", err)
		}
	}
	for _, d := range data {
		k, v, ok := strings.Cut(d, "=")
		if !ok {
			return fmt.Errorf("--data %q: use key=value", d)
		}
		ev.Data[k] = v
	}
	return nil
}

func sendFile(cmd *cobra.Command, c *client.Client, name string) error {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(cmd.InOrStdin())
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	trimmed := strings.TrimSpace(string(raw))
	if strings.HasPrefix(trimmed, "[") {
		var events []json.RawMessage
		if err := json.Unmarshal(raw, &events); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		// The file's events go out as written, so the server's strict
		// decoding reports every unknown field.
		var out struct {
			Results []struct {
				Index  int                 `json:"index"`
				Errors []client.FieldError `json:"errors"`
				client.EventResult
			} `json:"results"`
		}
		if err := c.Do(cmd.Context(), "POST", "/v1/events/batch", map[string]any{"events": events}, &out); err != nil {
			return err
		}
		for _, r := range out.Results {
			if len(r.Errors) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "event %d rejected:\n", r.Index)
				for _, e := range r.Errors {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s: %s\n", e.Field, e.Detail)
				}
				continue
			}
			printResult(cmd.OutOrStdout(), &r.EventResult)
		}
		return nil
	}
	var res client.EventResult
	if err := c.Do(cmd.Context(), "POST", "/v1/events", json.RawMessage(raw), &res); err != nil {
		return err
	}
	printResult(cmd.OutOrStdout(), &res)
	return nil
}

func printResult(w io.Writer, r *client.EventResult) {
	dup := ""
	if r.Duplicate {
		dup = " (duplicate: nothing new was created)"
	}
	fmt.Fprintf(w, "event %s accepted%s\n", r.ID, dup)
	if len(r.Messages) == 0 {
		fmt.Fprintf(w, "no messages; see why with: herold explain %s\n", r.ID)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MESSAGE\tSTATUS\tTO\tTEMPLATE\tREASON")
	for _, m := range r.Messages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Status, m.To.Email, m.Template, m.Reason)
	}
	_ = tw.Flush()
}

func newExplain() *cobra.Command {
	var cf clientFlags
	var lang string
	cmd := &cobra.Command{
		Use:     "explain EVENT_ID",
		Short:   "Explain what an event sent, and why (not)",
		Example: "  herold explain 019c5a1e-... --lang de",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			ex, err := c.Explain(cmd.Context(), args[0], lang)
			if err != nil {
				if errors.Is(err, client.ErrNotFound) {
					return fmt.Errorf("event %s not found in this key's workspace; list events with GET /v1/events", args[0])
				}
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s\n\n", ex.Summary)
			for i, s := range ex.Steps {
				fmt.Fprintf(w, "%2d. %s\n", i+1, s.Text)
			}
			return nil
		},
	}
	cf.add(cmd, "GET /v1/events/{id}/explain")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the sentences: en or de")
	return withEnvHelp(cmd)
}
