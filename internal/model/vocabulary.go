package model

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Label is a display name in German and English; an empty language falls
// back to the other one, and both empty to the key itself.
type Label struct {
	DE string `json:"de,omitempty"`
	EN string `json:"en,omitempty"`
}

// Vocabulary gives a workspace's event types, roles and consent
// categories display names ("job.requested" → "Jobanfrage" / "Job
// request"), so that office staff read words instead of keys. Keys
// without a name are shown as they are.
type Vocabulary struct {
	EventTypes map[string]Label `json:"event_types,omitempty"`
	Roles      map[string]Label `json:"roles,omitempty"`
	Categories map[string]Label `json:"categories,omitempty"`
	// CategoryDetails describe categories for the preference page and
	// say which frequencies recipients may choose (see CategoryDetail).
	CategoryDetails map[string]CategoryDetail `json:"category_details,omitempty"`
}

// The kinds of names in a Vocabulary, as field names and in the cockpit.
const (
	VocabEventTypes = "event_types"
	VocabRoles      = "roles"
	VocabCategories = "categories"
)

// VocabularyKinds lists the kinds in the order they are shown.
var VocabularyKinds = []string{VocabEventTypes, VocabRoles, VocabCategories}

// Bounds of a vocabulary: a workspace names at most this many keys of
// each kind, each name at most MaxLabelLength characters.
const (
	MaxVocabularyEntries = 500
	MaxLabelLength       = 100
)

// Of returns the names of one kind (nil for an unknown kind).
func (v *Vocabulary) Of(kind string) map[string]Label {
	switch kind {
	case VocabEventTypes:
		return v.EventTypes
	case VocabRoles:
		return v.Roles
	case VocabCategories:
		return v.Categories
	}
	return nil
}

// Set replaces the names of one kind.
func (v *Vocabulary) Set(kind string, m map[string]Label) {
	if len(m) == 0 {
		m = nil
	}
	switch kind {
	case VocabEventTypes:
		v.EventTypes = m
	case VocabRoles:
		v.Roles = m
	case VocabCategories:
		v.Categories = m
	}
}

// Name returns the display name of key in lang ("de" or "en"), the
// other language's when that one is empty, and "" when the key has no
// name (the caller shows the key).
func (v *Vocabulary) Name(kind, key, lang string) string {
	l, ok := v.Of(kind)[key]
	if !ok {
		return ""
	}
	if lang == "de" {
		return firstNonEmpty(l.DE, l.EN)
	}
	return firstNonEmpty(l.EN, l.DE)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Check returns the problems of v, each with its path under
// "vocabulary" (vocabulary.roles.promoter.de).
func (v *Vocabulary) Check() []FieldProblem {
	var out []FieldProblem
	for _, kind := range VocabularyKinds {
		m := v.Of(kind)
		if len(m) > MaxVocabularyEntries {
			out = append(out, FieldProblem{"vocabulary." + kind, fmt.Sprintf("at most %d names", MaxVocabularyEntries)})
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			path := "vocabulary." + kind + "." + k
			if !ValidName(k) {
				out = append(out, FieldProblem{path, "is not a key (letters, digits, '_', '-', '.')"})
				continue
			}
			for lang, s := range map[string]string{"de": m[k].DE, "en": m[k].EN} {
				switch {
				case utf8.RuneCountInString(s) > MaxLabelLength:
					out = append(out, FieldProblem{path + "." + lang, fmt.Sprintf("at most %d characters", MaxLabelLength)})
				case strings.ContainsAny(s, "\r\n"):
					out = append(out, FieldProblem{path + "." + lang, "must not contain line breaks"})
				}
			}
		}
	}
	return append(out, v.checkCategoryDetails()...)
}
