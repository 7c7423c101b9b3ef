package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// importer applies records to the destination in transactions of a few
// hundred records.
type importer struct {
	st      store.Store
	ws      map[string]*model.Workspace // by key
	counts  Counts
	pending []*Record
	// captures are the captured copies among pending (exports of earlier
	// versions carry them as records of their own), by message id.
	captures map[string]*captureData
}

const importBatch = 500

// Import reads an export into st. The workspaces must not exist in st yet:
// import into a freshly migrated database, before its first start. Messages
// that were queued, sending or waiting for a retry are due for delivery on
// the new installation at once (with their Message-IDs, so a resend can be
// recognised).
func Import(ctx context.Context, st store.Store, r io.Reader) (Counts, error) {
	im := &importer{st: st, ws: map[string]*model.Workspace{}, counts: Counts{}}
	rd := newReader(r)
	for {
		rec, err := rd.next()
		if errors.Is(err, errEnd) {
			break
		}
		if err != nil {
			return im.counts, err
		}
		if rec.Kind == KindSecret {
			if err := im.secret(ctx, rec); err != nil {
				return im.counts, fmt.Errorf("line %d: %w", rd.line, err)
			}
			continue
		}
		if rec.Kind == KindWorkspace {
			if err := im.flush(ctx); err != nil {
				return im.counts, err
			}
			if err := im.workspace(ctx, rec); err != nil {
				return im.counts, fmt.Errorf("line %d: %w", rd.line, err)
			}
			continue
		}
		if im.ws[rec.Workspace] == nil {
			return im.counts, fmt.Errorf("line %d: %s of workspace %q comes before the workspace", rd.line, rec.Kind, rec.Workspace)
		}
		im.pending = append(im.pending, rec)
		// A message's captured copy (in exports of earlier versions)
		// follows the message: keep them in one batch.
		if len(im.pending) >= importBatch && rec.Kind != KindMessage {
			if err := im.flush(ctx); err != nil {
				return im.counts, err
			}
		}
	}
	return im.counts, im.flush(ctx)
}

// secret stores a server secret of the source. A destination that has a
// different one already (it has sent mail itself) is refused: one of the
// two installations' unsubscribe links would stop working.
func (im *importer) secret(ctx context.Context, rec *Record) error {
	d, err := decodeInto[secretData](rec.Data)
	if err != nil || d.Name == "" || len(d.Value) == 0 {
		return fmt.Errorf("secret: not a secret record: %v", err)
	}
	got, err := im.st.SecretGetOrCreate(ctx, d.Name, d.Value, time.Now())
	if err != nil {
		return fmt.Errorf("store secret %s: %w", d.Name, err)
	}
	if !bytes.Equal(got, d.Value) {
		return fmt.Errorf("the destination has its own %s key already, so unsubscribe links in mails sent before the move would stop working; import into a fresh database (run `herold migrate`, not `herold serve`, before importing)", d.Name)
	}
	im.counts[KindSecret]++
	return nil
}

func (im *importer) workspace(ctx context.Context, rec *Record) error {
	var ws model.Workspace
	if err := json.Unmarshal(rec.Data, &ws); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	if _, err := im.st.WorkspaceGetByKey(ctx, ws.Key); err == nil {
		return fmt.Errorf("workspace %q exists in the destination already; import into a fresh database (run `herold migrate`, not `herold serve`, before importing)", ws.Key)
	}
	if err := im.st.WorkspaceInsert(ctx, &ws); err != nil {
		return fmt.Errorf("insert workspace %s: %w", ws.Key, err)
	}
	im.ws[ws.Key] = &ws
	im.counts[KindWorkspace]++
	return nil
}

// flush writes the pending records in one transaction.
func (im *importer) flush(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	im.captures = map[string]*captureData{}
	for _, rec := range im.pending {
		if rec.Kind == KindCapture {
			d, err := decodeInto[captureData](rec.Data)
			if err != nil {
				return fmt.Errorf("capture of workspace %s: %w", rec.Workspace, err)
			}
			im.captures[d.MessageID] = d
		}
	}
	err := im.st.WithTx(ctx, func(tx store.Tx) error {
		for _, rec := range im.pending {
			if err := im.apply(ctx, tx, rec); err != nil {
				return fmt.Errorf("line %d: %s of workspace %s: %w", rec.line, rec.Kind, rec.Workspace, err)
			}
			im.counts[rec.Kind]++
		}
		return nil
	})
	im.pending = im.pending[:0]
	return err
}

// decodeInto decodes a record's payload, keeping numbers in data and
// attributes exact (json.Number) as the stores do.
func decodeInto[T any](data json.RawMessage) (*T, error) {
	v := new(T)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	return v, nil
}

// withinLimits refuses data or attributes beyond what the API accepts
// (model.CheckData): an export of a version without the limits may carry
// them, and an import must not plant what the API would refuse.
func withinLimits(what, root string, v any) error {
	if p := model.CheckData(root, v); p != nil {
		return fmt.Errorf("%s: %w; the API refuses such data: correct or remove this line of the export and import again", what, p)
	}
	return nil
}

