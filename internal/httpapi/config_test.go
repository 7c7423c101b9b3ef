package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// configFile is one file as the API takes it.
type configFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

type configPlan struct {
	Revision string `json:"revision"`
	Changes  []struct {
		Action string `json:"action"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		File   string `json:"file"`
		Fields []struct {
			Path string `json:"path"`
			Old  any    `json:"old"`
			New  any    `json:"new"`
		} `json:"fields"`
	} `json:"changes"`
}

type configApplied struct {
	Revision struct {
		Number  int64  `json:"number"`
		Author  string `json:"author"`
		Message string `json:"message"`
	} `json:"revision"`
}

func exportFiles(t *testing.T, e *apptest.Env) []configFile {
	t.Helper()
	var out struct {
		Files []configFile `json:"files"`
	}
	e.Must(http.StatusOK, "GET", "/v1/config/export", nil).JSON(t, &out)
	return out.Files
}

func templateFile(key, subject string) configFile {
	return configFile{Name: "templates/" + key + ".yaml", Content: `apiVersion: herold/v1
kind: Template
metadata:
  name: ` + key + `
spec:
  locales:
    de:
      subject: "` + subject + `"
      text: |
        Hallo {{ .recipient.name }},
        neuer Job: {{ .data.job }}
`}
}

func flowFile(key, template string) configFile {
	return configFile{Name: "flows/" + key + ".yaml", Content: `apiVersion: herold/v1
kind: Flow
metadata:
  name: ` + key + `
spec:
  notifications:
    - key: job-requested
      event_type: job.requested
      template: ` + template + `
      recipients: ["role:promoter"]
`}
}

func plan(t *testing.T, e *apptest.Env, files []configFile, prune bool) configPlan {
	t.Helper()
	var p configPlan
	e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files, "prune": prune}).JSON(t, &p)
	require.NotEmpty(t, p.Revision)
	return p
}

func apply(t *testing.T, e *apptest.Env, files []configFile, prune bool, message string) configApplied {
	t.Helper()
	var a configApplied
	e.Must(http.StatusOK, "POST", "/v1/apply", map[string]any{"files": files, "prune": prune, "message": message}).JSON(t, &a)
	return a
}

// TestConfigRoundTrip: what the API configured exports byte-stable;
// applied to an empty server it gives the same files again, and a plan
// against it then has nothing to do.
func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	src := apptest.Start(t)
	src.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"name": "Agentur Nord", "timezone": "Europe/Vienna",
		"sender": map[string]any{"from": "Agentur Nord <info@agentur-nord.example>"}, "retention_days": 14})
	src.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	src.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("job-request"))
	src.Must(http.StatusCreated, "PUT", "/v1/contacts/p-anna", map[string]any{"email": "anna@example.org"})
	src.Must(http.StatusCreated, "PUT", "/v1/projects/messe", map[string]any{"flow": "standard",
		"members": map[string]any{"agency": []string{"p-anna"}}, "attributes": map[string]any{"budget": 1200.5, "city": "Köln", "note": ""}})
	src.Must(http.StatusCreated, "PUT", "/v1/schedules/birthday", map[string]any{"enabled": true, "cron": "0 6 * * *",
		"source": map[string]any{"kind": "contacts"}, "condition": "contact.email != \"\"", "event_type": "contact.birthday",
		"project": "messe", "occurrence_key": "b-{{ .contact.id }}-{{ .today.Year }}"})

	files := exportFiles(t, src)
	require.Equal(t, files, exportFiles(t, src), "export twice gives identical files")
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	require.Equal(t, []string{"config.schema.json", "flows/standard.yaml", "projects/messe.yaml", "schedules/birthday.yaml",
		"templates/job-request.yaml", "workspace.yaml"}, names)
	require.Contains(t, files[2].Content, "    budget: 1200.5\n")
	require.Contains(t, files[5].Content, "name: Agentur Nord\n")

	dst := apptest.Start(t)
	dst.Must(http.StatusCreated, "PUT", "/v1/contacts/p-anna", map[string]any{"email": "anna@example.org"})
	p := plan(t, dst, files[1:], false)
	actions := map[string]string{}
	for _, c := range p.Changes {
		actions[c.Kind+"/"+c.Name] = c.Action
	}
	require.Equal(t, map[string]string{"Workspace/default": "change", "Template/job-request": "create", "Flow/standard": "create",
		"Project/messe": "create", "Schedule/birthday": "create"}, actions)
	exportFiles(t, dst) // the plan saved nothing:
	dst.Must(http.StatusNotFound, "GET", "/v1/flows/standard", nil)

	var a configApplied
	dst.Must(http.StatusOK, "POST", "/v1/apply", map[string]any{"files": files[1:], "revision": p.Revision,
		"message": "first import"}).JSON(t, &a)
	require.EqualValues(t, 1, a.Revision.Number)
	require.Equal(t, "first import", a.Revision.Message)
	require.Contains(t, a.Revision.Author, "API key")
	require.Equal(t, files, exportFiles(t, dst), "export → apply to an empty server → export gives identical files")
	require.Empty(t, plan(t, dst, files[1:], true).Changes)

	// Another workspace's settings file is refused, naming the file.
	o := dst.WithKey(createWorkspace(t, dst, "other"))
	pr := o.Must(http.StatusUnprocessableEntity, "POST", "/v1/plan", map[string]any{"files": files[5:]}).Map(t)
	fe := pr["errors"].([]any)[0].(map[string]any)
	require.Equal(t, "workspace.yaml", fe["file"])
	require.Contains(t, fe["detail"], `describes workspace "default", but the API key belongs to "other"`)
}

// TestConfigApplyAtomic: one invalid file and nothing is saved; every
// problem names its file, line and column.
func TestConfigApplyAtomic(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	bad := templateFile("broken", "Job {{ .data.job ")
	files := []configFile{templateFile("job", "Job {{ .data.job }}"), flowFile("standard", "job"), bad}
	for _, path := range []string{"/v1/plan", "/v1/apply"} {
		p := e.Must(http.StatusUnprocessableEntity, "POST", path, map[string]any{"files": files}).Map(t)
		errs := p["errors"].([]any)
		require.Len(t, errs, 1, p)
		fe := errs[0].(map[string]any)
		require.Equal(t, "templates/broken.yaml", fe["file"])
		require.Equal(t, "spec.locales.de.subject", fe["field"])
		// The unclosed {{ itself: the quote is at column 16, the
		// template's column 5 at 21.
		require.EqualValues(t, 8, fe["line"])
		require.EqualValues(t, 21, fe["column"])
		require.Contains(t, fe["detail"], "(template line 1, column 5)")
	}
	// A problem only the server sees (a sender the workspace may not use)
	// stops the whole apply too.
	other := createWorkspace(t, e, "other")
	o := e.WithKey(other)
	files[0].Content = strings.Replace(files[0].Content, "spec:\n", "spec:\n  sender:\n    from: x@elsewhere.example\n", 1)
	p := o.Must(http.StatusUnprocessableEntity, "POST", "/v1/apply", map[string]any{"files": files[:2]}).Map(t)
	fe := p["errors"].([]any)[0].(map[string]any)
	require.Equal(t, "templates/job.yaml", fe["file"])
	require.Equal(t, "spec.sender.from", fe["field"])
	require.EqualValues(t, 7, fe["line"])
	for _, env := range []*apptest.Env{e, o} {
		require.Empty(t, env.Must(http.StatusOK, "GET", "/v1/templates", nil).Map(t)["items"])
		require.Empty(t, env.Must(http.StatusOK, "GET", "/v1/config/revisions", nil).Map(t)["items"])
	}
}

// TestConfigApplyRefusedAfterDrift: an apply with the plan's revision is
// refused when someone changed the configuration since the plan.
func TestConfigApplyRefusedAfterDrift(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	files := []configFile{templateFile("job", "Job {{ .data.job }}")}
	apply(t, e, files, false, "start")
	files[0] = templateFile("job", "Neuer Job {{ .data.job }}")
	p := plan(t, e, files, false)
	require.Len(t, p.Changes, 1)
	require.Equal(t, "locales.de.subject", p.Changes[0].Fields[0].Path)
	require.Equal(t, "Job {{ .data.job }}", p.Changes[0].Fields[0].Old)

	e.Must(http.StatusOK, "PUT", "/v1/templates/job", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "by hand", "text": "x"}}})
	pr := e.Must(http.StatusConflict, "POST", "/v1/apply", map[string]any{"files": files, "revision": p.Revision}).Map(t)
	require.Contains(t, pr["detail"], "changed since the plan")
	got := e.Must(http.StatusOK, "GET", "/v1/templates/job", nil).Map(t)
	require.Equal(t, "by hand", got["locales"].(map[string]any)["de"].(map[string]any)["subject"])

	p = plan(t, e, files, false)
	a := configApplied{}
	e.Must(http.StatusOK, "POST", "/v1/apply", map[string]any{"files": files, "revision": p.Revision}).JSON(t, &a)
	require.EqualValues(t, 2, a.Revision.Number)
}

// TestConfigPruneTouchesOnlyOwned: prune deletes what earlier applies
// created and the files dropped, never what was made by hand; without
// prune nothing is deleted.
func TestConfigPruneTouchesOnlyOwned(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	apply(t, e, []configFile{templateFile("job", "Job"), templateFile("old", "Old"), flowFile("standard", "job")}, false, "")
	e.Must(http.StatusCreated, "PUT", "/v1/templates/by-hand", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "mine", "text": "x"}}})

	kept := []configFile{templateFile("job", "Job"), flowFile("standard", "job")}
	require.Empty(t, plan(t, e, kept, false).Changes, "without prune, dropping a file deletes nothing")
	p := plan(t, e, kept, true)
	require.Len(t, p.Changes, 1)
	require.Equal(t, "delete", p.Changes[0].Action)
	require.Equal(t, "Template", p.Changes[0].Kind)
	require.Equal(t, "old", p.Changes[0].Name)

	apply(t, e, kept, true, "drop old")

	// Files may refer to objects made by hand: the server resolves them.
	p = plan(t, e, append(kept, flowFile("second", "by-hand")), true)
	require.Len(t, p.Changes, 1)
	require.Equal(t, "create", p.Changes[0].Action)
	e.Must(http.StatusNotFound, "GET", "/v1/templates/old", nil)
	e.Must(http.StatusOK, "GET", "/v1/templates/by-hand", nil)
	e.Must(http.StatusOK, "GET", "/v1/templates/job", nil)

	// A template a hand-made flow uses cannot be pruned: the apply stops whole.
	e.Must(http.StatusCreated, "PUT", "/v1/flows/by-hand", standardFlow("job"))
	pr := e.Must(http.StatusUnprocessableEntity, "POST", "/v1/apply", map[string]any{"files": []configFile{}, "prune": true}).Map(t)
	require.Equal(t, "files", pr["errors"].([]any)[0].(map[string]any)["field"])
	pr = e.Must(http.StatusUnprocessableEntity, "POST", "/v1/apply", map[string]any{
		"files": []configFile{templateFile("other", "x")}, "prune": true}).Map(t)
	require.Contains(t, pr["detail"], "prune cannot delete it")
	e.Must(http.StatusOK, "GET", "/v1/flows/standard", nil)
}

// TestConfigRollback: a rollback applies what an earlier revision
// applied as a new revision and deletes what the files created since.
func TestConfigRollback(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	apply(t, e, []configFile{templateFile("job", "First")}, false, "one")
	apply(t, e, []configFile{templateFile("job", "Second"), templateFile("extra", "Extra")}, false, "two")
	e.Must(http.StatusCreated, "PUT", "/v1/templates/by-hand", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "mine", "text": "x"}}})

	var a configApplied
	e.Must(http.StatusOK, "POST", "/v1/config/revisions/1/rollback", nil).JSON(t, &a)
	require.EqualValues(t, 3, a.Revision.Number)
	require.Equal(t, "rollback to revision 1", a.Revision.Message)
	got := e.Must(http.StatusOK, "GET", "/v1/templates/job", nil).Map(t)
	require.Equal(t, "First", got["locales"].(map[string]any)["de"].(map[string]any)["subject"])
	e.Must(http.StatusNotFound, "GET", "/v1/templates/extra", nil)
	e.Must(http.StatusOK, "GET", "/v1/templates/by-hand", nil)

	var revs struct {
		Items []struct {
			Number  int64  `json:"number"`
			Message string `json:"message"`
		} `json:"items"`
	}
	e.Must(http.StatusOK, "GET", "/v1/config/revisions?limit=2", nil).JSON(t, &revs)
	require.Len(t, revs.Items, 2)
	require.EqualValues(t, 3, revs.Items[0].Number)
	require.Equal(t, "two", revs.Items[1].Message)
	e.Must(http.StatusNotFound, "POST", "/v1/config/revisions/9/rollback", nil)
	e.Must(http.StatusNotFound, "POST", "/v1/config/revisions/x/rollback", nil)

	// The schema is public.
	r := e.DoKey("", "GET", "/v1/config.schema.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, string(r.Body), `"$id": "https://herold.dev/schemas/config/v1.json"`)
}

// TestConfigPlanImpact: a plan replays the recorded events through the
// planned configuration: removing the notification that sent them shows
// each of their messages removed, with the cause; the replay's bounds are
// checked as fields; skip plans without it; and nothing is written.
func TestConfigPlanImpact(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("job-request"))
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/p-anna", map[string]any{"email": "anna@example.org", "name": "Anna"})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/messe", map[string]any{"flow": "standard",
		"members": map[string]any{"promoter": []string{"p-anna"}}})
	var received time.Time
	for _, job := range []string{"Aufbau", "Standbetreuung", "Abbau"} {
		var ev struct {
			ReceivedAt time.Time `json:"received_at"`
		}
		e.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "job.requested", "project": "messe",
			"data": map[string]any{"job": job}}).JSON(t, &ev)
		received = ev.ReceivedAt
	}
	e.Clock.Advance(time.Minute) // the window ends now, exclusive
	files := exportFiles(t, e)
	i := slices.IndexFunc(files, func(f configFile) bool { return f.Name == "flows/standard.yaml" })
	require.GreaterOrEqual(t, i, 0, "exported files: %v", files)
	files[i].Content = `apiVersion: herold/v1
kind: Flow
metadata:
  name: standard
spec:
  name: Standard
  notifications:
    - key: booking-confirmed
      event_type: booking.confirmed
      template: job-request
      recipients: ["role:promoter"]
      status: confirm
`
	messages := func() int { return len(e.Must(http.StatusOK, "GET", "/v1/messages", nil).Map(t)["items"].([]any)) }
	require.Equal(t, 3, messages())

	var p struct {
		Impact struct {
			Events int `json:"events"`
			Totals struct {
				Before, After, Added, Removed, Changed, Drift int
			} `json:"totals"`
			Projects []struct {
				Project string `json:"project"`
				Groups  []struct {
					Notification string   `json:"notification"`
					Removed      int      `json:"removed"`
					Causes       []string `json:"causes"`
				} `json:"groups"`
			} `json:"projects"`
		} `json:"impact"`
	}
	e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files}).JSON(t, &p)
	require.Equal(t, 3, p.Impact.Events)
	require.Equal(t, 3, p.Impact.Totals.Before)
	require.Equal(t, 0, p.Impact.Totals.After)
	require.Equal(t, 3, p.Impact.Totals.Removed)
	require.Zero(t, p.Impact.Totals.Added+p.Impact.Totals.Changed+p.Impact.Totals.Drift)
	require.Len(t, p.Impact.Projects, 1)
	require.Equal(t, "messe", p.Impact.Projects[0].Project)
	g := p.Impact.Projects[0].Groups[0]
	require.Equal(t, "job-requested", g.Notification)
	require.Equal(t, 3, g.Removed)
	require.Equal(t, []string{"notification_removed"}, g.Causes)

	// The window excludes the events: nothing to replay.
	e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files, "impact": map[string]any{
		"since": received.Add(time.Second), "until": received.Add(time.Hour)}}).JSON(t, &p)
	require.Zero(t, p.Impact.Events)

	for field, bad := range map[string]any{"max_events": 1_000_000, "days": 93} {
		pr := e.Must(http.StatusUnprocessableEntity, "POST", "/v1/plan", map[string]any{"files": files,
			"impact": map[string]any{field: bad}}).Map(t)
		require.Equal(t, "impact."+field, pr["errors"].([]any)[0].(map[string]any)["field"], "%v", pr)
	}

	// The last day holds the events; two days later it does not.
	e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files, "impact": map[string]any{"days": 1}}).JSON(t, &p)
	require.Equal(t, 3, p.Impact.Events)
	e.Clock.Advance(48 * time.Hour)
	e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files, "impact": map[string]any{"days": 1}}).JSON(t, &p)
	require.Zero(t, p.Impact.Events)

	raw := e.Must(http.StatusOK, "POST", "/v1/plan", map[string]any{"files": files, "impact": map[string]any{"skip": true}}).Map(t)
	require.NotContains(t, raw, "impact")
	require.Len(t, raw["changes"], 1)

	require.Equal(t, 3, messages(), "a plan's replay writes nothing")
}
