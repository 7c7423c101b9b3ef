package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/postgres"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// openExisting opens the database of an offline command that works on
// what is there. A SQLite file that does not exist is refused rather than
// created: a mistyped path would otherwise give a new, empty database and
// a misleading "workspace does not exist". herold migrate, import and
// serve create it.
func openExisting(cmd *cobra.Command, database string) (store.Store, error) {
	st, err := openDB(cmd, database, sqlite.Options{MustExist: true})
	if errors.Is(err, sqlite.ErrNoDatabase) {
		return nil, fmt.Errorf("%w: check --database (or HEROLD_DATABASE); "+
			"to create it, run `herold migrate --database %s` or start `herold serve` with it", err, database)
	}
	return st, err
}

// openDB opens and migrates the database for an offline command, with
// lite's options for SQLite: without MustExist it creates a SQLite file
// that does not exist yet (migrate, import).
func openDB(cmd *cobra.Command, database string, lite sqlite.Options) (store.Store, error) {
	st, err := app.OpenStoreWith(cmd.Context(), database, postgres.Options{}, lite)
	if err != nil {
		return nil, err
	}
	if err := app.MigrateAll(cmd.Context(), st); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// withService opens the existing database and runs fn with a service on
// it.
func withService(cmd *cobra.Command, database string, fn func(ctx context.Context, svc *service.Service) error) error {
	st, err := openExisting(cmd, database)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := service.New(service.Config{Store: st})
	if err != nil {
		return err
	}
	return fn(cmd.Context(), svc)
}

func workspaceFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "workspace", model.DefaultWorkspaceKey, "workspace key")
}

func newKeys() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create, list and revoke API keys (works on the database directly)"}
	cmd.AddCommand(newKeysCreate(), newKeysList(), newKeysRevoke())
	return cmd
}

func newKeysCreate() *cobra.Command {
	var database, ws, name string
	var scopes []string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an API key and print it once",
		Example: `  herold keys create --name booking-system --scope ingest
  herold keys create --workspace acme --name admin-ui --scope admin --scope ingest`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := svc.WorkspaceGet(ctx, ws)
				if err != nil {
					return fmt.Errorf("%w; list workspaces with `herold workspaces list`", err)
				}
				sc := make([]model.Scope, len(scopes))
				for i, s := range scopes {
					sc[i] = model.Scope(strings.TrimSpace(s))
				}
				k, secret, err := svc.KeyCreate(ctx, svc.Store(), w, service.KeyCreateParams{Name: name, Scopes: sc})
				if err != nil {
					return err
				}
				cmd.Printf("Created key %s (%s) in workspace %s with scopes %s.\nThe key is shown once; store it now:\n\n    %s\n",
					k.ID, k.Name, w.Key, joinScopes(k.Scopes), secret)
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&name, "name", "", "what the key is for")
	cmd.Flags().StringSliceVar(&scopes, "scope", []string{"admin"}, "scope: admin, ingest or operator (repeat for several)")
	return withEnvHelp(cmd)
}

func joinScopes(s []model.Scope) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

func newKeysList() *cobra.Command {
	var database, ws string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a workspace's API keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := svc.WorkspaceGet(ctx, ws)
				if err != nil {
					return fmt.Errorf("%w; list workspaces with `herold workspaces list`", err)
				}
				keys, err := svc.KeyList(ctx, w)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tSCOPES\tCREATED\tREVOKED")
				for _, k := range keys {
					revoked := "-"
					if k.RevokedAt != nil {
						revoked = k.RevokedAt.Format("2006-01-02 15:04")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, joinScopes(k.Scopes),
						k.CreatedAt.Format("2006-01-02 15:04"), revoked)
				}
				return tw.Flush()
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	return withEnvHelp(cmd)
}

