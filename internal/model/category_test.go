package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCategoryFrequencies: instantly is always allowed, the rest only
// where the workspace allows them; a disallowed choice counts as
// instantly; transactional is always instant.
func TestCategoryFrequencies(t *testing.T) {
	t.Parallel()
	v := Vocabulary{CategoryDetails: map[string]CategoryDetail{
		"newsletter": {Frequencies: []string{FrequencyWeekly, FrequencyDaily}},
		"birthday":   {Description: Label{DE: "Einmal im Jahr"}},
	}}
	require.Equal(t, []string{"instantly", "daily", "weekly"}, v.AllowedFrequencies("newsletter"), "in page order")
	require.Equal(t, []string{"instantly"}, v.AllowedFrequencies("birthday"))
	require.Equal(t, []string{"instantly"}, v.AllowedFrequencies("unknown"))
	require.Equal(t, "daily", v.EffectiveFrequency("newsletter", "daily"))
	require.Equal(t, "instantly", v.EffectiveFrequency("birthday", "daily"), "disallowed later: instantly")
	require.False(t, v.AllowsFrequency("birthday", "weekly"))
	require.Equal(t, "Einmal im Jahr", v.Description("birthday", "en"), "the other language when one is missing")
	require.Empty(t, v.Description("newsletter", "de"))
}

// TestCategoryDetailsCheck: each problem is named with its path.
func TestCategoryDetailsCheck(t *testing.T) {
	t.Parallel()
	v := Vocabulary{CategoryDetails: map[string]CategoryDetail{
		"newsletter":    {Frequencies: []string{"daily", "hourly", "daily"}, Description: Label{DE: strings.Repeat("ä", MaxDescriptionLength)}},
		"birthday":      {Description: Label{EN: strings.Repeat("x", MaxDescriptionLength+1), DE: "a\nb"}},
		"transactional": {Frequencies: []string{"daily"}},
		"no key":        {},
	}}
	var paths []string
	for _, p := range v.Check() {
		paths = append(paths, p.Field)
	}
	require.ElementsMatch(t, []string{
		"vocabulary.category_details.birthday.description.de",
		"vocabulary.category_details.birthday.description.en",
		"vocabulary.category_details.newsletter.frequencies[1]",
		"vocabulary.category_details.newsletter.frequencies[2]",
		"vocabulary.category_details.transactional.frequencies",
		"vocabulary.category_details.no key",
	}, paths)
	ok := Vocabulary{CategoryDetails: map[string]CategoryDetail{"newsletter": {Frequencies: []string{"daily"}}}}
	require.Empty(t, ok.Check())
}
