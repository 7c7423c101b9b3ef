package sqlfile

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		want    map[string]string
		wantErr bool
	}{
		{
			name:  "two queries",
			files: map[string]string{"q/a.sql": "-- name: A\nSELECT 1;\n\n-- name: B\nSELECT\n  2;\n"},
			want:  map[string]string{"A": "SELECT 1;", "B": "SELECT\n  2;"},
		},
		{name: "duplicate across files", files: map[string]string{"q/a.sql": "-- name: A\nSELECT 1;", "q/b.sql": "-- name: A\nSELECT 2;"}, wantErr: true},
		{name: "empty body", files: map[string]string{"q/a.sql": "-- name: A\n\n-- name: B\nSELECT 1;"}, wantErr: true},
		{name: "nameless", files: map[string]string{"q/a.sql": "-- name:\nSELECT 1;"}, wantErr: true},
		{name: "non-sql ignored", files: map[string]string{"q/a.sql": "-- name: A\nSELECT 1;", "q/readme.txt": "-- name: A\nx"}, want: map[string]string{"A": "SELECT 1;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, s := range tt.files {
				fsys[p] = &fstest.MapFile{Data: []byte(s)}
			}
			got, err := Load(fsys, "q")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d queries %v, want %v", len(got), got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("query %s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
