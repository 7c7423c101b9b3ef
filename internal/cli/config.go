package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/impact"
	"github.com/herold-dev/herold/internal/manifest"
)

// Configuration as code (docs/config-as-code.md): validate works
// offline; export, plan, apply, revisions and rollback ask the server,
// which does the work.

func newValidate() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "validate -f DIR",
		Short: "Check configuration files offline: schema, references between files, templates and conditions",
		Long: `Check the configuration files in DIR without a server: YAML syntax, the
schema, references between files (flow → template, project → flow,
schedule → project), and every template, condition, occurrence key and
cron expression compiled with the engines the server uses. Problems are
printed as file:line:column: message. herold plan checks the rest against
the server (allowed senders, contacts).`,
		Example: "  herold validate -f ./herold-config",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			files, err := readConfigDir(dir)
			if err != nil {
				return err
			}
			v := manifest.Validate(files)
			if len(v.Problems) > 0 {
				return fmt.Errorf("%s:\n%w", validateAgain(v), v.Problems)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d files valid\n", len(v.Docs))
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	return withEnvHelp(cmd)
}

// validateAgain is what validate asks for above its problems: when files
// could not be read far enough for every check, which checks the next
// run adds.
func validateAgain(v *manifest.Validation) string {
	if len(v.Unchecked) == 0 {
		return "fix these and run herold validate again"
	}
	later := "the templates, conditions and references of " + strings.Join(v.Unchecked, ", ")
	if v.ReferencesUnchecked {
		later += ", and the references between all files,"
	}
	return "fix these, then run herold validate again: " + later + " are checked once these problems are fixed"
}

func addDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVarP(dir, "file", "f", ".", "directory of configuration files (*.yaml, *.yml, read recursively)")
}

