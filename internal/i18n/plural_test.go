package i18n

import "testing"

// TestTNPicksTheForm: one thing takes the ".one" message, none and many
// the ".other" one, with n filled in, in both languages.
func TestTNPicksTheForm(t *testing.T) {
	t.Parallel()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "with 1 recipient"},
		{"en", 2, "with 2 recipients"},
		{"en", 0, "with 0 recipients"},
		{"de", 1, "mit 1 Empfänger"},
		{"de", 12, "mit 12 Empfängern"},
	} {
		if got := c.TN(tc.lang, "explain.webhook.recipients", tc.n, nil); got != tc.want {
			t.Errorf("TN(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
