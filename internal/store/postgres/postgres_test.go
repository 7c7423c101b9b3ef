package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/storetest"
)

func newTestStore(t *testing.T) store.Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t), Options{MaxConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Exercise(t, newTestStore)
}

// TestMigrateConcurrently: replicas starting together migrate once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), url, Options{MaxConns: 2})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
}
