package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/unsubscribe"
)

// Export writes every workspace of st to w. Sessions are not exported:
// users sign in again after a move.
func Export(ctx context.Context, st store.Store, w io.Writer) (Counts, error) {
	out := &writer{enc: json.NewEncoder(w), counts: Counts{}}
	if err := exportSecrets(ctx, st, out); err != nil {
		return out.counts, err
	}
	wss, err := st.WorkspaceList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	for _, ws := range wss {
		if err := exportWorkspace(ctx, st, out, ws); err != nil {
			return out.counts, fmt.Errorf("workspace %s: %w", ws.Key, err)
		}
	}
	return out.counts, nil
}

// exportSecrets writes the key of unsubscribe links. A source that has
// none yet gets one now (it would on its next mail), so that source and
// destination agree from here on.
func exportSecrets(ctx context.Context, st store.Store, out *writer) error {
	value, err := unsubscribe.LoadSecret(ctx, st, time.Now())
	if err != nil {
		return err
	}
	return out.put(KindSecret, "", secretData{Name: unsubscribe.SecretName, Value: value})
}

func exportWorkspace(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	k := ws.Key
	if err := out.put(KindWorkspace, k, ws); err != nil {
		return err
	}
	steps := []func(context.Context, store.Store, *writer, *model.Workspace) error{
		exportAccess, exportConfig, exportData, exportSchedules, exportBroadcasts, exportHistory,
	}
	for _, step := range steps {
		if err := step(ctx, st, out, ws); err != nil {
			return err
		}
	}
	rows, err := st.StatsList(ctx, ws.ID, "0000-00-00", "9999-99-99")
	if err != nil {
		return fmt.Errorf("read statistics: %w", err)
	}
	for _, r := range rows {
		if err := out.put(KindStats, k, r); err != nil {
			return err
		}
	}
	return nil
}

// exportAccess writes API keys (with their hashes, so existing keys keep
// working) and cockpit users (with their password hashes).
func exportAccess(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	keys, err := st.APIKeyList(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("list keys: %w", err)
	}
	hashes, err := st.APIKeyHashes(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("read key hashes: %w", err)
	}
	for _, key := range keys {
		if err := out.put(KindAPIKey, ws.Key, apiKeyData{Key: key, Hash: hashes[key.ID]}); err != nil {
			return err
		}
	}
	users, err := st.UserList(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	for _, u := range users {
		if err := out.put(KindUser, ws.Key, userData{User: u, PasswordHash: u.PasswordHash}); err != nil {
			return err
		}
	}
	return nil
}

func exportConfig(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	err := pageAll(ctx, func(ctx context.Context, after string) ([]*model.Template, error) {
		return st.TemplateList(ctx, listParams(ws.ID, after))
	}, func(t *model.Template) string { return t.Key }, func(t *model.Template) error {
		return out.put(KindTemplate, ws.Key, t)
	})
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	err = pageAll(ctx, func(ctx context.Context, after string) ([]*model.Flow, error) {
		return st.FlowList(ctx, listParams(ws.ID, after))
	}, func(f *model.Flow) string { return f.Key }, func(f *model.Flow) error {
		return out.put(KindFlow, ws.Key, f)
	})
	if err != nil {
		return fmt.Errorf("flows: %w", err)
	}
	return pageAll(ctx, func(ctx context.Context, after string) ([]*model.Project, error) {
		return st.ProjectList(ctx, listParams(ws.ID, after))
	}, func(p *model.Project) string { return p.Key }, func(p *model.Project) error {
		return out.put(KindProject, ws.Key, p)
	})
}

func exportData(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	err := pageAll(ctx, func(ctx context.Context, after string) ([]*model.Contact, error) {
		return st.ContactList(ctx, listParams(ws.ID, after))
	}, func(c *model.Contact) string { return c.ID }, func(c *model.Contact) error {
		if err := out.put(KindContact, ws.Key, c); err != nil || len(c.Preferences) == 0 {
			return err
		}
		return out.put(KindPreferences, ws.Key, preferencesData{Contact: c.ID, Preferences: c.Preferences})
	})
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	colls, err := st.ObjectCollections(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("collections: %w", err)
	}
	for _, coll := range colls {
		err := pageAll(ctx, func(ctx context.Context, after string) ([]*model.Object, error) {
			return st.ObjectList(ctx, &store.ObjectListParams{ListParams: *listParams(ws.ID, after), Collection: coll})
		}, func(o *model.Object) string { return o.ID }, func(o *model.Object) error {
			return out.put(KindObject, ws.Key, o)
		})
		if err != nil {
			return fmt.Errorf("objects of %s: %w", coll, err)
		}
	}
	return nil
}

func exportSchedules(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	return pageAll(ctx, func(ctx context.Context, after string) ([]*model.Schedule, error) {
		return st.ScheduleList(ctx, listParams(ws.ID, after))
	}, func(s *model.Schedule) string { return s.Key }, func(s *model.Schedule) error {
		if err := out.put(KindSchedule, ws.Key, s); err != nil {
			return err
		}
		return pageAll(ctx, func(ctx context.Context, before string) ([]*model.ScheduleRun, error) {
			return st.ScheduleRunList(ctx, &store.RunListParams{WorkspaceID: ws.ID, Schedule: s.Key, Before: before, Limit: pageSize})
		}, func(r *model.ScheduleRun) string { return r.ID }, func(r *model.ScheduleRun) error {
			return out.put(KindRun, ws.Key, runData{Run: r, Cursor: r.Cursor})
		})
	})
}

// exportBroadcasts writes the broadcasts with their progress.
func exportBroadcasts(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	return pageAll(ctx, func(ctx context.Context, after string) ([]*model.Broadcast, error) {
		return st.BroadcastList(ctx, listParams(ws.ID, after))
	}, func(b *model.Broadcast) string { return b.Key }, func(b *model.Broadcast) error {
		return out.put(KindBroadcast, ws.Key, broadcastData{Broadcast: b, Cursor: b.Progress.Cursor})
	})
}

// exportHistory writes events, each followed by its messages (with
// timelines) and their captured copies.
func exportHistory(ctx context.Context, st store.Store, out *writer, ws *model.Workspace) error {
	return pageAll(ctx, func(ctx context.Context, before string) ([]*model.Event, error) {
		return st.EventList(ctx, &store.EventListParams{WorkspaceID: ws.ID, Before: before, Limit: pageSize})
	}, func(e *model.Event) string { return e.ID }, func(e *model.Event) error {
		full, err := st.EventGet(ctx, ws.ID, e.ID)
		if err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		if err := out.put(KindEvent, ws.Key, eventData{Event: full, Trace: full.Trace}); err != nil {
			return err
		}
		return exportMessages(ctx, st, out, ws, e.ID)
	})
}

func exportMessages(ctx context.Context, st store.Store, out *writer, ws *model.Workspace, eventID string) error {
	list, err := st.MessageList(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: eventID, Limit: 1_000_000})
	if err != nil {
		return fmt.Errorf("messages of event %s: %w", eventID, err)
	}
	for _, m := range list {
		full, err := st.MessageGet(ctx, ws.ID, m.ID)
		if err != nil {
			return fmt.Errorf("message %s: %w", m.ID, err)
		}
		// A captured message carries its filing in the capture mailbox
		// (CapturedAt); its .eml is rebuilt from the rendered copy.
		if err := out.put(KindMessage, ws.Key, full); err != nil {
			return err
		}
	}
	return nil
}