func newKeysRevoke() *cobra.Command {
	var database, ws string
	cmd := &cobra.Command{
		Use:   "revoke KEY_ID",
		Short: "Revoke an API key at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := svc.WorkspaceGet(ctx, ws)
				if err != nil {
					return err
				}
				if err := svc.KeyRevoke(ctx, w, args[0]); err != nil {
					return fmt.Errorf("%w; see the ids with `herold keys list --workspace %s`", err, ws)
				}
				cmd.Printf("Revoked key %s.\n", args[0])
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	return withEnvHelp(cmd)
}

func newWorkspaces() *cobra.Command {
	cmd := &cobra.Command{Use: "workspaces", Short: "Create and list workspaces and set their allowed senders (works on the database directly)"}
	var database, name, locale, tz string
	var senders []string
	create := &cobra.Command{
		Use:   "create KEY",
		Short: "Create a workspace and print its first admin key once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				out, err := svc.WorkspaceCreate(ctx, service.WorkspaceCreateParams{Key: args[0], AllowedSenders: senders,
					WorkspaceSettings: service.WorkspaceSettings{Name: name, DefaultLocale: locale, Timezone: tz}})
				if err != nil {
					return err
				}
				cmd.Printf("Created workspace %s. Its first API key (scopes %s), shown once:\n\n    %s\n",
					out.Workspace.Key, joinScopes(out.Key.Scopes), out.Secret)
				return nil
			})
		},
	}
	addDatabaseFlag(create, &database)
	create.Flags().StringVar(&name, "name", "", "display name (default: the key)")
	create.Flags().StringVar(&locale, "locale", "de", "default locale")
	create.Flags().StringVar(&tz, "timezone", "Europe/Berlin", "time zone")
	create.Flags().StringSliceVar(&senders, "allow-sender", nil,
		"a domain (example.org) or address the workspace may send as, in From and Reply-To; repeat or separate with commas; none: it sends nothing until set with `herold workspaces senders`")
	var listDB string
	list := &cobra.Command{
		Use:   "list",
		Short: "List workspaces",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, listDB, func(ctx context.Context, svc *service.Service) error {
				wss, err := svc.WorkspaceList(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tNAME\tLOCALE\tTIMEZONE\tALLOWED SENDERS")
				for _, w := range wss {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", w.Key, w.Name, w.DefaultLocale, w.Timezone, w.AllowedSendersText())
				}
				return tw.Flush()
			})
		},
	}
	addDatabaseFlag(list, &listDB)
	cmd.AddCommand(withEnvHelp(create), withEnvHelp(list), withEnvHelp(newWorkspacesSenders()))
	return cmd
}

// newWorkspacesSenders is the operator's only way to change what a
// workspace may send as; workspace admins cannot, through the API or the
// cockpit.
func newWorkspacesSenders() *cobra.Command {
	var database string
	var clear bool
	cmd := &cobra.Command{
		Use:   "senders KEY [DOMAIN|ADDRESS|*]...",
		Short: "Show or replace the sender domains and addresses a workspace may use",
		Long: `Show or replace the domains (example.org) and addresses (dispo@example.org)
workspace KEY may send as, in From and Reply-To. "*" allows any sender. A
workspace without any sends nothing: its messages fail with the reason.
Templates, flows and settings are checked against the list when saved, and
every message again when it is made and when it is sent.`,
		Example: `  herold workspaces senders agentur-nord agentur-nord.de tickets.agentur-nord.de
  herold workspaces senders agentur-nord --clear`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				ws, err := svc.WorkspaceGet(ctx, args[0])
				if err == nil && (len(args) > 1 || clear) {
					if len(args) > 1 && clear {
						return fmt.Errorf("give either senders or --clear, not both")
					}
					ws, err = svc.WorkspaceSendersSet(ctx, args[0], args[1:])
				}
				if err != nil {
					return err
				}
				cmd.Printf("Workspace %s may send as: %s\n", ws.Key, ws.AllowedSendersText())
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	cmd.Flags().BoolVar(&clear, "clear", false, "remove every allowed sender: the workspace sends nothing")
	return cmd
}
