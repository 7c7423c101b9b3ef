package render

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func TestInApp(t *testing.T) {
	opts := Options{Locale: "de", Location: time.UTC, Now: time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)}
	data := map[string]any{"data": map[string]any{"x": "javascript:alert(1)", "id": "7"}}
	tests := []struct {
		name    string
		in      model.TemplateContent
		want    *model.InAppContent
		wantErr string
	}{
		{name: "subject and text stand in", in: model.TemplateContent{Subject: "Job {{ .data.id }}", Text: "Body"},
			want: &model.InAppContent{Title: "Job 7", Body: "Body"}},
		{name: "in-app part", in: model.TemplateContent{Subject: "S", Text: "T", InApp: &model.InAppContent{
			Title: "Termin {{ .data.id }}", Body: "in 15 Minuten\nRaum 2", Link: "/tasks/{{ .data.id }}",
			Actions: []model.InAppAction{{Label: "Öffnen", URL: "https://crm.example/{{ .data.id }}"}}}},
			want: &model.InAppContent{Title: "Termin 7", Body: "in 15 Minuten\nRaum 2", Link: "/tasks/7",
				Actions: []model.InAppAction{{Label: "Öffnen", URL: "https://crm.example/7"}}}},
		{name: "a placeholder cannot make a javascript link", in: model.TemplateContent{Subject: "S", Text: "T",
			InApp: &model.InAppContent{Link: "{{ .data.x }}"}}, wantErr: "inapp.link"},
		{name: "protocol-relative link refused", in: model.TemplateContent{Subject: "S", Text: "T",
			InApp: &model.InAppContent{Link: "//evil.example/"}}, wantErr: "inapp.link"},
		{name: "long title cut", in: model.TemplateContent{Subject: strings.Repeat("ä", 300), Text: "T"},
			want: &model.InAppContent{Title: strings.Repeat("ä", MaxInAppTitle-1) + "…", Body: "T"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CompileInApp(tt.in)
			require.NoError(t, err)
			got, err := c.Render(context.Background(), data, opts)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCompileInAppProblems(t *testing.T) {
	_, err := CompileInApp(model.TemplateContent{Subject: "S", InApp: &model.InAppContent{Title: "{{ .nope }}",
		Actions: []model.InAppAction{{Label: "a"}, {Label: "b", URL: "/b"}, {Label: "c", URL: "/c"}, {Label: "d", URL: "/d"}}}})
	require.Error(t, err)
	var parts []string
	for _, p := range err.(*Error).Problems {
		parts = append(parts, p.Part)
	}
	require.Equal(t, []string{"inapp.title", "inapp.actions", "inapp.actions[0].url"}, parts)
}
