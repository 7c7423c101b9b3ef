package inbound

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClassifyCorpus classifies every sample in testdata/corpus (RFC 3464
// and 5965 examples, and MTA-style samples written from the documented
// formats of Postfix, Exim, Microsoft Exchange and Gmail) and compares
// kind, format, the bounced recipients with status, diagnostic and
// hardness, and the original message's id.
func TestClassifyCorpus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file       string
		want       Result
		wantFrom   string
		wantMailID string
	}{
		{file: "rfc3464-failed.eml", want: Result{Kind: KindBounce, Format: "rfc3464",
			Bounces:           []Bounce{{Recipient: "louisl@larry.slip.umd.edu", Status: "4.0.0", Diagnostic: "426 connection timed out", Hard: false}},
			OriginalMessageID: "01a24c54-0000-7000-8000-000000000001@herold.example"}},
		{file: "postfix-user-unknown.eml", want: Result{Kind: KindBounce, Format: "postfix",
			Bounces: []Bounce{{Recipient: "anna@example.org", Status: "5.1.1", Hard: true,
				Diagnostic: "550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in local recipient table"}},
			OriginalMessageID: "01a24c54-632b-731a-bee5-ba64e53cd353@herold.example"}},
		{file: "postfix-delayed.eml", want: Result{Kind: KindBounce, Format: "postfix",
			Bounces: []Bounce{{Recipient: "ben@example.com", Status: "4.4.1", Hard: false,
				Diagnostic: "connect to mx.example.com[198.51.100.7]:25: Connection timed out"}},
			OriginalMessageID: "01a24c54-0000-7000-8000-000000000002@herold.example"}},
		{file: "exim-user-unknown.eml", want: Result{Kind: KindBounce, Format: "exim",
			Bounces: []Bounce{{Recipient: "ben@example.com", Status: "5.1.1", Hard: true,
				Diagnostic: "550 5.1.1 <ben@example.com>: Recipient address rejected: User unknown"}},
			OriginalMessageID: "01a24c54-0000-7000-8000-000000000003@herold.example"}},
		{file: "microsoft-ndr.eml", want: Result{Kind: KindBounce, Format: "microsoft",
			Bounces: []Bounce{{Recipient: "clara@contoso.example", Status: "5.1.10", Hard: true,
				Diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"}},
			OriginalMessageID: "01a24c54-0000-7000-8000-000000000004@herold.example"}},
		{file: "microsoft-legacy-text.eml", want: Result{Kind: KindBounce, Format: "text",
			Bounces: []Bounce{{Recipient: "dora@fabrikam.example", Status: "5.1.1", Hard: true,
				Diagnostic: "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found>"}}}},
		{file: "gmail-no-such-user.eml", want: Result{Kind: KindBounce, Format: "gmail",
			Bounces: []Bounce{{Recipient: "emil.nobody@gmail.example", Status: "5.1.1", Hard: true,
				Diagnostic: "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.example/mail/?p=NoSuchUser - gsmtp"}},
			OriginalMessageID: "01a24c54-0000-7000-8000-000000000005@herold.example"}},
		{file: "arf-rfc5965.eml", want: Result{Kind: KindComplaint, Format: "arf", FeedbackType: "abuse",
			Complainant: "fritz@example.net", OriginalMessageID: "01a24c54-0000-7000-8000-000000000006@herold.example"}},
		{file: "auto-submitted.eml", want: Result{Kind: KindAutoReply, Format: "auto-submitted: auto-replied"}},
		{file: "x-autoreply.eml", want: Result{Kind: KindAutoReply, Format: "x-autoreply"}},
		{file: "precedence-auto-reply.eml", want: Result{Kind: KindAutoReply, Format: "precedence: auto_reply"}},
		{file: "vacation-subject-de.eml", want: Result{Kind: KindAutoReply, Format: "subject: abwesenheitsnotiz"}},
		{file: "human-reply.eml", want: Result{Kind: KindMail}, wantFrom: "anna@example.org", wantMailID: "reply-1@example.org"},
		{file: "human-new.eml", want: Result{Kind: KindMail}, wantFrom: "juergen@example.com", wantMailID: "new-1@example.com"},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	require.NoError(t, err)
	require.Len(t, files, len(tests), "every sample has its expected classification")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", "corpus", tt.file))
			require.NoError(t, err)
			m, err := Parse(raw)
			require.NoError(t, err)
			require.Equal(t, tt.want, *Classify(m))
			if tt.wantFrom != "" {
				require.Equal(t, tt.wantFrom, m.From)
				require.Equal(t, tt.wantMailID, m.MessageID)
			}
		})
	}
}

// TestParseReply: a human reply's fields for the mail.received event:
// decoded subject, threading ids, the new text without the quote, and the
// attachment's name and decoded size; an HTML-only mail gives its text.
func TestParseReply(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", "human-reply.eml"))
	require.NoError(t, err)
	m, err := Parse(raw)
	require.NoError(t, err)
	require.Equal(t, "Re: [T-1234] Drucker druckt nicht", m.Subject)
	require.Equal(t, []string{"reply+abc127@inbound.herold.example"}, m.To)
	require.Equal(t, "01a24c54-632b-731a-bee5-ba64e53cd353@herold.example", m.InReplyTo)
	require.Equal(t, []string{"start@example.org", "01a24c54-632b-731a-bee5-ba64e53cd353@herold.example"}, m.References)
	require.Equal(t, "Er druckt wieder, danke!\nGrüße, Anna", StripQuoted(m.Text))
	require.Equal(t, []Attachment{{Name: "testseite.pdf", Size: 48}}, m.Attachments)

	raw, err = os.ReadFile(filepath.Join("testdata", "corpus", "human-new.eml"))
	require.NoError(t, err)
	m, err = Parse(raw)
	require.NoError(t, err)
	require.Equal(t, "Neue Anfrage: Gebäude B", m.Subject)
	require.Equal(t, "Die Heizung in Gebäude B ist ausgefallen.", m.Text)
}

// TestStripQuoted: the attributions of common clients end the new text;
// quoted lines go.
func TestStripQuoted(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"english", "Thanks!\n\nOn Mon, 1 Dec 2026 at 10:00, Helpdesk <h@x> wrote:\n> old", "Thanks!"},
		{"german", "Danke!\nAm 01.12.2026 um 10:00 schrieb Helpdesk <h@x>:\n> alt", "Danke!"},
		{"outlook", "Erledigt.\r\n\r\n-----Original Message-----\r\nFrom: Helpdesk", "Erledigt."},
		{"outlook de", "Erledigt.\n-----Ursprüngliche Nachricht-----\nVon: Helpdesk", "Erledigt."},
		{"interleaved quote", "> Frage?\nAntwort.\n> Noch eine?\nJa.", "Antwort.\nJa."},
		{"nothing new", "> only a quote", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, StripQuoted(tt.in), tt.name)
	}
}
