//go:build race

package lambda_test

// raceEnabled: the race detector instruments every memory access, which changes the CPU time a
// handler uses and where it is spent, so tests that compare measured CPU skip under it.
const raceEnabled = true
