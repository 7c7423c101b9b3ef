package model

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// CategoryDetail is what a workspace says about one consent category
// beyond its name, for the preference page: a description and the
// frequencies recipients may choose. It lives in the Vocabulary next to
// the category's name, so the list of categories is kept in one place.
type CategoryDetail struct {
	// Description is shown under the category on the preference page.
	Description Label `json:"description,omitempty"`
	// Frequencies are the frequencies recipients may choose besides
	// instantly (which is always allowed): daily, weekly. Empty: instantly
	// only, so the page offers no choice.
	Frequencies []string `json:"frequencies,omitempty"`
}

// MaxDescriptionLength bounds each language of a category's
// description, in characters.
const MaxDescriptionLength = 300

// AllowedFrequencies returns the frequencies recipients may choose for
// category, in the order pages show them: instantly always, then the ones
// the workspace allows. Transactional messages are always instant.
func (v *Vocabulary) AllowedFrequencies(category string) []string {
	out := []string{FrequencyInstantly}
	if category == CategoryTransactional {
		return out
	}
	allowed := v.CategoryDetails[category].Frequencies
	for _, f := range Frequencies[1:] {
		if slices.Contains(allowed, f) {
			out = append(out, f)
		}
	}
	return out
}

// AllowsFrequency reports whether recipients may choose f for category.
func (v *Vocabulary) AllowsFrequency(category, f string) bool {
	return slices.Contains(v.AllowedFrequencies(category), f)
}

// EffectiveFrequency is the frequency that counts for a recipient who
// chose chosen for category: chosen while the workspace allows it,
// instantly once the admin has disallowed it (the choice stays in the
// ledger and counts again when allowed again).
func (v *Vocabulary) EffectiveFrequency(category, chosen string) string {
	if v.AllowsFrequency(category, chosen) {
		return chosen
	}
	return FrequencyInstantly
}

// Description returns category's description in lang ("de" or "en"),
// the other language's when that one is empty, "" when it has none.
func (v *Vocabulary) Description(category, lang string) string {
	d := v.CategoryDetails[category].Description
	if lang == "de" {
		return firstNonEmpty(d.DE, d.EN)
	}
	return firstNonEmpty(d.EN, d.DE)
}

// checkCategoryDetails returns the problems of v's category details,
// each with its path (vocabulary.category_details.newsletter.frequencies[0]).
func (v *Vocabulary) checkCategoryDetails() []FieldProblem {
	const base = "vocabulary.category_details"
	if len(v.CategoryDetails) > MaxVocabularyEntries {
		return []FieldProblem{{base, fmt.Sprintf("at most %d categories", MaxVocabularyEntries)}}
	}
	var out []FieldProblem
	keys := make([]string, 0, len(v.CategoryDetails))
	for k := range v.CategoryDetails {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := base + "." + k
		if !ValidName(k) {
			out = append(out, FieldProblem{path, "is not a key (letters, digits, '_', '-', '.')"})
			continue
		}
		d := v.CategoryDetails[k]
		for _, l := range []struct{ lang, s string }{{"de", d.Description.DE}, {"en", d.Description.EN}} {
			switch {
			case utf8.RuneCountInString(l.s) > MaxDescriptionLength:
				out = append(out, FieldProblem{path + ".description." + l.lang, fmt.Sprintf("at most %d characters", MaxDescriptionLength)})
			case strings.ContainsAny(l.s, "\r\n"):
				out = append(out, FieldProblem{path + ".description." + l.lang, "must not contain line breaks"})
			}
		}
		if k == CategoryTransactional && len(d.Frequencies) > 0 {
			out = append(out, FieldProblem{path + ".frequencies", "transactional messages are always sent at once"})
			continue
		}
		if len(d.Frequencies) > len(Frequencies) {
			out = append(out, FieldProblem{path + ".frequencies", fmt.Sprintf("at most %d frequencies", len(Frequencies))})
			continue
		}
		for i, f := range d.Frequencies {
			fp := fmt.Sprintf("%s.frequencies[%d]", path, i)
			switch {
			case !slices.Contains(Frequencies, f):
				out = append(out, FieldProblem{fp, fmt.Sprintf("%q is not a frequency: give \"instantly\", \"daily\" or \"weekly\"", f)})
			case slices.Contains(d.Frequencies[:i], f):
				out = append(out, FieldProblem{fp, fmt.Sprintf("%q is given twice", f)})
			}
		}
	}
	return out
}
