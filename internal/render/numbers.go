package render

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/currency"
	"golang.org/x/text/message"
)

// maxDecimals bounds the decimals of number.
const maxDecimals = 20

// maxNumberLen bounds numeric strings: exact decimal parsing of very long
// digit strings is quadratic.
const maxNumberLen = 100

var decimalRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// toRat converts a number (any int or float type, json.Number, a numeric
// string) to an exact rational. Floats are taken at their shortest decimal
// form, so 2.675 is 2.675 and rounds to 2.68. nil and "" give nil.
func toRat(v any) (*big.Rat, error) {
	if v == nil {
		return nil, nil
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return new(big.Rat).SetInt64(r.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return new(big.Rat).SetUint64(r.Uint()), nil
	case reflect.Float32:
		return floatRat(r.Float(), 32)
	case reflect.Float64:
		return floatRat(r.Float(), 64)
	case reflect.String:
		return parseDecimal(r.String())
	}
	return nil, fmt.Errorf("a value of type %T is not a number", v)
}

func floatRat(f float64, bits int) (*big.Rat, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%v is not a finite number", f)
	}
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, bits))
	return r, nil
}

func parseDecimal(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, nil
	case len(s) > maxNumberLen:
		return nil, fmt.Errorf("%q is too long for a number", shorten(s, 20))
	case !decimalRE.MatchString(s):
		return nil, fmt.Errorf("%q is not a number", shorten(s, 40))
	case strings.ContainsAny(s, "eE"):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is out of range", s)
		}
		return floatRat(f, 64)
	}
	r, _ := new(big.Rat).SetString(s)
	return r, nil
}

// toInt converts a whole number to int.
func toInt(v any) (int, error) {
	r, err := toRat(v)
	if err != nil {
		return 0, err
	}
	if r == nil {
		return 0, errors.New("no number given")
	}
	if !r.IsInt() || !r.Num().IsInt64() || r.Num().Int64() > math.MaxInt || r.Num().Int64() < math.MinInt {
		return 0, fmt.Errorf("%s is not a whole number in range", r.RatString())
	}
	return int(r.Num().Int64()), nil
}

// arith applies an integer operation to two values; a result out of range
// is an error, not a wrapped value.
func arith(a, b any, op func(x, y *big.Int) (*big.Int, error)) (int, error) {
	x, err := toInt(a)
	if err != nil {
		return 0, err
	}
	y, err := toInt(b)
	if err != nil {
		return 0, err
	}
	z, err := op(big.NewInt(int64(x)), big.NewInt(int64(y)))
	if err != nil {
		return 0, err
	}
	if !z.IsInt64() || z.Int64() > math.MaxInt || z.Int64() < math.MinInt {
		return 0, fmt.Errorf("result %s is out of range", z)
	}
	return int(z.Int64()), nil
}

var errDivZero = errors.New("division by zero")

func add(a, b any) (int, error) {
	return arith(a, b, func(x, y *big.Int) (*big.Int, error) { return x.Add(x, y), nil })
}

func sub(a, b any) (int, error) {
	return arith(a, b, func(x, y *big.Int) (*big.Int, error) { return x.Sub(x, y), nil })
}

func mul(a, b any) (int, error) {
	return arith(a, b, func(x, y *big.Int) (*big.Int, error) { return x.Mul(x, y), nil })
}

// div divides and truncates toward zero, like Go.
func div(a, b any) (int, error) {
	return arith(a, b, func(x, y *big.Int) (*big.Int, error) {
		if y.Sign() == 0 {
			return nil, errDivZero
		}
		return x.Quo(x, y), nil
	})
}

// mod is the remainder of div, with the sign of a, like Go's %.
func mod(a, b any) (int, error) {
	return arith(a, b, func(x, y *big.Int) (*big.Int, error) {
		if y.Sign() == 0 {
			return nil, errDivZero
		}
		return x.Rem(x, y), nil
	})
}

// number formats v with the given decimals in the recipient's locale:
// 1234.5 → "1.234,50" (de), "1,234.50" (en). Halves round away from zero.
func (s *state) number(decimals, v any) (string, error) {
	d, err := toInt(decimals)
	if err != nil {
		return "", err
	}
	if d < 0 || d > maxDecimals {
		return "", fmt.Errorf("decimals must be between 0 and %d, not %d", maxDecimals, d)
	}
	r, err := toRat(v)
	if err != nil || r == nil {
		return "", err
	}
	return s.out(formatRat(r, d, s.locale.symbols()))
}

// formatRat rounds r to d decimals and groups the integer digits.
func formatRat(r *big.Rat, d int, sym numberSymbols) string {
	str := r.FloatString(d)
	neg := strings.HasPrefix(str, "-")
	str = strings.TrimPrefix(str, "-")
	intPart, frac, _ := strings.Cut(str, ".")
	var b strings.Builder
	if neg && strings.Trim(str, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sym.group)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(sym.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// currency formats v as an amount of the ISO 4217 currency code, with the
// currency's usual decimals and the locale's symbol and order:
// "1.234,50 €" (de), "€1,234.50" (en).
func (s *state) currency(code, v any) (string, error) {
	unit, err := currency.ParseISO(toString(code))
	if err != nil {
		return "", fmt.Errorf("unknown currency code %q", shorten(toString(code), 10))
	}
	r, err := toRat(v)
	if err != nil || r == nil {
		return "", err
	}
	scale, _ := currency.Standard.Rounding(unit)
	amount := formatRat(r, scale, s.locale.symbols())
	sign := ""
	if rest, ok := strings.CutPrefix(amount, "-"); ok {
		sign, amount = "-", rest
	}
	sym := message.NewPrinter(s.locale.tag).Sprint(currency.Symbol(unit))
	if s.locale.symbolAfter() {
		return s.out(sign + amount + " " + sym)
	}
	if last := []rune(sym); s.locale.symbolSpace() || (len(last) > 0 && unicode.IsLetter(last[len(last)-1])) {
		return s.out(sign + sym + " " + amount)
	}
	return s.out(sign + sym + amount)
}
