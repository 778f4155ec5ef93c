package loadgen

import "math"

// pacer computes intended send times from the integral of a rate curve, like vegeta's pacers:
// arrival k (from 0) is due when the curve has offered k + ½ orders. Arrivals are thus spread
// evenly under the curve, and a run of the whole profile sends Expected() orders rounded to a
// whole number.
// The times do not depend on when earlier requests finished: that is the open model.
type pacer struct {
	segs []segment
	end  float64 // the profile's duration
	i    int     // current segment
	base float64 // orders offered before segs[i]
	k    int     // next arrival
}

func newPacer(p Profile) *pacer { return &pacer{segs: p.segments(), end: p.DurationS} }

// next returns the intended send time, in seconds from the start, of the next arrival, and
// false once the curve has no more arrivals before its end.
func (pc *pacer) next() (float64, bool) {
	target := float64(pc.k) + 0.5
	for ; pc.i < len(pc.segs); pc.i++ {
		s := pc.segs[pc.i]
		dt := s.t1 - s.t0
		area := s.r0*dt + s.slope*dt*dt/2
		if pc.base+area >= target {
			x := target - pc.base
			// Solve r0·d + slope·d²/2 = x for d. This form stays exact when slope is 0 and
			// when r0 is 0.
			d := 2 * x / (s.r0 + math.Sqrt(max(0, s.r0*s.r0+2*s.slope*x)))
			t := s.t0 + min(d, dt)
			if t >= pc.end {
				return 0, false
			}
			pc.k++
			return t, true
		}
		pc.base += area
	}
	return 0, false
}
