// Package cli is the herold command line: serve, migrate, keys, workspaces
// and the client commands. Every flag has an environment twin HEROLD_<FLAG>
// (dashes become underscores), e.g. --addr and HEROLD_ADDR.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/herold-dev/herold/internal/service"
)

// Execute runs the command line and returns the exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "herold: "+describe(err))
		var uerr *usageError
		if errors.As(err, &uerr) {
			fmt.Fprintf(stderr, "Run '%s --help' for its arguments and flags.\n", uerr.command)
		}
		return 1
	}
	return 0
}

// usageError is a command line that does not fit the command: an unknown
// or malformed flag, or the wrong number of arguments. Execute follows it
// with where to read how the command is used.
type usageError struct {
	command string // e.g. "herold serve"
	err     error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// markUsageErrors makes the flag and argument errors of cmd and every
// command under it usageErrors.
func markUsageErrors(cmd *cobra.Command) {
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{command: c.CommandPath(), err: err}
	})
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return &usageError{command: c.CommandPath(), err: err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		markUsageErrors(sub)
	}
}

// describe turns validation errors into one line per field.
func describe(err error) string {
	var verr *service.ValidationError
	if errors.As(err, &verr) {
		lines := make([]string, len(verr.Fields))
		for i, f := range verr.Fields {
			lines[i] = "  " + f.String()
		}
		return "invalid input:\n" + strings.Join(lines, "\n")
	}
	if msg, ok := unreachable(err); ok {
		return msg
	}
	// The API client's errors name Herold already ("herold: 422 ...").
	return strings.TrimPrefix(err.Error(), "herold: ")
}

// unreachable says what to do when a client command found no server:
// Go's "Get \"http://…/v1/…\": dial tcp 127.0.0.1:8080: connect:
// connection refused" names neither Herold nor --server.
func unreachable(err error) (string, bool) {
	var uerr *url.Error
	var op *net.OpError
	if !errors.As(err, &uerr) || !errors.As(err, &op) || op.Op != "dial" {
		return "", false
	}
	server := uerr.URL
	if u, perr := url.Parse(uerr.URL); perr == nil {
		server = u.Scheme + "://" + u.Host
	}
	why := op.Err.Error() // "lookup x: no such host", "i/o timeout"
	if errors.Is(err, syscall.ECONNREFUSED) {
		why = "connection refused" // not "connect: connection refused"
	}
	return fmt.Sprintf("cannot reach the Herold server at %s (%s): start it with `herold serve`, "+
		"or point --server (or HEROLD_SERVER) at it", server, why), true
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "herold",
		Short:         "Herold: events in, flows decide, templates render, mail goes out",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd)
		},
	}
	root.AddCommand(newServe(), newMigrate(), newKeys(), newWorkspaces(), newEvents(), newExplain(), newUsers(),
		newExport(), newImport(), newDKIM(), newInbox(), newSimulate())
	root.AddCommand(newValidate(), newPlan(), newApply(), newRollback(), newRevisions(), newSchema())
	markUsageErrors(root)
	return root
}

// envName is the environment twin of a flag.
func envName(flag string) string {
	return "HEROLD_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its
// environment twin.
func applyEnv(cmd *cobra.Command) error {
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" {
			return
		}
		v, ok := os.LookupEnv(envName(f.Name))
		if !ok {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", envName(f.Name), v, err))
		}
	})
	return errors.Join(errs...)
}

// withEnvHelp appends the environment twin to every flag's usage.
func withEnvHelp(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Usage += " [" + envName(f.Name) + "]"
	})
	return cmd
}
