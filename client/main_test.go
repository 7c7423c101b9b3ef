package client_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/jobs"
)

// TestMain starts one Herold with the demo workspace for the examples,
// which read its address and key from HEROLD_URL and HEROLD_KEY as a host
// application would. (Tests start servers of their own.)
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herold-client-examples")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	opts := config.Options{Addr: "127.0.0.1:0", Database: filepath.Join(dir, "herold.db"), BootstrapKey: apptest.DefaultKey,
		LogLevel: "error", Demo: true}
	a, err := app.New(ctx, opts, app.Deps{Clock: clock.NewFake(apptest.Start2026), Logger: app.NewLogger(io.Discard, "text", "error"),
		Stdout: io.Discard, NoDelivery: true, Jobs: jobs.Config{ExpireEvery: time.Hour, PurgeEvery: 24 * time.Hour}})
	if err == nil {
		err = a.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "start herold for the examples:", err)
		return 1
	}
	defer func() { _ = a.Stop(ctx) }()
	os.Setenv("HEROLD_URL", a.URL())
	os.Setenv("HEROLD_KEY", a.Demo.Secret)
	return m.Run()
}
