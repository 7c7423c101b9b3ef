package render

import (
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// localeInfo is what the formatting functions need to know about the
// recipient's locale.
type localeInfo struct {
	tag    language.Tag
	lang   string // base language, e.g. "de"
	region string // explicit region, e.g. "AT"; "" when none was given
	syms   *numberSymbols
}

// newLocaleInfo parses a locale such as "de", "de-AT" or "en_GB". An empty
// or unparsable locale means English.
func newLocaleInfo(locale string) *localeInfo {
	tag, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	if err != nil || tag == language.Und {
		tag = language.English
	}
	base, _, region := tag.Raw()
	l := &localeInfo{tag: tag, lang: base.String()}
	if region.String() != "ZZ" {
		l.region = region.String()
	}
	return l
}

// numberSymbols are a locale's decimal and grouping separators.
type numberSymbols struct {
	decimal, group string
}

var englishSymbols = numberSymbols{decimal: ".", group: ","}

// symbols returns the locale's separators from CLDR (via x/text), by
// formatting a probe number and reading the separators off it. Digits stay
// ASCII in every locale.
func (l *localeInfo) symbols() numberSymbols {
	if l.syms != nil {
		return *l.syms
	}
	probe := message.NewPrinter(l.tag).Sprint(number.Decimal(1234567.5, number.Scale(1)))
	seps := strings.FieldsFunc(probe, unicode.IsDigit)
	sym := englishSymbols
	if len(seps) == 3 && seps[0] == seps[1] && seps[0] != seps[2] {
		sym = numberSymbols{decimal: seps[2], group: seps[0]}
	}
	l.syms = &sym
	return sym
}

// Languages that write the currency symbol after the amount ("1.234,50 €").
var symbolAfterLangs = map[string]bool{
	"de": true, "fr": true, "es": true, "it": true, "pl": true, "cs": true,
	"sk": true, "sv": true, "da": true, "nb": true, "nn": true, "no": true,
	"fi": true, "ru": true, "uk": true, "hu": true, "ro": true, "hr": true,
	"sl": true, "sr": true, "bg": true, "el": true, "lt": true, "lv": true,
	"et": true, "is": true, "ca": true,
}

// symbolAfter reports whether the currency symbol follows the amount.
// Swiss and Liechtenstein German put it first ("CHF 1’234.50"), as do
// Brazilian and generic Portuguese.
func (l *localeInfo) symbolAfter() bool {
	if l.lang == "de" && (l.region == "CH" || l.region == "LI") {
		return false
	}
	if l.lang == "pt" {
		return l.region == "PT"
	}
	return symbolAfterLangs[l.lang]
}

// symbolSpace reports whether a leading symbol is separated by a space
// ("€ 1.234,50" in Dutch, "CHF 1’234.50" in Swiss German).
func (l *localeInfo) symbolSpace() bool {
	return l.lang == "nl" || l.lang == "de" || l.lang == "pt"
}

// dateStyle holds a locale's formats for date_short, date_long and time.
type dateStyle struct {
	short, long, clock styleLayout
}

// styleLayout is one format of a dateStyle: its Go layout, and the same
// format as a plan for appendPlan, which formats it without time.Format.
type styleLayout struct {
	layout, plan string
}

// planCodes turns the elements of Go layouts that the date styles use
// into appendPlan's codes; longer elements come first, so "2006" is a year
// and not a day followed by "006".
var planCodes = strings.NewReplacer("2006", "Y", "January", "M", "01", "m", "02", "d", "04", "i",
	"15", "H", "PM", "P", "2", "j", "3", "h")

// layoutOf is the styleLayout of a Go layout, its plan derived from it.
func layoutOf(layout string) styleLayout {
	return styleLayout{layout: layout, plan: planCodes.Replace(layout)}
}

// US-style month-first dates are used in these regions of English.
var monthFirstRegions = map[string]bool{
	"": true, "US": true, "PH": true, "PR": true, "GU": true, "AS": true,
	"VI": true, "UM": true, "MP": true,
}

var (
	germanStyle = dateStyle{
		short: layoutOf("02.01.2006"),
		long:  layoutOf("2. January 2006"),
		clock: layoutOf("15:04"),
	}
	usStyle = dateStyle{
		short: layoutOf("01/02/2006"),
		long:  layoutOf("January 2, 2006"),
		clock: layoutOf("3:04 PM"),
	}
	dayFirstStyle = dateStyle{
		short: layoutOf("02/01/2006"),
		long:  layoutOf("2 January 2006"),
		clock: layoutOf("15:04"),
	}
)

// style returns the date formats: German, US English, or day-first English
// (en-GB and every other locale).
func (l *localeInfo) style() *dateStyle {
	switch {
	case l.lang == "de":
		return &germanStyle
	case l.lang == "en" && monthFirstRegions[l.region]:
		return &usStyle
	}
	return &dayFirstStyle
}

// nameSet holds month and weekday names, long and short, indexed by
// time.Month-1 and time.Weekday.
type nameSet struct {
	months, shortMonths, days, shortDays []string
}

var germanNames = &nameSet{
	months: []string{"Januar", "Februar", "März", "April", "Mai", "Juni",
		"Juli", "August", "September", "Oktober", "November", "Dezember"},
	shortMonths: []string{"Jan", "Feb", "Mär", "Apr", "Mai", "Jun",
		"Jul", "Aug", "Sep", "Okt", "Nov", "Dez"},
	days:      []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
	shortDays: []string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"},
}

// Austrian German says "Jänner" for January.
var austrianNames = func() *nameSet {
	n := *germanNames
	n.months = append([]string{"Jänner"}, germanNames.months[1:]...)
	n.shortMonths = append([]string{"Jän"}, germanNames.shortMonths[1:]...)
	return &n
}()

// names returns localized names, or nil for English (Go's own names).
func (l *localeInfo) names() *nameSet {
	switch {
	case l.lang == "de" && l.region == "AT":
		return austrianNames
	case l.lang == "de":
		return germanNames
	}
	return nil
}
