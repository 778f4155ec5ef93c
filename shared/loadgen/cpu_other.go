//go:build !unix

package loadgen

import "time"

// processCPU cannot read the process's CPU time here: results carry no cpu block.
func processCPU() (user, sys time.Duration, ok bool) { return 0, 0, false }
