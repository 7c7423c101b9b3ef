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
// records keygen printed. The second key, made for a rotation, takes
// over at its --active-from; the first one's record stays published for
// the mail it signed.
func TestDKIMKeygenSignsOwnMail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	switchAt := apptest.Start2026.Add(24 * time.Hour)
	rsaOut := dkimCLI(t, "keygen", "herold.example", "--selector", "herold202603", "--dkim-keys", dir,
		"--active-from", "2026-01-01T00:00:00Z")
	edOut := dkimCLI(t, "keygen", "herold.example", "--selector", "herold202604", "--algorithm", "ed25519",
		"--dkim-keys", dir, "--active-from", switchAt.Format(time.RFC3339))
	zone := []string{txtRecord.FindString(rsaOut), txtRecord.FindString(edOut)}
	require.Regexp(t, `^herold202603\._domainkey\.herold\.example\. 3600 IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{237}" "[A-Za-z0-9+/=]+"$`, zone[0], rsaOut)
	require.Regexp(t, `^herold202604\._domainkey\.herold\.example\. 3600 IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$`, zone[1], edOut)

	list := dkimCLI(t, "list", "--dkim-keys", dir)
	require.Regexp(t, `herold\.example\s+herold202603\s+rsa\s+2026-01-01T00:00:00Z\s+superseded`, list)
	require.Regexp(t, `herold\.example\s+herold202604\s+ed25519\s+2026-03-03T08:00:00Z\s+active`, list)

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
	for i, want := range []struct{ selector, alg string }{{"herold202603", "rsa-sha256"}, {"herold202604", "ed25519-sha256"}} {
		require.Len(t, res[i], 1, "one signature on mail %d", i)
		r := res[i][0]
		require.True(t, r.Valid, "mail %d does not verify: %+v", i, r)
		require.Equal(t, want.selector, r.Selector)
		require.Equal(t, want.alg, r.Algorithm)
		require.Equal(t, "herold.example", r.Domain)
		require.Contains(t, r.Headers, "list-unsubscribe")
		require.Contains(t, r.Headers, "list-unsubscribe-post")
	}
	require.True(t, strings.HasPrefix(string(after.Data), "DKIM-Signature: "), "the signature is the first field")
}

// keygen without a key directory says how to give one.
func TestDKIMKeygenNeedsDirectory(t *testing.T) {
	t.Setenv("HEROLD_DKIM_KEYS", "")
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), []string{"dkim", "keygen", "example.org"}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "--dkim-keys DIR")
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
