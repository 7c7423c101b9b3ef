package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// quietWindow is how long waitQuiet watches the machine at a time.
const quietWindow = 3 * time.Second

// waitQuiet waits until processes other than the harness use less than
// below percent of a core over quietWindow, or until maxWait has passed.
// Every figure is skewed by what else runs on the machine; this makes the
// workloads start in a quiet moment when there is one. It returns the last
// share seen and whether the machine was quiet.
func waitQuiet(ctx context.Context, below float64, maxWait time.Duration) (float64, bool, error) {
	deadline := time.Now().Add(maxWait)
	var told time.Time
	for {
		m, err := startMachineMeter()
		if err != nil {
			return 0, false, err
		}
		self, err := startMeter(os.Getpid())
		if err != nil {
			return 0, false, err
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(quietWindow):
		}
		u, err := self.read()
		if err != nil {
			return 0, false, err
		}
		o, err := m.others(u)
		if err != nil {
			return 0, false, err
		}
		if o.CPUPercent < below {
			return o.CPUPercent, true, nil
		}
		if time.Now().After(deadline) {
			return o.CPUPercent, false, nil
		}
		if time.Since(told) >= 30*time.Second {
			told = time.Now()
			fmt.Fprintf(os.Stderr, "bench: other processes use %.0f %% of a core; waiting up to %s more for a quieter moment\n",
				o.CPUPercent, time.Until(deadline).Round(time.Second))
		}
	}
}
