package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/dkim"
)

// dkimDirFlag adds --dkim-keys, the key directory serve signs with.
func dkimDirFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "dkim-keys", "", "`DIR` of DKIM keys: DIR/DOMAIN/SELECTOR.pem, one file per key (mode 0600)")
}

// errNoDKIMDir is the error for a dkim command without a key directory.
var errNoDKIMDir = errors.New("no key directory: give --dkim-keys DIR (or HEROLD_DKIM_KEYS), the directory `herold serve --dkim-keys` reads")

func newDKIM() *cobra.Command {
	cmd := &cobra.Command{Use: "dkim", Short: "Create and list the DKIM keys outgoing mail is signed with"}
	cmd.AddCommand(withEnvHelp(newDKIMKeygen()), withEnvHelp(newDKIMList()))
	return cmd
}

func newDKIMKeygen() *cobra.Command {
	var dir, selector, algorithm, activeFrom string
	cmd := &cobra.Command{
		Use:   "keygen DOMAIN",
		Short: "Create a DKIM key for DOMAIN and print the DNS record to publish",
		Long: `Create a DKIM key for DOMAIN in the key directory (DIR/DOMAIN/SELECTOR.pem,
mode 0600) and print the TXT record to publish. The key signs mail whose
From is at DOMAIN from --active-from on (default: now); give a later time
when rotating, so the record is in DNS before the key signs. See docs/dkim.md.`,
		Example: `  herold dkim keygen example.org --dkim-keys /etc/herold/dkim
  herold dkim keygen example.org --selector herold2027 --active-from 2027-01-08T00:00:00Z --dkim-keys /etc/herold/dkim
  herold dkim keygen example.org --selector ed2026 --algorithm ed25519 --dkim-keys /etc/herold/dkim`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errNoDKIMDir
			}
			from := time.Now()
			if activeFrom != "" {
				t, err := time.Parse(time.RFC3339, activeFrom)
				if err != nil {
					return fmt.Errorf("--active-from %q: use RFC 3339, e.g. 2027-01-08T00:00:00Z", activeFrom)
				}
				from = t
			}
			k, err := dkim.Generate(algorithm, args[0], selector, from.Truncate(time.Second))
			if err != nil {
				return err
			}
			path, err := dkim.WriteKey(dir, k)
			if err != nil {
				return err
			}
			rec, err := k.ZoneRecord()
			if err != nil {
				return err
			}
			cmd.Printf("Created %s in %s, signing from %s.\nPublish this TXT record in the zone of %s:\n\n%s\n",
				k, path, k.ActiveFrom.Format(time.RFC3339), k.Domain, rec)
			return nil
		},
	}
	dkimDirFlag(cmd, &dir)
	f := cmd.Flags()
	f.StringVar(&selector, "selector", "herold"+time.Now().UTC().Format("200601"), "selector naming the key in DNS (heroldYYYYMM of the current month)")
	f.StringVar(&algorithm, "algorithm", dkim.RSA, "rsa (2048 bits) or ed25519")
	f.StringVar(&activeFrom, "active-from", "", "RFC 3339 time from which the key signs (default now)")
	return cmd
}

func newDKIMList() *cobra.Command {
	var dir string
	var records bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the DKIM keys and which one signs each domain's mail now",
		Example: `  herold dkim list --dkim-keys /etc/herold/dkim
  herold dkim list --records --dkim-keys /etc/herold/dkim`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errNoDKIMDir
			}
			keys, err := dkim.ReadDir(dir)
			if err != nil {
				return err
			}
			now := time.Now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DOMAIN\tSELECTOR\tALGORITHM\tACTIVE FROM\tSTATE")
			for _, k := range dkim.Sorted(keys) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Domain, k.Selector, k.Algorithm(),
					k.ActiveFrom.Format(time.RFC3339), dkim.State(keys, k, now))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if !records {
				return nil
			}
			for _, k := range dkim.Sorted(keys) {
				rec, err := k.ZoneRecord()
				if err != nil {
					return err
				}
				cmd.Printf("\n%s\n", rec)
			}
			return nil
		},
	}
	dkimDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&records, "records", false, "print every key's TXT record too")
	return cmd
}
