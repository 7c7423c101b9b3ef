package service

import (
	"context"
)

// RunDue does the time-driven work that is due at the service clock's
// now: today it expires the confirmations whose deadline passed. It is
// the one entry point for such work: the engine's periodic job calls it
// (see package jobs) and so does a simulation (Simulate), on a scratch
// store with its fake clock, so both decide alike. Work added later goes
// here too — closing due digests (CloseDueDigests) is called from here —
// and when its due time is not on a message, it also reports that time
// to the simulation's steps (see simSteps.add in simulate.go).
func (s *Service) RunDue(ctx context.Context) error {
	return s.ExpireConfirmations(ctx)
}