// readConfigDir reads every YAML file under dir, with names relative to
// it (slashes), in a stable order.
func readConfigDir(dir string) ([]manifest.File, error) {
	var files []manifest.File
	total := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		if len(files) >= manifest.MaxFiles {
			return fmt.Errorf("more than %d files in %s; the server takes at most that many at once", manifest.MaxFiles, dir)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if total += len(data); len(data) > manifest.MaxFileSize || total > manifest.MaxTotalSize {
			return fmt.Errorf("%s: too large (files of at most %d bytes, %d in all)", path, manifest.MaxFileSize, manifest.MaxTotalSize)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, manifest.File{Name: filepath.ToSlash(rel), Data: string(data)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read configuration files: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .yaml files in %s; write them with herold export -o %s", dir, dir)
	}
	return files, nil
}

// configExport writes the server's configuration files into dir. YAML
// files an earlier export wrote (workspace.yaml and those in templates/,
// flows/, projects/, schedules/) that the server no longer has are
// removed, so that the directory mirrors the server; other files stay.
func configExport(cmd *cobra.Command, cf *clientFlags, dir string) error {
	c, err := cf.client()
	if err != nil {
		return err
	}
	var out struct {
		Files []manifest.File `json:"files"`
	}
	if err := c.Do(cmd.Context(), "GET", "/v1/config/export", nil, &out); err != nil {
		return err
	}
	if err := removeStale(dir, out.Files); err != nil {
		return err
	}
	for _, f := range out.Files {
		if strings.Contains(f.Name, "..") || filepath.IsAbs(f.Name) {
			return fmt.Errorf("the server sent the file name %q; refusing to write outside %s", f.Name, dir)
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(f.Data), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "exported %d files to %s\n", len(out.Files), dir)
	return nil
}

// exportDirs are the directories an export writes object files into.
var exportDirs = []string{"templates", "flows", "projects", "schedules"}

func removeStale(dir string, files []manifest.File) error {
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
	}
	candidates := []string{"workspace.yaml"}
	for _, sub := range exportDirs {
		matches, err := filepath.Glob(filepath.Join(dir, sub, "*.yaml"))
		if err != nil {
			return err
		}
		for _, m := range matches {
			rel, _ := filepath.Rel(dir, m)
			candidates = append(candidates, filepath.ToSlash(rel))
		}
	}
	for _, name := range candidates {
		if keep[name] {
			continue
		}
		err := os.Remove(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s, which the server no longer has: %w", name, err)
		}
	}
	return nil
}

// planResult is the answer of POST /v1/plan.
type planResult struct {
	Revision string            `json:"revision"`
	Changes  []manifest.Change `json:"changes"`
	// Impact is absent with --no-impact.
	Impact *impact.Report `json:"impact,omitempty"`
}

// impactFlags bound a plan's replay of recorded events.
type impactFlags struct {
	days      int
	maxEvents int
	examples  int
	skip      bool
	lang      string
}

func (f *impactFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.days, "days", 7, "replay the recorded events of the last N days through the planned configuration (at most 92)")
	cmd.Flags().IntVar(&f.maxEvents, "max-events", 0, "replay at most N events, newest first (default 10,000, at most 100,000)")
	cmd.Flags().IntVar(&f.examples, "examples", 0, "show at most N example messages per notification (default 3, at most 20)")
	cmd.Flags().BoolVar(&f.skip, "no-impact", false, "plan without replaying recorded events")
	cmd.Flags().StringVar(&f.lang, "lang", "en", "language of the impact summary: en or de")
}

// body is the plan request's "impact" member; the server checks the
// bounds.
func (f *impactFlags) body() map[string]any {
	if f.skip {
		return map[string]any{"skip": true}
	}
	return map[string]any{"days": f.days, "max_events": f.maxEvents, "examples": f.examples}
}

func newPlan() *cobra.Command {
	var cf clientFlags
	var dir string
	var prune, asJSON bool
	var imp impactFlags
	cmd := &cobra.Command{
		Use:   "plan -f DIR",
		Short: "Show what applying configuration files would change on the server, field by field",
		Long: `Send the configuration files in DIR to the server, which checks them like
every save of the API and answers with what applying them would create,
change and delete, field by field, and the revision of its configuration
the plan was made against. Nothing is saved. Pass that revision to
herold apply --revision so that the apply is refused when someone changed
the configuration in between.

The plan also shows its impact: the server replays the events it recorded
in the last --days days through the planned projects and flows with the
engine's planner and counts, per project, flow and notification, the
messages the change would add, remove and change, with examples. The
replay writes and sends nothing (docs/impact.md).`,
		Example: `  herold plan -f ./herold-config
  herold plan -f ./herold-config --days 30 --lang de
  herold plan -f ./herold-config --prune --json > plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := runPlan(cmd, &cf, dir, prune, &imp)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			}
			manifest.WriteText(cmd.OutOrStdout(), p.Changes)
			if p.Impact != nil {
				fmt.Fprintln(cmd.OutOrStdout())
				if err := p.Impact.Text(cmd.OutOrStdout(), imp.lang); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nrevision %s\napply with: herold apply -f %s --revision %s%s\n",
				p.Revision, dir, p.Revision, pruneFlag(prune))
			return nil
		},
	}
	cf.add(cmd, "POST /v1/plan")
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&prune, "prune", false, "also delete objects earlier applies created that the files no longer define")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	imp.add(cmd)
	return withEnvHelp(cmd)
}

func pruneFlag(prune bool) string {
	if prune {
		return " --prune"
	}
	return ""
}

func runPlan(cmd *cobra.Command, cf *clientFlags, dir string, prune bool, imp *impactFlags) (*planResult, error) {
	c, err := cf.client()
	if err != nil {
		return nil, err
	}
	files, err := readConfigDir(dir)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"files": files, "prune": prune, "impact": imp.body()}
	var p planResult
	err = c.Do(cmd.Context(), "POST", "/v1/plan", body, &p)
	return &p, err
}

// appliedResult is the answer of POST /v1/apply and rollback.
type appliedResult struct {
	Revision struct {
		Number  int64  `json:"number"`
		Author  string `json:"author"`
		Message string `json:"message"`
	} `json:"revision"`
	Changes []manifest.Change `json:"changes"`
}

func newApply() *cobra.Command {
	var cf clientFlags
	var dir, revision, message string
	var prune bool
	cmd := &cobra.Command{
		Use:   "apply -f DIR",
		Short: "Apply configuration files to the server atomically, as a revision",
		Long: `Apply the configuration files in DIR in one transaction: all of them or,
when one is invalid, nothing. Every apply is a revision with the API key
as author and the message (-m); herold rollback returns to one.

With --revision (from herold plan), the apply is refused when the
server's configuration changed since that plan. Without it, herold apply
plans first and applies exactly against the state it planned.

--prune deletes the objects earlier applies created from files that DIR
no longer defines. Objects made by hand in the cockpit or over the API
are never deleted.`,
		Example: `  herold apply -f ./herold-config -m "booking mails to the new agency address"
  herold apply -f ./herold-config --revision 5f0c2a9e41d7b3c8e6a1f204 --prune -m "$CI_COMMIT_TITLE"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			if revision == "" {
				p, err := runPlan(cmd, &cf, dir, prune, &impactFlags{skip: true})
				if err != nil {
					return err
				}
				revision = p.Revision
			}
			files, err := readConfigDir(dir)
			if err != nil {
				return err
			}
			var res appliedResult
			err = c.Do(cmd.Context(), "POST", "/v1/apply", map[string]any{"files": files, "prune": prune,
				"revision": revision, "message": message}, &res)
			if err != nil {
				return err
			}
			printApplied(cmd.OutOrStdout(), &res)
			return nil
		},
	}
	cf.add(cmd, "POST /v1/plan", "POST /v1/apply")
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&prune, "prune", false, "also delete objects earlier applies created that the files no longer define")
	cmd.Flags().StringVar(&revision, "revision", "", "the revision of a plan: refuse when the server changed since")
	cmd.Flags().StringVarP(&message, "message", "m", "", "why: recorded with the revision")
	return withEnvHelp(cmd)
}

