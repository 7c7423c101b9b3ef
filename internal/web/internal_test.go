package web

import (
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/model"
)

func modelContent(html string) model.TemplateContent {
	return model.TemplateContent{Subject: "s", HTML: html}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/flows", "/flows"},
		{"/messages?status=sent&project=a", "/messages?status=sent&project=a"},
		{"/events/x#why", "/events/x#why"},
		{"https://evil.example/", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"flows", "/"},
		{"/a\r\nLocation: x", "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	t.Parallel()
	for in, want := range map[int]int{0: 4, 3: 4, 5: 8, 9: 20, 21: 40, 81: 100, 100: 100, 101: 200, 950: 1000, 1001: 2000} {
		if got := niceCeil(in); got != want || got%4 != 0 {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestListLines(t *testing.T) {
	t.Parallel()
	entries, lines := splitLines("role:a\n\n  email:x \r\nrole:b\n")
	if len(entries) != 3 || entries[1] != "email:x" || lines[1] != 3 || lines[2] != 4 {
		t.Fatalf("splitLines: %q %v", entries, lines)
	}
	m := listLines(map[string][]int{"recipients": lines})
	if f, line, ok := m("recipients[1]"); !ok || f != "recipients" || line != "3" {
		t.Errorf("recipients[1] → %q %q %v", f, line, ok)
	}
	if _, _, ok := m("template"); ok {
		t.Error("template is not a list")
	}
}

func TestSampleData(t *testing.T) {
	t.Parallel()
	got := sampleData("de", modelContent("{{ .data.job }} am {{ .data.date | date_long }} für {{ .object.expires_on }} {{ .contact.name }}"))
	for _, want := range []string{`"job": "‹job›"`, `"date": "2026-04-15"`, `"expires_on": "2026-04-15"`, `"Anna Beispiel"`} {
		if !strings.Contains(got, want) {
			t.Errorf("sample data lacks %s:\n%s", want, got)
		}
	}
}
