package service

import (
	"context"
)

// RunDue does the time-driven work that is due at the service clock's
// now: it expires the confirmations whose deadline passed and closes the
// digests whose window ended. It is the one entry point for such work:
// the engine's periodic job calls it (see package jobs; the digest job
// closes digests more often, with the same CloseDueDigests) and so does
// a simulation (Simulate), on a scratch store with its fake clock, so
// both decide alike. Work whose due time is not on a message also
// reports that time to the simulation's steps (simSteps in simulate.go).
func (s *Service) RunDue(ctx context.Context) error {
	if err := s.ExpireConfirmations(ctx); err != nil {
		return err
	}
	_, err := s.CloseDueDigests(ctx, s.now())
	return err
}