// printApplied shows the changes and the revision, with the command that
// undoes them: a rollback to the revision before. The first revision has
// none before it. Rolling back to "no revision" would not undo it
// either: the state before the first apply was never recorded, and the
// objects it took over were made by hand, so the files owned nothing then.
func printApplied(w io.Writer, res *appliedResult) {
	manifest.WriteText(w, res.Changes)
	n := res.Revision.Number
	if n <= 1 {
		fmt.Fprintf(w, "\napplied as revision %d, the first: there is no earlier revision to roll back to\n", n)
		return
	}
	fmt.Fprintf(w, "\napplied as revision %d (undo with: herold rollback %d)\n", n, n-1)
}

func newRollback() *cobra.Command {
	var cf clientFlags
	var message string
	cmd := &cobra.Command{
		Use:   "rollback REVISION",
		Short: "Return the configuration to what an earlier revision applied",
		Long: `Apply again what revision REVISION applied, as a new revision, and delete
the objects the files manage now but did not then. Objects made by hand
are left alone. List revisions with herold revisions.`,
		Example: "  herold rollback 4 -m \"the new booking mail confused promoters\"",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || n < 1 {
				return fmt.Errorf("%q is not a revision number: revisions count from 1, the first apply; list them with herold revisions", args[0])
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var res appliedResult
			if err := c.Do(cmd.Context(), "POST", fmt.Sprintf("/v1/config/revisions/%d/rollback", n),
				map[string]any{"message": message}, &res); err != nil {
				return err
			}
			printApplied(cmd.OutOrStdout(), &res)
			return nil
		},
	}
	cf.add(cmd, "POST /v1/config/revisions/{number}/rollback")
	cmd.Flags().StringVarP(&message, "message", "m", "", "why (default \"rollback to revision N\")")
	return withEnvHelp(cmd)
}

func newRevisions() *cobra.Command {
	var cf clientFlags
	var limit int
	cmd := &cobra.Command{
		Use:     "revisions",
		Short:   "List the configuration revisions (applies and rollbacks), newest first",
		Example: "  herold revisions --limit 10",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var out struct {
				Items []struct {
					Number    int64  `json:"number"`
					Author    string `json:"author"`
					Message   string `json:"message"`
					CreatedAt string `json:"created_at"`
				} `json:"items"`
			}
			if err := c.Do(cmd.Context(), "GET", fmt.Sprintf("/v1/config/revisions?limit=%d", limit), nil, &out); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REVISION\tAT\tAUTHOR\tMESSAGE")
			for _, r := range out.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Number, r.CreatedAt, r.Author, r.Message)
			}
			return tw.Flush()
		},
	}
	cf.add(cmd, "GET /v1/config/revisions")
	cmd.Flags().IntVar(&limit, "limit", 20, "how many")
	return withEnvHelp(cmd)
}

func newSchema() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Write the JSON Schema of configuration files (editors validate while typing)",
		Example: `  herold schema -o ./herold-config/config.schema.json
  # first line of a file: # yaml-language-server: $schema=../config.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" || output == "-" {
				_, err := cmd.OutOrStdout().Write(manifest.Schema())
				return err
			}
			return os.WriteFile(output, manifest.Schema(), 0o644)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "-", "file to write (- for standard output)")
	return withEnvHelp(cmd)
}
