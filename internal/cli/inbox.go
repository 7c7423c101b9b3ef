package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/inbox"
)

func newInbox() *cobra.Command {
	cmd := &cobra.Command{Use: "inbox", Short: "Manage the in-app feed (works on the database directly)"}
	cmd.AddCommand(newInboxSecret())
	return cmd
}

func newInboxSecret() *cobra.Command {
	var database, ws string
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Make (or rotate) a workspace's feed secret and print it once",
		Long: `Makes a new secret for signing feed tokens (see docs/inbox.md) and prints it once.
The previous secret stays valid until the next rotation, so tokens already
handed out keep working until they expire.`,
		Example: `  herold inbox secret --workspace acme`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openExisting(cmd, database)
			if err != nil {
				return err
			}
			defer st.Close()
			w, err := st.WorkspaceGetByKey(cmd.Context(), ws)
			if err != nil {
				return fmt.Errorf("workspace %q: %w; list workspaces with `herold workspaces list`", ws, err)
			}
			x, err := inbox.New(inbox.Config{Store: st})
			if err != nil {
				return err
			}
			secret, err := x.RotateSecret(cmd.Context(), w)
			if err != nil {
				return err
			}
			cmd.Printf("New feed secret of workspace %s. It is shown once; give it to the host application,\n"+
				"which signs feed tokens with it (docs/inbox.md):\n\n    %s\n", w.Key, secret)
			return nil
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	return withEnvHelp(cmd)
}
