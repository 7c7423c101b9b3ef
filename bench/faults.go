package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"time"
)

// faults are the sink's injected failures, each a fraction of DATA
// commands, decided at random (seeded, so a run can be repeated). They are
// off by default; the fault-tolerance workloads turn them on.
type faults struct {
	// Temp451 answers "451 4.3.0" (try again later).
	Temp451 float64 `json:"temp_451,omitempty"`
	// Close421 answers "421 4.3.2" and closes the connection.
	Close421 float64 `json:"close_421,omitempty"`
	// Perm550 answers "550 5.1.1" (recipient unknown: fail for good).
	Perm550 float64 `json:"perm_550,omitempty"`
	// Drop hangs up in the middle of DATA without a reply.
	Drop float64 `json:"drop,omitempty"`
	// Stall delays the reply to DATA by StallFor.
	Stall    float64       `json:"stall,omitempty"`
	StallFor time.Duration `json:"stall_for,omitempty"`
	// Seed seeds the random choices.
	Seed uint64 `json:"seed,omitempty"`
}

// fault is the fate of one DATA command.
type fault int

const (
	faultNone fault = iota
	fault451
	fault421
	fault550
	faultDrop
)

func (f *faults) register(fs *flag.FlagSet) {
	fs.Float64Var(&f.Temp451, "sink-451", 0, "sink: fraction of messages answered 451 (temporary failure)")
	fs.Float64Var(&f.Close421, "sink-421", 0, "sink: fraction of messages answered 421, closing the connection")
	fs.Float64Var(&f.Perm550, "sink-550", 0, "sink: fraction of messages answered 550 (permanent failure)")
	fs.Float64Var(&f.Drop, "sink-drop", 0, "sink: fraction of connections dropped in the middle of DATA")
	fs.Float64Var(&f.Stall, "sink-stall", 0, "sink: fraction of messages whose reply stalls for -sink-stall-for")
	fs.DurationVar(&f.StallFor, "sink-stall-for", 10*time.Second, "sink: length of a stall")
	fs.Uint64Var(&f.Seed, "sink-seed", 1, "sink: seed of the fault choices")
}

func (f *faults) validate() error {
	for _, v := range []struct {
		name string
		x    float64
	}{{"-sink-451", f.Temp451}, {"-sink-421", f.Close421}, {"-sink-550", f.Perm550}, {"-sink-drop", f.Drop}, {"-sink-stall", f.Stall}} {
		if v.x < 0 || v.x > 1 {
			return fmt.Errorf("%s %g: give a fraction from 0 to 1", v.name, v.x)
		}
	}
	if sum := f.Temp451 + f.Close421 + f.Perm550 + f.Drop; sum > 1 {
		return fmt.Errorf("-sink-451, -sink-421, -sink-550 and -sink-drop add up to %g, more than 1", sum)
	}
	if f.Stall > 0 && f.StallFor <= 0 {
		return fmt.Errorf("-sink-stall-for must be positive")
	}
	return nil
}

// enabled reports whether some fault is switched on.
func (f *faults) enabled() bool {
	return f.Temp451+f.Close421+f.Perm550+f.Drop+f.Stall > 0
}

// decide draws the fate of one DATA command and whether its reply stalls.
// The caller serialises access to rng.
func (f *faults) decide(rng *rand.Rand) (fault, bool) {
	if !f.enabled() {
		return faultNone, false
	}
	r := rng.Float64()
	stall := f.Stall > 0 && rng.Float64() < f.Stall
	for _, c := range []struct {
		p float64
		f fault
	}{{f.Drop, faultDrop}, {f.Temp451, fault451}, {f.Close421, fault421}, {f.Perm550, fault550}} {
		if r < c.p {
			return c.f, stall
		}
		r -= c.p
	}
	return faultNone, stall
}
