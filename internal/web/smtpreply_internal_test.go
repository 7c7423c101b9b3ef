package web

import "testing"

func TestReplyKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"250 2.0.0 Ok: queued as 4F2", "web.reply.accepted"},
		{"550 5.1.1 <ben@example.com>: Recipient address rejected: User unknown", "web.reply.no_mailbox"},
		{"550 user unknown", "web.reply.no_mailbox"},
		{"552 5.2.2 mailbox full", "web.reply.mailbox_full"},
		{"554 5.7.1 Message rejected as spam", "web.reply.policy"},
		{"421 4.3.2 Service shutting down", "web.reply.unavailable"},
		{"451 4.3.0 try again later", "web.reply.temporary"},
		{"550 5.0.0 no", "web.reply.permanent"},
		{"354 go ahead", "web.reply.unexpected"},
		{"dial tcp 127.0.0.1:25: connection refused", ""},
		{"Termin abgesagt", ""},
		{"", ""},
		{"5x0 nonsense", ""},
		{"650 not smtp", ""},
	} {
		if got := replyKey(tc.in); got != tc.want {
			t.Errorf("replyKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
