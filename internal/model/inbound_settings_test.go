package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInboundSettingsCheck: the bounds hold exactly (a 200-character
// pattern and 50 rules pass, one more does not), and each problem names
// its field.
func TestInboundSettingsCheck(t *testing.T) {
	t.Parallel()
	fields := func(s InboundSettings) []string {
		var out []string
		for _, p := range s.Check() {
			out = append(out, p.Field)
		}
		return out
	}
	tok := func(p string) *SubjectToken {
		return &SubjectToken{Pattern: p, Collection: "tickets", Project: "support"}
	}
	require.Empty(t, fields(InboundSettings{}))
	require.Empty(t, fields(InboundSettings{SubjectToken: tok(strings.Repeat("a", 197) + "(b)")}))
	require.Equal(t, []string{"inbound.subject_token.pattern"}, fields(InboundSettings{SubjectToken: tok(strings.Repeat("a", 198) + "(b)")}))
	require.Equal(t, []string{"inbound.subject_token.pattern"}, fields(InboundSettings{SubjectToken: tok(`(a)(b)`)}))
	require.Equal(t, []string{"inbound.subject_token.pattern"}, fields(InboundSettings{SubjectToken: tok(`(?P<x>a`)}))
	require.Equal(t, []string{"inbound.subject_token.collection", "inbound.subject_token.project"},
		fields(InboundSettings{SubjectToken: &SubjectToken{Pattern: `(\d+)`}}))

	rules := make([]InboundRule, MaxInboundRules)
	for i := range rules {
		rules[i] = InboundRule{Tag: "t", Project: "p"}
	}
	require.Empty(t, fields(InboundSettings{Rules: rules}))
	require.Equal(t, []string{"inbound.rules"}, fields(InboundSettings{Rules: append(rules, rules[0])}))
	require.Equal(t, []string{"inbound.rules[0].sender_domain", "inbound.rules[1].sender_domain", "inbound.rules[2].tag", "inbound.rules[3].project"},
		fields(InboundSettings{Rules: []InboundRule{{Project: "p"}, {SenderDomain: "a@b.example", Project: "p"},
			{Tag: "a+b", Project: "p"}, {SenderDomain: "b.example"}}}))
}
