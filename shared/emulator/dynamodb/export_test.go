package dynamodb

import "time"

// SetClock replaces the capacity model's clock, so that a test can hold time still. Call it
// before the service is used.
func SetClock(s *Service, now func() time.Time) { s.now = now }

// SetReplicationLag fixes the replication lag of writes to s's global tables, so that a test
// knows when a write reaches the other replicas. Call it before the service is used.
func SetReplicationLag(s *Service, d time.Duration) {
	s.replicationLag = func() time.Duration { return d }
}

// SetTableTransition sets how long tables created or updated through the API stay CREATING or
// UPDATING. Call it before the service is used.
func SetTableTransition(s *Service, d time.Duration) { s.transitionFor = &d }
