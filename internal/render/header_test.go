package render

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// A sender template renders exactly, line breaks included, so that the
// caller refuses them instead of sending a repaired header; mistakes are
// located at compile time.
func TestHeaderTemplates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		value     any
		want      string
		wantErr   string // a compile problem, as Problem.String
	}{
		{"placeholder in the local part", "Tickets <tickets+{{ .object.id }}@example.org>", "42",
			"Tickets <tickets+42@example.org>", ""},
		{"line break kept as rendered", "x{{ .data.v }}@example.org", "\r\nBcc: victim@evil.example",
			"x\r\nBcc: victim@evil.example@example.org", ""},
		{"unknown root", "tickets+{{ .objekt.id }}@example.org", nil, "", "from:1:12: "},
		{"syntax", "tickets+{{ .object.id @example.org", nil, "", "from:1"},
		{"literal line break", "a@example.org\nBcc: b@example.org", nil, "", "from:1:14: must be a single line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := CompileHeader("from", tt.src)
			if tt.wantErr != "" {
				var rerr *Error
				require.True(t, errors.As(err, &rerr), "%v", err)
				require.Contains(t, rerr.Problems[0].String(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			data := testData(map[string]any{"v": tt.value})
			data["object"] = map[string]any{"id": tt.value}
			got, err := c.RenderHeader(context.Background(), data, Options{Now: testNow})
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	// A message template is not a header template.
	_, err := mustCompile(t, model.TemplateContent{Subject: "s", Text: "t"}).RenderHeader(context.Background(), testData(nil), Options{Now: testNow})
	require.Error(t, err)
}
