package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func configFiles() []manifest.File {
	return []manifest.File{
		{Name: "templates/job.yaml", Data: "apiVersion: herold/v1\nkind: Template\nmetadata: {name: job}\nspec:\n  locales:\n    de: {subject: Job, text: Hallo}\n"},
		{Name: "flows/standard.yaml", Data: "apiVersion: herold/v1\nkind: Flow\nmetadata: {name: standard}\nspec:\n  notifications:\n" +
			"    - {key: job-requested, event_type: job.requested, template: job, recipients: ['role:promoter']}\n"},
		{Name: "projects/messe.yaml", Data: "apiVersion: herold/v1\nkind: Project\nmetadata: {name: messe}\nspec: {flow: standard}\n"},
	}
}

// TestConfigManagedAndImpactConfig, on both databases: objects applied
// from files are marked managed, one edited by hand drifted, hand-made
// ones not at all; a plan's impactConfig holds the projects and flows as
// they would be after the apply while the server keeps its own.
func TestConfigManagedAndImpactConfig(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testConfigManaged(t, open(t))
		})
	}
}

func testConfigManaged(t *testing.T, st store.Store) {
	ctx := context.Background()
	s, err := New(Config{Store: st, Clock: clock.NewFake(time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(t, err)
	ws := created.Workspace

	managed, err := s.ConfigManaged(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, managed, "nothing is managed before the first apply")

	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{Files: configFiles()}, Author: "ci"})
	require.NoError(t, err)
	_, err = s.TemplatePut(ctx, ws, &model.Template{Key: "by-hand", Locales: map[string]model.TemplateContent{"de": {Subject: "x", Text: "y"}}})
	require.NoError(t, err)
	managed, err = s.ConfigManaged(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"Template/job": DriftNone, "Flow/standard": DriftNone, "Project/messe": DriftNone}, managed)

	_, err = s.NotificationPut(ctx, ws, "standard", &model.Notification{Key: "job-requested", EventType: "job.requested",
		Template: "job", Recipients: []model.Recipient{"role:promoter"}, Status: model.StatusInactive})
	require.NoError(t, err)
	managed, err = s.ConfigManaged(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, DriftChanged, managed["Flow/standard"], "an edit by hand is drift")
	require.Equal(t, DriftNone, managed["Template/job"])

	files := configFiles()
	files[1].Data += "    - {key: second, event_type: job.cancelled, template: job, recipients: ['role:agency']}\n"
	files[2].Data = "apiVersion: herold/v1\nkind: Project\nmetadata: {name: messe}\nspec: {}\n"
	files = append(files, manifest.File{Name: "projects/neu.yaml", Data: "apiVersion: herold/v1\nkind: Project\nmetadata: {name: neu}\nspec: {flow: standard}\n"})
	_, res, err := s.configPlan(ctx, ws, ConfigPlanParams{Files: files})
	require.NoError(t, err)
	projects, flows, err := impactConfig(res.after)
	require.NoError(t, err)
	require.Len(t, projects, 2)
	require.Equal(t, "", projects[0].Flow, "messe loses its flow in the plan")
	require.Equal(t, "standard", projects[1].Flow)
	require.Len(t, flows, 1)
	require.Len(t, flows[0].Notifications, 2)
	require.Equal(t, model.StatusActive, flows[0].Notifications[0].Status, "the files set the hand-edited notification back")

	p, err := s.ProjectGet(ctx, ws, "messe")
	require.NoError(t, err)
	require.Equal(t, "standard", p.Flow, "a plan saves nothing")
	_, err = s.ProjectGet(ctx, ws, "neu")
	require.Error(t, err)
}

// TestConfigApplyTwoWritersAtOnce, on both databases: two applies of
// different files against the same plan revision at the same time: one
// wins, the other is refused, and the configuration is the winner's.
func TestConfigApplyTwoWritersAtOnce(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := New(Config{Store: open(t), Clock: clock.NewFake(time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC))})
			require.NoError(t, err)
			created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
			require.NoError(t, err)
			ws := created.Workspace
			plan, err := s.ConfigPlan(ctx, ws, ConfigPlanParams{Files: configFiles()})
			require.NoError(t, err)

			subjects := []string{"Erster", "Zweiter"}
			errs := make(chan error, 2)
			for _, subject := range subjects {
				go func() {
					files := configFiles()
					files[0].Data = strings.Replace(files[0].Data, "subject: Job", "subject: "+subject, 1)
					_, err := s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{Files: files},
						Revision: plan.Revision, Author: subject})
					errs <- err
				}()
			}
			var failed int
			for range 2 {
				if err := <-errs; err != nil {
					var conflict *ConflictError
					require.ErrorAs(t, err, &conflict)
					failed++
				}
			}
			require.Equal(t, 1, failed, "exactly one of two applies of one plan wins")
			revs, err := s.ConfigRevisions(ctx, ws, 0, 10)
			require.NoError(t, err)
			require.Len(t, revs, 1)
			tpl, err := s.TemplateGet(ctx, ws, "job")
			require.NoError(t, err)
			require.Equal(t, revs[0].Author, tpl.Locales["de"].Subject, "the configuration is the winner's")
		})
	}
}
