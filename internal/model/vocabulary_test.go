package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVocabularyName: a name in the asked language, else the other one,
// else "" (the key is shown).
func TestVocabularyName(t *testing.T) {
	t.Parallel()
	v := Vocabulary{Roles: map[string]Label{"promoter": {DE: "Promoter:in"}, "agency": {EN: "Agency"},
		"both": {DE: "Beide", EN: "Both"}}}
	tests := []struct{ key, lang, want string }{
		{"promoter", "de", "Promoter:in"}, {"promoter", "en", "Promoter:in"},
		{"agency", "de", "Agency"}, {"both", "en", "Both"}, {"both", "de", "Beide"}, {"unknown", "de", ""},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, v.Name(VocabRoles, tc.key, tc.lang), "%s/%s", tc.key, tc.lang)
	}
	require.Empty(t, v.Name(VocabEventTypes, "promoter", "de"), "kinds are apart")
}

// TestVocabularyCheck: keys must be keys, names one line of at most
// MaxLabelLength characters (umlauts count as one), at most
// MaxVocabularyEntries per kind.
func TestVocabularyCheck(t *testing.T) {
	t.Parallel()
	ok := Vocabulary{EventTypes: map[string]Label{"job.requested": {DE: strings.Repeat("ü", MaxLabelLength)}}}
	require.Empty(t, ok.Check())
	bad := Vocabulary{
		EventTypes: map[string]Label{"job requested": {DE: "x"}},
		Roles:      map[string]Label{"promoter": {DE: strings.Repeat("ü", MaxLabelLength+1), EN: "a\nb"}},
	}
	var fields []string
	for _, p := range bad.Check() {
		fields = append(fields, p.Field)
	}
	require.ElementsMatch(t, []string{"vocabulary.event_types.job requested", "vocabulary.roles.promoter.de", "vocabulary.roles.promoter.en"}, fields)
	many := map[string]Label{}
	for i := range MaxVocabularyEntries + 1 {
		many[strings.Repeat("k", 1+i%90)+string(rune('a'+i/90))] = Label{DE: "x"}
	}
	require.Len(t, many, MaxVocabularyEntries+1)
	require.Equal(t, []FieldProblem{{"vocabulary.categories", "at most 500 names"}}, (&Vocabulary{Categories: many}).Check())
}
