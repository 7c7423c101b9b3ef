package model

import "testing"

func TestSenderAllowed(t *testing.T) {
	t.Parallel()
	ws := &Workspace{Key: "nord", AllowedSenders: []string{"agentur-nord.example", "dispo@agentur-sued.example"}}
	tests := []struct {
		addr string
		want bool
	}{
		{"info@agentur-nord.example", true},
		{"Info@Agentur-Nord.Example", true},
		{"dispo@agentur-sued.example", true},
		{"buero@agentur-sued.example", false},
		{"x@mail.agentur-nord.example", false}, // no subdomains
		{"x@agentur-nord.example.evil", false},
		{"agentur-nord.example@evil.example", false},
	}
	for _, tt := range tests {
		if got := ws.SenderAllowed(tt.addr); got != tt.want {
			t.Errorf("SenderAllowed(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if (&Workspace{}).SenderAllowed("a@example.org") {
		t.Error("a workspace without allowed senders may send")
	}
	if !(&Workspace{AllowedSenders: []string{AnySender}}).SenderAllowed("a@example.org") {
		t.Error(`"*" does not allow every sender`)
	}
	if err := ws.CheckSenders("Nord <info@agentur-nord.example>", "attacker@evil.example"); err == nil ||
		err.Error() != `Reply-To attacker@evil.example is not allowed for workspace "nord"; allowed: agentur-nord.example, dispo@agentur-sued.example` {
		t.Errorf("CheckSenders: %v", err)
	}
	for _, e := range []string{"*", "example.org", "dispo@example.org"} {
		if err := ValidAllowedSender(e); err != nil {
			t.Errorf("ValidAllowedSender(%q): %v", e, err)
		}
	}
	for _, e := range []string{"", "example", "Dispo <dispo@example.org>", "*.example.org", "a,b.org"} {
		if ValidAllowedSender(e) == nil {
			t.Errorf("ValidAllowedSender(%q) accepted", e)
		}
	}
}
