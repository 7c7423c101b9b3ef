package i18n

import "testing"

func TestNum(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0"}, {"en", 999, "999"}, {"en", 1000, "1,000"}, {"en", 1204, "1,204"},
		{"de", 1204, "1.204"}, {"de-AT", 1234567, "1.234.567"}, {"en", -1204, "-1,204"}, {"fr", 12345, "12,345"},
	} {
		if got := Num(tc.lang, tc.n); got != tc.want {
			t.Errorf("Num(%q, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
