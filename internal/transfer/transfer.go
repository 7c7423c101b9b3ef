// Package transfer copies a whole installation from one database to
// another — typically from SQLite to PostgreSQL when one machine is no
// longer enough: `herold export` writes every workspace with its keys,
// users, configuration, contacts, objects, schedules, broadcasts, history
// and statistics as JSON lines; `herold import` reads them into another
// database and queues the messages that were still waiting for delivery.
package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Record kinds: the server's secrets first, then, in this order, each
// workspace's records.
const (
	KindSecret    = "secret"
	KindWorkspace = "workspace"
	KindAPIKey    = "api_key"
	KindUser      = "user"
	KindTemplate  = "template"
	KindFlow      = "flow"
	KindProject   = "project"
	KindContact   = "contact"
	// KindPreferences follows a contact that has preferences: its
	// current choices, which the contact's own record leaves out.
	KindPreferences = "contact_preferences"
	KindObject      = "object"
	KindSchedule    = "schedule"
	KindRun         = "schedule_run"
	KindBroadcast   = "broadcast"
	KindEvent       = "event"
	KindMessage     = "message"
	KindCapture     = "capture"
	KindStats       = "stats"
)

// Record is one line of an export.
type Record struct {
	Kind string `json:"kind"`
	// Workspace is the key of the workspace the record belongs to.
	Workspace string          `json:"workspace"`
	Data      json.RawMessage `json:"data"`
	// line is where the record is in the export being imported, for
	// error messages.
	line int
}

// secretData is a server secret (the key that signs unsubscribe links):
// it moves along so that links in mails sent before the move keep
// working.
type secretData struct {
	Name  string `json:"name"`
	Value []byte `json:"value"`
}

// The payloads of kinds whose model types hide fields from JSON.
type apiKeyData struct {
	Key  *model.APIKey `json:"key"`
	Hash []byte        `json:"hash"`
}

type userData struct {
	User         *model.User `json:"user"`
	PasswordHash string      `json:"password_hash"`
}

// preferencesData is a contact's current preferences (derived from its
// ledger), which the contact's JSON form leaves out: the host app cannot
// write them with the contact.
type preferencesData struct {
	Contact     string             `json:"contact"`
	Preferences []model.Preference `json:"preferences"`
}

type eventData struct {
	Event *model.Event `json:"event"`
	Trace []model.Step `json:"trace"`
}

// captureData is a captured copy as exports of earlier versions carry it;
// now a message records its filing itself (model.Message.CapturedAt).
type captureData struct {
	MessageID  string    `json:"message_id"`
	Raw        []byte    `json:"raw"`
	CapturedAt time.Time `json:"captured_at"`
}

type runData struct {
	Run    *model.ScheduleRun `json:"run"`
	Cursor string             `json:"cursor"`
}

// broadcastData is a broadcast with its scan position, which its JSON
// form leaves out.
type broadcastData struct {
	Broadcast *model.Broadcast `json:"broadcast"`
	Cursor    string           `json:"cursor"`
}

// Counts tells how many records of each kind were copied.
type Counts map[string]int

// writer writes records as JSON lines.
type writer struct {
	enc    *json.Encoder
	counts Counts
}

func (w *writer) put(kind, ws string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	w.counts[kind]++
	return w.enc.Encode(Record{Kind: kind, Workspace: ws, Data: data})
}

// reader reads records one at a time.
type reader struct {
	sc   *bufio.Scanner
	line int
}

func newReader(r io.Reader) *reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return &reader{sc: sc}
}

var errEnd = errors.New("end of export")

func (r *reader) next() (*Record, error) {
	for r.sc.Scan() {
		r.line++
		if len(r.sc.Bytes()) == 0 {
			continue
		}
		rec := Record{line: r.line}
		if err := json.Unmarshal(r.sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: not an export record: %w", r.line, err)
		}
		return &rec, nil
	}
	if err := r.sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", r.line+1, err)
	}
	return nil, errEnd
}

// pageAll pages through a keyset-paginated list.
func pageAll[T any](ctx context.Context, list func(ctx context.Context, after string) ([]T, error), key func(T) string, fn func(T) error) error {
	after := ""
	for {
		items, err := list(ctx, after)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(items) < pageSize {
			return nil
		}
		after = key(items[len(items)-1])
	}
}

const pageSize = 500

// listParams builds store list parameters for one page.
func listParams(ws int64, after string) *store.ListParams {
	return &store.ListParams{WorkspaceID: ws, After: after, Limit: pageSize}
}
