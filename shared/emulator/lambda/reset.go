package lambda

import "time"

// Reclaim drops every idle execution environment and refills each function's scaling rate, as
// if the functions had gone unused for longer than Options.IdleTimeout: their next invocations
// start cold, as at the start of the emulator. Invocations in flight keep their environments
// (and return them to the pool when they end). It is the emulator's admin reset between two load
// runs, so that the second does not find the first one's warm environments; it returns how many
// environments it dropped.
func (s *Service) Reclaim() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, f := range s.functions {
		f.mu.Lock()
		n += len(f.idle)
		f.idle = nil
		f.scaleTokens, f.lastRefill = 0, time.Time{} // refill starts full again
		f.mu.Unlock()
	}
	return n
}
