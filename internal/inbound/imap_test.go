package inbound

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/imaptest"
	"github.com/herold-dev/herold/internal/store"
)

func (f *fixture) inboundCount(kind, address string) int {
	f.t.Helper()
	n, err := f.st.InboundMessageCount(f.ctx, &store.InboundCountParams{WorkspaceID: f.ws.ID, Kind: kind, Address: address})
	require.NoError(f.t, err)
	return n
}

// TestIMAPPoll: one poll of a real IMAP server hands a DSN and a human
// mail to the receiver (the DSN marks its message bounced), marks both
// \Seen; a second poll finds nothing; the same DSN appended again (as
// after a crash between storing and marking) is received as a
// duplicate and changes nothing.
func TestIMAPPoll(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	im := imaptest.Start(t)
	dsn := sample(t, "postfix-user-unknown.eml")
	im.Append(dsn)
	im.Append(sample(t, "human-new.eml"))
	p, err := NewPoller(PollerConfig{URL: "imaps://herold@" + im.Addr + "/INBOX", Password: "secret", Workspace: "acme",
		Receiver: f.recv, TLSConfig: im.TLS, Logger: discard(), Timeout: 5 * time.Second})
	require.NoError(t, err)

	n, err := p.Poll(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Zero(t, im.Unseen(), "both are marked \\Seen")
	tl := f.timeline("01a24c54-632b-731a-bee5-ba64e53cd353")
	require.Len(t, tl, 3)
	require.Equal(t, "bounced", string(tl[2].Status))
	require.Equal(t, 1, f.inboundCount("hard_bounce", "anna@example.org"))
	require.Equal(t, 1, f.inboundCount("mail", "juergen@example.com"))

	n, err = p.Poll(f.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a second poll finds nothing unseen")

	im.Append(dsn)
	n, err = p.Poll(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Zero(t, im.Unseen())
	require.Len(t, f.timeline("01a24c54-632b-731a-bee5-ba64e53cd353"), 3, "a redelivery is processed once")
	require.Equal(t, 1, f.inboundCount("hard_bounce", "anna@example.org"))
}

// TestIMAPPollBounds: at most MaxMessages are taken per poll, and a
// message over MaxMessageBytes is left unseen.
func TestIMAPPollBounds(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	im := imaptest.Start(t)
	big := append(sample(t, "human-new.eml"), bytes.Repeat([]byte("x"), 4096)...)
	im.Append(big)
	im.Append(sample(t, "postfix-user-unknown.eml"))
	im.Append(sample(t, "human-reply.eml"))
	p, err := NewPoller(PollerConfig{URL: "imaps://herold@" + im.Addr, Password: "secret", Workspace: "acme",
		Receiver: f.recv, TLSConfig: im.TLS, Logger: discard(), MaxMessages: 2, MaxMessageBytes: 4000})
	require.NoError(t, err)
	n, err := p.Poll(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "of the first two, the big one is skipped")
	require.Equal(t, uint32(2), im.Unseen())
}

// TestIMAPPollerConfig: a URL without user, or with a password in it,
// or a missing workspace is refused with what to do.
func TestIMAPPollerConfig(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"imaps://host:993/INBOX":    "use imaps://",
		"pop3://u@host":             "use imaps://",
		"imaps://u:secret@host:993": "--inbound-imap-password-file",
	} {
		_, err := NewPoller(PollerConfig{URL: url, Workspace: "acme", Receiver: &Receiver{}})
		require.ErrorContains(t, err, want, url)
		require.NotContains(t, err.Error(), "secret")
	}
	_, err := NewPoller(PollerConfig{URL: "imaps://u@host"})
	require.ErrorContains(t, err, "--inbound-imap-workspace")
}
