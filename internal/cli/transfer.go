package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/transfer"
)

func describeCounts(c transfer.Counts) string {
	kinds := make([]string, 0, len(c))
	for k := range c {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, c[k])
	}
	return strings.Join(parts, ", ")
}

func newExport() *cobra.Command {
	var database, output, dir string
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the configuration as YAML files (-o DIR), or the whole installation as JSON lines (--output FILE)",
		Long: `With -o DIR: ask the running server (--server, --key) for its workspace's
configuration and write one YAML file per template, flow, project and
schedule plus workspace.yaml and config.schema.json into DIR, byte-stable
(export twice, get identical files). See docs/config-as-code.md.

Without -o: read the database and write the whole installation as JSON
lines, to move it to another database with herold import.`,
		Example: `  herold export -o ./herold-config --server https://herold.example.org --key "$HEROLD_KEY"
  herold export --database ./herold-data/herold.db --output herold.jsonl
  herold import --database postgres://herold@db:5432/herold --input herold.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir != "" {
				return configExport(cmd, &cf, dir)
			}
			st, err := openExisting(cmd, database)
			if err != nil {
				return err
			}
			defer st.Close()
			var w io.Writer = cmd.OutOrStdout()
			if output != "" && output != "-" {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			counts, err := transfer.Export(cmd.Context(), st, w)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported: %s\n", describeCounts(counts))
			return nil
		},
	}
	addDatabaseFlag(cmd, &database)
	cmd.Flags().StringVar(&output, "output", "-", "file to write (- for standard output)")
	cmd.Flags().StringVarP(&dir, "dir", "o", "", "write the configuration as YAML files into this directory, from the server")
	cf.add(cmd, "GET /v1/config/export")
	return withEnvHelp(cmd)
}

func newImport() *cobra.Command {
	var database, input string
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Read an export into a fresh database (before its first start)",
		Long: `Read an export into a database. The database is migrated first; it must
not contain the exported workspaces yet (do not start herold serve on it
before importing). Messages that were still waiting for delivery go out on
the next start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openDB(cmd, database, sqlite.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			var r io.Reader = cmd.InOrStdin()
			if input != "" && input != "-" {
				f, err := os.Open(input)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			counts, err := transfer.Import(cmd.Context(), st, r)
			if err != nil {
				return fmt.Errorf("import stopped (%s so far): %w", describeCounts(counts), err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "imported: %s\n", describeCounts(counts))
			return nil
		},
	}
	addDatabaseFlag(cmd, &database)
	cmd.Flags().StringVar(&input, "input", "-", "file to read (- for standard input)")
	return withEnvHelp(cmd)
}
