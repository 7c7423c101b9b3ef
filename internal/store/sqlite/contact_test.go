package sqlite

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/store"
)

// A JSON path cannot quote a double quote: such a name is refused, not
// read as another path.
func TestContactScanRefusesUnquotableNames(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	_, err := s.ContactScan(context.Background(), &store.ContactScanParams{
		ListParams: store.ListParams{WorkspaceID: 1, Limit: 10},
		Skip:       &store.DateSkip{Field: `a"."b`, MonthDays: []string{"03-14"}}})
	require.ErrorContains(t, err, "cannot name attribute")
}
