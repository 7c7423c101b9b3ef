package e2e_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
	"github.com/herold-dev/herold/internal/smtptest"
)

// dkimCLI runs a `herold dkim` command and returns its output.
func dkimCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), append([]string{"dkim"}, args...), &out, &errOut)
	require.Zero(t, code, "herold dkim %v: %s", args, errOut.String())
	return out.String()
}

// txtRecord is the line of keygen's output that goes into the zone.
var txtRecord = regexp.MustCompile(`(?m)^\S+\._domainkey\.\S+\. 3600 IN TXT .*$`)

// Issue 15, point 5: keys made with `herold dkim keygen` sign Herold's
// own mail (a newsletter: List-Unsubscribe, List-Id, Auto-Submitted) on
// its way to a real SMTP server, and dkimpy verifies it against the
// records keygen printed: an RSA and an Ed25519 signature side by side.
// The second RSA key, made for a rotation, takes over at its
// --active-from; the first one's record stays published for the mail it
// signed.
func TestDKIMKeygenSignsOwnMail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	switchAt := apptest.Start2026.Add(24 * time.Hour)
	keygen := func(selector, alg string, from time.Time) string {
		out := dkimCLI(t, "keygen", "herold.example", "--selector", selector, "--algorithm", alg,
			"--active-from", from.Format(time.RFC3339), "--dkim-keys", dir)
		return txtRecord.FindString(out)
	}
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	zone := []string{keygen("herold202601", "rsa", jan), keygen("ed202601", "ed25519", jan), keygen("herold202603", "rsa", switchAt)}
	require.Regexp(t, `^herold202601\._domainkey\.herold\.example\. 3600 IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{237}" "[A-Za-z0-9+/=]+"$`, zone[0])
	require.Regexp(t, `^ed202601\._domainkey\.herold\.example\. 3600 IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$`, zone[1])

	list := dkimCLI(t, "list", "--dkim-keys", dir) // on the real clock: December 2026
	require.Regexp(t, `herold\.example\s+herold202601\s+rsa\s+2026-01-01T00:00:00Z\s+superseded`, list)
	require.Regexp(t, `herold\.example\s+ed202601\s+ed25519\s+2026-01-01T00:00:00Z\s+active`, list)
	require.Regexp(t, `herold\.example\s+herold202603\s+rsa\s+2026-03-03T08:00:00Z\s+active`, list)

	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv), func(s *apptest.Setup) { s.Opts.SMTP.DKIMKeys = dir })
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/news", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Neuigkeiten für {{ .recipient.name }}: Öffnungszeiten über die Feiertage",
		"text":    "Hallo {{ .recipient.name }},\n.\nwir haben über die Feiertage geschlossen.\n",
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "news", "event_type": "news", "template": "news", "recipients": []string{"role:to"}, "category": "newsletter"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	c := client.MustNew(e.URL, e.Key)
	send := func() smtptest.Mail {
		m := sendAndWait(t, e, c, srv, "news", nil)
		require.NotEmpty(t, m.Header.Get("List-Unsubscribe"))
		return m
	}
	before := send()
	e.Clock.Set(switchAt)
	after := send()

	res := smtptest.VerifyDKIMAll(t, [][]byte{before.Data, after.Data}, zone)
	for i, want := range [][]string{{"ed202601", "herold202601"}, {"ed202601", "herold202603"}} {
		require.Len(t, res[i], 2, "two signatures on mail %d", i)
		for j, r := range res[i] {
			require.True(t, r.Valid, "mail %d, signature %d does not verify: %+v", i, j, r)
			require.Equal(t, want[j], r.Selector)
			require.Equal(t, map[bool]string{true: "ed25519-sha256", false: "rsa-sha256"}[j == 0], r.Algorithm)
			require.Equal(t, "herold.example", r.Domain)
			require.Contains(t, r.Headers, "list-unsubscribe")
			require.Contains(t, r.Headers, "list-unsubscribe-post")
		}
	}
	require.True(t, strings.HasPrefix(string(after.Data), "DKIM-Signature: "), "the signatures are the first fields")
}

// keygen's mistakes are refused with what to do instead.
func TestDKIMKeygenErrors(t *testing.T) {
	t.Setenv("HEROLD_DKIM_KEYS", "")
	dir := t.TempDir()
	dkimCLI(t, "keygen", "example.org", "--selector", "used", "--algorithm", "ed25519", "--dkim-keys", dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"keygen", "example.org"}, "--dkim-keys DIR"},
		{[]string{"keygen", "example.org", "--dkim-keys", dir, "--active-from", "2027-01-08"}, "use RFC 3339, e.g. 2027-01-08T00:00:00Z"},
		{[]string{"keygen", "example.org", "--dkim-keys", dir, "--algorithm", "dsa"}, "use rsa or ed25519"},
		{[]string{"keygen", "example.org", "--dkim-keys", dir, "--selector", "used", "--algorithm", "ed25519"}, "choose another --selector"},
		{[]string{"keygen", "localhost", "--dkim-keys", dir}, "not a domain name"},
		{[]string{"list", "--dkim-keys", filepath.Join(dir, "missing")}, "herold dkim keygen DOMAIN --dkim-keys"},
	} {
		var out, errOut bytes.Buffer
		code := cli.Execute(context.Background(), append([]string{"dkim"}, c.args...), &out, &errOut)
		require.Equal(t, 1, code, "herold dkim %v", c.args)
		require.Contains(t, errOut.String(), c.want, "herold dkim %v", c.args)
	}
}

// A key directory with a key others may read stops the start, naming
// the file and the fix: unsigned mail could fail the domain's DMARC.
func TestDKIMBadKeyStopsStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dkimCLI(t, "keygen", "herold.example", "--selector", "s1", "--algorithm", "ed25519", "--dkim-keys", dir)
	path := filepath.Join(dir, "herold.example", "s1.pem")
	require.NoError(t, os.Chmod(path, 0o644))
	srv := smtptest.Start(t)
	s := apptest.NewSetup(t)
	apptest.WithSMTP(srv)(&s)
	s.Opts.SMTP.DKIMKeys = dir
	a, err := app.New(context.Background(), s.Opts, app.Deps{Clock: s.Clock, Stdout: io.Discard, Jobs: s.Jobs})
	if err == nil {
		_ = a.Stop(context.Background())
	}
	require.ErrorContains(t, err, "--dkim-keys")
	require.ErrorContains(t, err, "chmod 600 "+path)
}
