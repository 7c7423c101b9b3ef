package ingest

import (
	"context"
	"slices"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// ReplanConfig is the configuration Replan decides with instead of the
// stored one.
type ReplanConfig interface {
	// Project returns the project called key, nil when there is none.
	Project(ctx context.Context, key string) (*model.Project, error)
	// Flow returns the flow called key, nil when there is none.
	Flow(ctx context.Context, key string) (*model.Flow, error)
}

// Replan decides recorded events of one workspace again with the planner
// and the snapshot loading Accept uses, but with the projects and flows of
// cfg: each event as of its received time (the "now" of its conditions),
// with its object and contacts as q holds them now. It renders nothing and
// writes nothing. An event Replayable refuses gets a nil output.
func Replan(ctx context.Context, q store.Queries, ws *model.Workspace, cfg ReplanConfig, env *condition.Env, events []*model.Event) ([]*plan.Output, error) {
	items := make([]item, 0, len(events))
	for _, ev := range events {
		if Replayable(ev) {
			items = append(items, item{in: &Input{}, ev: ev})
		}
	}
	snaps, err := loadSnapshotsFrom(ctx, q, ws, replanSource{cfg}, items)
	if err != nil {
		return nil, err
	}
	out := make([]*plan.Output, len(events))
	eval := evaluator{env}
	for i, ev := range events {
		if sn := snaps[ev]; sn != nil {
			o := plan.Plan(ctx, sn.input(ws, ev, ev.ReceivedAt), eval)
			out[i] = &o
		}
	}
	return out, nil
}

// Replayable reports whether a recorded event was decided by its project's
// flow, so that replaying it through another configuration means
// something: not a manual send (its one notification was chosen by a
// person and is not recorded as configuration) and not an event a
// schedule excluded or could not evaluate (it planned nothing by design).
func Replayable(ev *model.Event) bool {
	if ev.Source == model.SourceManual || ev.Source == model.SourceBroadcast {
		// A broadcast's events are manual sends of its content too.
		return false
	}
	return !slices.ContainsFunc(ev.Trace, func(s model.Step) bool {
		return s.Code == model.StepScheduleExcluded || s.Code == model.StepScheduleError || s.Code == model.StepManual
	})
}

// replanSource adapts a ReplanConfig to the snapshot loader; the planner
// needs no templates (Replan renders nothing).
type replanSource struct{ cfg ReplanConfig }

func (r replanSource) project(ctx context.Context, key string) (*model.Project, error) {
	return r.cfg.Project(ctx, key)
}

func (r replanSource) flow(ctx context.Context, key string) (*model.Flow, error) {
	return r.cfg.Flow(ctx, key)
}

func (replanSource) templates(context.Context, []string) (map[string]*model.Template, error) {
	return nil, nil
}

// StoredConfig is the workspace's current configuration as q holds it, for
// Replan: each project and flow read once, through the same cache type
// Accept reads them with.
func StoredConfig(ctx context.Context, q store.Queries, ws int64) (ReplanConfig, error) {
	v, err := q.WorkspaceConfigVersion(ctx, ws)
	if err != nil {
		return nil, err
	}
	c := newConfigCache()
	return storedConfig{&configReader{cache: c, w: c.view(ws, v), q: q, ws: ws}}, nil
}

// storedConfig exposes a configReader as a ReplanConfig.
type storedConfig struct{ r *configReader }

func (s storedConfig) Project(ctx context.Context, key string) (*model.Project, error) {
	return s.r.project(ctx, key)
}

func (s storedConfig) Flow(ctx context.Context, key string) (*model.Flow, error) {
	return s.r.flow(ctx, key)
}
