package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := (Options{}).WithDefaults().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

// TestTrustedProxyPrefixes: addresses are ranges of one, ranges are
// masked, IPv4-mapped IPv6 addresses read as IPv4.
func TestTrustedProxyPrefixes(t *testing.T) {
	o := Options{TrustedProxies: []string{"10.0.0.5", " 192.168.1.7/24", "::ffff:172.16.0.1", "fd00::/8"}}
	got, err := o.TrustedProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	want := "10.0.0.5/32 192.168.1.0/24 172.16.0.1/32 fd00::/8"
	if strings.Join(s, " ") != want {
		t.Errorf("got %v, want %s", s, want)
	}
}

func TestValidateNamesTheFlagOfEveryBadOption(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Options)
		want []string
	}{
		{"addr without port", func(o *Options) { o.Addr = "localhost" }, []string{"--addr"}},
		{"rescue before the job timeout", func(o *Options) { o.JobRescueAfter = 4 * time.Minute }, []string{"--job-rescue-after 4m0s must exceed --job-timeout 5m0s"}},
		{"proxy that is no address", func(o *Options) { o.TrustedProxies = []string{"10.0.0.0/8", "proxy.local"} }, []string{`--trusted-proxies "proxy.local": not an IP address or CIDR range`}},
		{"imap without workspace and password", func(o *Options) { o.Inbound.IMAP.URL = "imaps://u@host/INBOX"; o.Inbound.Domain = "in.example" },
			[]string{"--inbound-imap needs --inbound-imap-workspace KEY and --inbound-imap-password-file FILE"}},
		{"imap without domain", func(o *Options) {
			o.Inbound.IMAP = InboundIMAP{URL: "imaps://u@host/INBOX", Workspace: "acme", PasswordFile: "/pw"}
		}, []string{"--inbound-domain \"\": name the domain of the --inbound-imap mailbox"}},
		{"two at once", func(o *Options) { o.SMTP.Port = -1; o.LogLevel = "loud" }, []string{"--smtp-port -1", "--log-level \"loud\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{}.WithDefaults()
			c.edit(&o)
			err := o.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRedactDatabaseHidesEveryPassword(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"sqlite path", "./herold-data/herold.db", "./herold-data/herold.db"},
		{"url", "postgres://herold:s3cr%40t@db.example:5432/herold?sslmode=require",
			"postgres://herold:xxxxx@db.example:5432/herold?sslmode=require"},
		{"url without password", "postgresql://herold@db/herold", "postgresql://herold@db/herold"},
		{"password parameter", "postgres:///herold?host=/run/postgresql&password=s3cret",
			"postgres:///herold?host=%2Frun%2Fpostgresql&password=xxxxx"},
		{"url that does not parse", "postgres://herold:50%zz@db/herold?password=s3cret&sslmode=disable",
			"postgres://herold:xxxxx@db/herold?password=xxxxx&sslmode=disable"},
		{"key=value", "host=db user=herold password=s3cret dbname=herold",
			"host=db user=herold password=xxxxx dbname=herold"},
		{"key=value quoted", `host=db password = 's3 c\'ret' dbname=herold`, "host=db password = xxxxx dbname=herold"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := RedactDatabase(c.in)
			if got != c.want {
				t.Fatalf("RedactDatabase(%q) = %q, want %q", c.in, got, c.want)
			}
			if strings.Contains(got, "s3") || strings.Contains(got, "50%zz") {
				t.Fatalf("a password is left in %q", got)
			}
		})
	}
}

func TestReadSecretsReadsThePasswordFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(file, []byte("pa ss\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	cases := []struct {
		name     string
		smtp     SMTP
		want     string
		wantErrs []string
	}{
		{"no file", SMTP{Password: "inline"}, "inline", nil},
		{"file, newline trimmed", SMTP{PasswordFile: file}, "pa ss", nil},
		{"both", SMTP{Password: "inline", PasswordFile: file}, "",
			[]string{"--smtp-password and --smtp-password-file are both given", "keep only --smtp-password-file"}},
		{"unreadable", SMTP{PasswordFile: missing}, "", []string{"--smtp-password-file", missing}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := Options{SMTP: c.smtp}.ReadSecrets()
			if c.wantErrs == nil {
				if err != nil || o.SMTP.Password != c.want {
					t.Fatalf("password %q, error %v; want %q", o.SMTP.Password, err, c.want)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wantErrs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadSecretsReadsTheIMAPPasswordFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "imap-password")
	if err := os.WriteFile(file, []byte("imap pw\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := Options{Inbound: Inbound{IMAP: InboundIMAP{PasswordFile: file}}}.ReadSecrets()
	if err != nil || o.Inbound.IMAP.Password != "imap pw" {
		t.Fatalf("password %q, error %v; want %q", o.Inbound.IMAP.Password, err, "imap pw")
	}
	_, err = Options{Inbound: Inbound{IMAP: InboundIMAP{PasswordFile: file + ".missing"}}}.ReadSecrets()
	if err == nil || !strings.Contains(err.Error(), "--inbound-imap-password-file") {
		t.Fatalf("error %v does not name --inbound-imap-password-file", err)
	}
}
