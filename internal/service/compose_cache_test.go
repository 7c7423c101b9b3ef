package service

import "testing"

// TestListNamespaceRemembersTheLastBaseURL answers a base URL asked for
// again without parsing it, and still answers each of two alternating
// ones correctly.
func TestListNamespaceRemembersTheLastBaseURL(t *testing.T) { // not parallel: it counts allocations
	const a, b = "https://herold.example.org/", "http://127.0.0.1:8080"
	for range 3 {
		if got := listNamespace(a); got != "herold.example.org" {
			t.Fatalf("listNamespace(%q) = %q", a, got)
		}
		if got := listNamespace(b); got != "localhost" {
			t.Fatalf("listNamespace(%q) = %q", b, got)
		}
	}
	listNamespace(a)
	if n := testing.AllocsPerRun(20, func() { listNamespace(a) }); n != 0 {
		t.Errorf("the same base URL again costs %v allocations, want 0", n)
	}
}
