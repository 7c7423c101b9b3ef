package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

func newUsers() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Create, list and remove cockpit users (works on the database directly)"}
	cmd.AddCommand(newUsersCreate(), newUsersList(), newUsersSetPassword(), newUsersDelete())
	return cmd
}

// userWorkspace loads the workspace named by --workspace.
func userWorkspace(ctx context.Context, svc *service.Service, key string) (*model.Workspace, error) {
	w, err := svc.WorkspaceGet(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("%w; list workspaces with `herold workspaces list`", err)
	}
	return w, nil
}

func newUsersCreate() *cobra.Command {
	var database, ws, email, name, password string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a cockpit user; without --password one is generated and printed once",
		Example: `  herold users create --email anna@agentur-nord.de --name "Anna Berger"
  herold users create --workspace acme --email it@acme.example --password "$(pass show herold)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := userWorkspace(ctx, svc, ws)
				if err != nil {
					return err
				}
				out, err := svc.UserCreate(ctx, w, service.UserCreateParams{Email: email, Name: name, Password: password})
				if err != nil {
					return err
				}
				cmd.Printf("Created cockpit user %s in workspace %s.\n", out.User.Email, w.Key)
				if out.Password != "" {
					cmd.Printf("The password is shown once; store it now:\n\n    %s\n", out.Password)
				}
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&email, "email", "", "e-mail address to sign in with (unique within the workspace)")
	cmd.Flags().StringVar(&name, "name", "", "display name")
	cmd.Flags().StringVar(&password, "password", "", fmt.Sprintf("password (at least %d characters); empty generates one", service.MinPasswordLength))
	_ = cmd.MarkFlagRequired("email")
	return withEnvHelp(cmd)
}

func newUsersList() *cobra.Command {
	var database, ws string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a workspace's cockpit users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := userWorkspace(ctx, svc, ws)
				if err != nil {
					return err
				}
				users, err := svc.UserList(ctx, w)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "EMAIL\tNAME\tLAST SIGN-IN")
				for _, u := range users {
					last := "-"
					if u.LastSignInAt != nil {
						last = u.LastSignInAt.Format("2006-01-02 15:04")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Email, u.Name, last)
				}
				return tw.Flush()
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	return withEnvHelp(cmd)
}

func newUsersSetPassword() *cobra.Command {
	var database, ws, email, password string
	cmd := &cobra.Command{
		Use:   "set-password",
		Short: "Set a cockpit user's password; all their sessions end",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := userWorkspace(ctx, svc, ws)
				if err != nil {
					return err
				}
				u, err := svc.UserFind(ctx, w, email)
				if err != nil {
					return fmt.Errorf("%w; see the users with `herold users list --workspace %s`", err, w.Key)
				}
				generated, err := svc.UserSetPassword(ctx, w, u.ID, password)
				if err != nil {
					return err
				}
				cmd.Printf("Set the password of %s; the user is signed out everywhere.\n", u.Email)
				if generated != "" {
					cmd.Printf("The new password is shown once; store it now:\n\n    %s\n", generated)
				}
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&email, "email", "", "the user's e-mail address")
	cmd.Flags().StringVar(&password, "password", "", "new password; empty generates one")
	_ = cmd.MarkFlagRequired("email")
	return withEnvHelp(cmd)
}

func newUsersDelete() *cobra.Command {
	var database, ws, email string
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a cockpit user and end their sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd, database, func(ctx context.Context, svc *service.Service) error {
				w, err := userWorkspace(ctx, svc, ws)
				if err != nil {
					return err
				}
				u, err := svc.UserFind(ctx, w, email)
				if err != nil {
					return err
				}
				if err := svc.UserDelete(ctx, w, u.ID); err != nil {
					return err
				}
				cmd.Printf("Deleted cockpit user %s.\n", u.Email)
				return nil
			})
		},
	}
	addDatabaseFlag(cmd, &database)
	workspaceFlag(cmd, &ws)
	cmd.Flags().StringVar(&email, "email", "", "the user's e-mail address")
	_ = cmd.MarkFlagRequired("email")
	return withEnvHelp(cmd)
}
