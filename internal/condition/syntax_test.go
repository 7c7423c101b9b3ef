package condition

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadSyntaxError reads back the parser's messages for real
// conditions, so that a parser update that changes them fails here
// rather than in the cockpit.
func TestReadSyntaxError(t *testing.T) {
	t.Parallel()
	env := setup(t)
	for _, tc := range []struct {
		name, expr string
		kinds      []string // one per issue
		parts      map[string]string
	}{
		{"operand missing at the end", "object.status == 'open' &&", []string{"unexpected_end"}, nil},
		{"bracket missing at the end", "(object.status == 'open'", []string{"missing_at_end"}, map[string]string{"token": ")"}},
		{"unclosed string", `object.status == "open`, []string{"unclosed_string", "unexpected_end"}, map[string]string{"quote": `"`}},
		{"single equals", "object.status = 'open'", []string{"single_equals", "unexpected"}, nil},
		{"a character", "contact.name == 'x' §", []string{"bad_char"}, map[string]string{"token": "§"}},
		{"and as a word", "object.status == 'open' and x", []string{"word_operator"}, map[string]string{"token": "and"}},
		{"a bracket too many", "object.status == 'open' )", []string{"unexpected"}, map[string]string{"token": ")"}},
		{"a wrong closing bracket", "size([1,2)", []string{"unexpected"}, map[string]string{"token": ")"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := env.Compile(tc.expr)
			var cerr *CompileError
			require.True(t, errors.As(err, &cerr), "%v", err)
			require.Len(t, cerr.Issues, len(tc.kinds), cerr.Error())
			for i, is := range cerr.Issues {
				f, ok := ReadSyntaxError(is.Message)
				require.True(t, ok, "%q is read back", is.Message)
				require.Equal(t, tc.kinds[i], f.Kind, is.Message)
				if i == 0 {
					for name, want := range tc.parts {
						require.Equal(t, want, f.Parts[name], "%s of %q", name, is.Message)
					}
				}
			}
		})
	}
	_, ok := ReadSyntaxError("undeclared reference to 'contct' (did you mean 'contact'?)")
	require.False(t, ok, "not a syntax error")
}
