package model

import (
	"sort"
	"strings"
)

// Content picks the template content for a recipient: the recipient's locale
// (exact, then its base language: "de-AT" → "de"), then the workspace
// default, then the first defined locale in alphabetical order. ok is false
// only when the template has no content at all.
func (t *Template) Content(locale, defaultLocale string) (chosen string, c TemplateContent, ok bool) {
	for _, want := range []string{locale, defaultLocale} {
		if l, found := matchLocale(t.Locales, want); found {
			return l, t.Locales[l], true
		}
	}
	keys := make([]string, 0, len(t.Locales))
	for k := range t.Locales {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "", TemplateContent{}, false
	}
	sort.Strings(keys)
	return keys[0], t.Locales[keys[0]], true
}

func matchLocale(have map[string]TemplateContent, want string) (string, bool) {
	if want == "" {
		return "", false
	}
	want = strings.ReplaceAll(want, "_", "-")
	for k := range have {
		if strings.EqualFold(k, want) {
			return k, true
		}
	}
	base, _, _ := strings.Cut(want, "-")
	for k := range have {
		if strings.EqualFold(k, base) {
			return k, true
		}
	}
	return "", false
}