func (im *importer) apply(ctx context.Context, tx store.Tx, rec *Record) error {
	ws := im.ws[rec.Workspace]
	switch rec.Kind {
	case KindAPIKey:
		d, err := decodeInto[apiKeyData](rec.Data)
		if err != nil {
			return err
		}
		d.Key.WorkspaceID = ws.ID
		return tx.APIKeyInsert(ctx, &store.APIKeyInsertParams{Key: d.Key, Hash: d.Hash})
	case KindUser:
		d, err := decodeInto[userData](rec.Data)
		if err != nil {
			return err
		}
		d.User.WorkspaceID, d.User.PasswordHash = ws.ID, d.PasswordHash
		return tx.UserInsert(ctx, d.User)
	case KindTemplate:
		return upsert(rec.Data, func(t *model.Template) error { _, err := tx.TemplateUpsert(ctx, ws.ID, t); return err })
	case KindFlow:
		return upsert(rec.Data, func(f *model.Flow) error {
			version := f.Version
			if _, err := tx.FlowUpsert(ctx, ws.ID, f); err != nil {
				return err
			}
			if version < 1 {
				return nil // an export without versions: numbering starts at 1
			}
			return tx.FlowSetVersion(ctx, ws.ID, f.Key, version)
		})
	case KindProject:
		return upsert(rec.Data, func(p *model.Project) error {
			if err := withinLimits(fmt.Sprintf("project %q", p.Key), "attributes", p.Attributes); err != nil {
				return err
			}
			_, err := tx.ProjectUpsert(ctx, ws.ID, p)
			return err
		})
	case KindContact:
		return upsert(rec.Data, func(c *model.Contact) error {
			if err := withinLimits(fmt.Sprintf("contact %q", c.ID), "attributes", c.Attributes); err != nil {
				return err
			}
			return tx.ContactUpsertMany(ctx, ws.ID, []*model.Contact{c})
		})
	case KindPreferences:
		d, err := decodeInto[preferencesData](rec.Data)
		if err != nil {
			return err
		}
		for i, p := range d.Preferences {
			if p.Category == "" || !model.ValidPreference(p.Setting, p.Value) {
				return fmt.Errorf("contact %q: preference %d (%s %s = %q) is not a preference; correct or remove this line of the export and import again",
					d.Contact, i, p.Category, p.Setting, p.Value)
			}
		}
		return tx.PreferenceStateSet(ctx, &store.PreferenceStateSetParams{WorkspaceID: ws.ID, ContactID: d.Contact, Preferences: d.Preferences})
	case KindObject:
		return upsert(rec.Data, func(o *model.Object) error {
			if err := withinLimits(fmt.Sprintf("object %q in %q", o.ID, o.Collection), "attributes", o.Attributes); err != nil {
				return err
			}
			_, err := tx.ObjectUpsert(ctx, ws.ID, o)
			return err
		})
	case KindSchedule:
		return upsert(rec.Data, func(s *model.Schedule) error { _, err := tx.ScheduleUpsert(ctx, ws.ID, s); return err })
	case KindBroadcast:
		d, err := decodeInto[broadcastData](rec.Data)
		if err != nil {
			return err
		}
		if err := withinLimits(fmt.Sprintf("broadcast %q", d.Broadcast.Key), "data", d.Broadcast.Data); err != nil {
			return err
		}
		// Stored whole: a running broadcast goes on from its position
		// on the new installation, a scheduled one starts on time.
		d.Broadcast.Progress.Cursor = d.Cursor
		_, err = tx.BroadcastUpsert(ctx, ws.ID, d.Broadcast)
		return err
	}
	return im.applyHistory(ctx, tx, ws, rec)
}

func upsert[T any](data json.RawMessage, fn func(*T) error) error {
	v, err := decodeInto[T](data)
	if err != nil {
		return err
	}
	return fn(v)
}

func (im *importer) applyHistory(ctx context.Context, tx store.Tx, ws *model.Workspace, rec *Record) error {
	switch rec.Kind {
	case KindRun:
		d, err := decodeInto[runData](rec.Data)
		if err != nil {
			return err
		}
		d.Run.Cursor = d.Cursor
		return tx.ScheduleRunInsert(ctx, ws.ID, d.Run)
	case KindEvent:
		d, err := decodeInto[eventData](rec.Data)
		if err != nil {
			return err
		}
		if err := withinLimits(fmt.Sprintf("event %q", d.Event.ID), "data", d.Event.Data); err != nil {
			return err
		}
		d.Event.Trace = d.Trace
		return tx.EventInsert(ctx, ws.ID, d.Event)
	case KindMessage:
		m, err := decodeInto[model.Message](rec.Data)
		if err != nil {
			return err
		}
		if c, ok := im.captures[m.ID]; ok && m.CapturedAt == nil {
			m.CapturedAt, m.CapturedSize = &c.CapturedAt, len(c.Raw)
		}
		return tx.MessageInsertMany(ctx, ws.ID, []*model.Message{m})
	case KindCapture:
		return nil // applied with its message (see flush)
	case KindStats:
		r, err := decodeInto[store.StatsRow](rec.Data)
		if err != nil {
			return err
		}
		return tx.StatsAdd(ctx, []store.StatsDelta{{WorkspaceID: ws.ID, Day: r.Day, Status: r.Status, Reason: r.Reason, N: r.Count}})
	}
	return fmt.Errorf("unknown record kind %q", rec.Kind)
}
