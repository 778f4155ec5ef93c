package dynamodb

import "time"

// SetClock replaces the capacity model's clock, so that a test can hold time still. Call it
// before the service is used.
func SetClock(s *Service, now func() time.Time) { s.now = now }
