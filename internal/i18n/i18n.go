// Package i18n holds Herold's German and English strings (explain sentences,
// later the cockpit) and picks a language from Accept-Language. The strings
// live in locales/en.json and locales/de.json; a test keeps them complete.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// Languages are the supported languages; the first is the fallback.
var Languages = []string{"en", "de"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.German})

// Catalog translates message ids.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	// plain keeps the messages looked up without data, by language and
	// id: they never change once loaded, and some (the preference
	// footer) are looked up for every message sent.
	plain sync.Map // plainKey → string
}

// plainKey names a message looked up without data.
type plainKey struct{ lang, id string }

// New loads the embedded catalogs.
func New() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*goi18n.Localizer{}}
	for _, lang := range Languages {
		name := "locales/" + lang + ".json"
		buf, err := localeFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(buf, lang+".json"); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		c.localizers[lang] = goi18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// Must is New for package initialisation in tests and main wiring; the
// catalogs are embedded, so failure is a build defect.
func Must() *Catalog {
	c, err := New()
	if err != nil {
		panic(err)
	}
	return c
}

// T returns the message id in lang filled with data. A missing message
// yields the id itself, so a gap is visible rather than silent.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	lang = Normalize(lang)
	if data == nil {
		if s, ok := c.plain.Load(plainKey{lang, id}); ok {
			return s.(string)
		}
	}
	s, err := c.localizers[lang].Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	if data == nil {
		// Only messages that exist: the ids are Herold's own, so this
		// holds at most every message of the catalog once per language.
		c.plain.Store(plainKey{lang, id}, s)
	}
	return s
}

// TN is T for a sentence that counts n things: the message id+".one"
// when n is 1, else id+".other" (German and English have these two
// forms; the catalogs hold plain strings, so each form is a message of
// its own), with n in data as "n".
func (c *Catalog) TN(lang, id string, n int, data map[string]any) string {
	d := make(map[string]any, len(data)+1)
	maps.Copy(d, data)
	d["n"] = n
	form := ".other"
	if n == 1 {
		form = ".one"
	}
	return c.T(lang, id+form, d)
}

// Has reports whether id exists in lang.
func (c *Catalog) Has(lang, id string) bool {
	_, err := c.localizers[Normalize(lang)].Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// Normalize maps a language tag to a supported language ("de-AT" → "de";
// anything unknown → "en").
func Normalize(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	for _, l := range Languages {
		if base == l {
			return l
		}
	}
	return Languages[0]
}

// Num formats a whole number with the thousands separator of lang
// ("1.204" in German, "1,204" in English).
func Num(lang string, n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if Normalize(lang) == "de" {
		sep = "."
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Negotiate picks the supported language an Accept-Language header prefers.
func Negotiate(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Languages[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}
