// Command herold is the Herold notification engine: server, migrations,
// keys, and the tools an operator needs. See `herold --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/herold-dev/herold/internal/cli"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
}
