package loadgen

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
)

//go:embed profiles/*.json
var profileFiles embed.FS

// Profile is a named load shape: how many orders per second arrive over time, how patient the
// customers are and what they order. The shipped profiles live in profiles/*.json.
type Profile struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	DurationS   float64 `json:"duration_s"`
	// Rate is a piecewise-linear curve of orders per second over time, written as [t_s, rps]
	// points. It starts at t = 0 and holds its last value until DurationS.
	Rate []Point `json:"rate"`
	// PatienceS is how long a customer waits for a confirmation before giving up.
	PatienceS float64 `json:"patience_s"`
	// GraceS is how long an accepted order may take, from its send time, to reach a terminal
	// status before it counts as lost.
	GraceS float64 `json:"grace_s"`
	Mix    Mix     `json:"mix"`
}

// Point is one corner of a rate curve: at T seconds, RPS orders per second. In JSON it is the
// pair [t_s, rps].
type Point struct {
	T   float64
	RPS float64
}

// MarshalJSON writes p as [t_s, rps].
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]float64{p.T, p.RPS})
}

// UnmarshalJSON reads p from [t_s, rps].
func (p *Point) UnmarshalJSON(b []byte) error {
	var pair []float64
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("rate point must be [t_s, rps], got %s", b)
	}
	p.T, p.RPS = pair[0], pair[1]
	return nil
}

// Mix says what the customers order. Every choice is drawn from the run's seeded random source,
// so the same seed gives the same orders.
type Mix struct {
	// ItemsPerOrder is the distribution of distinct menu items in one order.
	ItemsPerOrder []Weighted `json:"items_per_order"`
	// Quantity is the distribution of the quantity of each item.
	Quantity []Weighted `json:"quantity"`
	// PickupMinutes is the range [min, max] of minutes between sending an order and picking
	// it up.
	PickupMinutes [2]int `json:"pickup_minutes"`
	// PopularStores and PopularItems make hot keys: that share of orders (of order lines for
	// items) goes to one of the listed IDs; the rest is spread over all stores (items).
	PopularStores Popular `json:"popular_stores"`
	PopularItems  Popular `json:"popular_items"`
}

// Weighted is one value of a discrete distribution with its relative weight.
type Weighted struct {
	Value  int     `json:"value"`
	Weight float64 `json:"weight"`
}

// Popular is a set of hot IDs and the share of choices that goes to them.
type Popular struct {
	IDs   []string `json:"ids"`
	Share float64  `json:"share"`
}

// maxPickupMinutes is how far ahead the bakery takes orders: 30 days.
const maxPickupMinutes = 30 * 24 * 60

// Profiles returns the names of the shipped profiles, sorted.
func Profiles() []string {
	entries, err := profileFiles.ReadDir("profiles")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	return names
}

// LoadProfile returns the shipped profile called name.
func LoadProfile(name string) (Profile, error) {
	if !slices.Contains(Profiles(), name) {
		return Profile{}, fmt.Errorf("unknown load profile %q: valid profiles are %s",
			name, strings.Join(Profiles(), ", "))
	}
	data, err := profileFiles.ReadFile(path.Join("profiles", name+".json"))
	if err != nil {
		return Profile{}, fmt.Errorf("load profile %s: %w", name, err)
	}
	p, err := ParseProfile(data)
	if err != nil {
		return Profile{}, fmt.Errorf("load profile %s: %w", name, err)
	}
	if p.Name != name {
		return Profile{}, fmt.Errorf("load profile %s: file names itself %q", name, p.Name)
	}
	return p, nil
}

// ParseProfile decodes a profile from JSON, rejecting unknown fields, and validates it.
func ParseProfile(data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("parse profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Validate reports the first thing wrong with p, if any.
func (p Profile) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

	if p.Name == "" {
		bad("name is empty")
	}
	if !finite(p.DurationS) || p.DurationS <= 0 {
		bad("duration_s must be > 0, got %v", p.DurationS)
	}
	if len(p.Rate) == 0 {
		bad("rate needs at least one [t_s, rps] point")
	}
	for i, pt := range p.Rate {
		switch {
		case !finite(pt.T) || !finite(pt.RPS):
			bad("rate point %d [%v, %v] is not a finite number", i, pt.T, pt.RPS)
		case i == 0 && pt.T != 0:
			bad("rate must start at t_s 0, got %v", pt.T)
		case i > 0 && pt.T <= p.Rate[i-1].T:
			bad("rate point %d: t_s %v must be after %v", i, pt.T, p.Rate[i-1].T)
		case pt.RPS < 0:
			bad("rate point %d: rps must be >= 0, got %v", i, pt.RPS)
		case pt.T > p.DurationS:
			bad("rate point %d: t_s %v is past duration_s %v", i, pt.T, p.DurationS)
		}
	}
	if len(errs) == 0 && p.Expected() < 1 {
		bad("rate curve offers %.2f orders in %v s: need at least 1", p.Expected(), p.DurationS)
	}
	if !finite(p.PatienceS) || p.PatienceS <= 0 {
		bad("patience_s must be > 0, got %v", p.PatienceS)
	}
	if !finite(p.GraceS) || p.GraceS < 0 {
		bad("grace_s must be >= 0, got %v", p.GraceS)
	}
	errs = append(errs, p.Mix.validate()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return nil
}

func (m Mix) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	dist := func(name string, d []Weighted, lo, hi int) {
		if len(d) == 0 {
			bad("mix.%s is empty", name)
		}
		total := 0.0
		for _, w := range d {
			if w.Value < lo || w.Value > hi {
				bad("mix.%s value must be %d–%d, got %d", name, lo, hi, w.Value)
			}
			if math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) || w.Weight < 0 {
				bad("mix.%s weight of %d must be >= 0, got %v", name, w.Value, w.Weight)
			}
			total += w.Weight
		}
		if len(d) > 0 && !(total > 0) {
			bad("mix.%s weights add up to %v: need > 0", name, total)
		}
	}
	dist("items_per_order", m.ItemsPerOrder, 1, 20)
	dist("quantity", m.Quantity, 1, 50)
	if lo, hi := m.PickupMinutes[0], m.PickupMinutes[1]; lo < 1 || hi < lo || hi > maxPickupMinutes {
		bad("mix.pickup_minutes must be [min, max] with 1 <= min <= max <= %d, got [%d, %d]", maxPickupMinutes, lo, hi)
	}
	for name, pop := range map[string]Popular{"popular_stores": m.PopularStores, "popular_items": m.PopularItems} {
		if math.IsNaN(pop.Share) || pop.Share < 0 || pop.Share > 1 {
			bad("mix.%s.share must be 0–1, got %v", name, pop.Share)
		}
		if pop.Share > 0 && len(pop.IDs) == 0 {
			bad("mix.%s.share is %v but ids is empty", name, pop.Share)
		}
	}
	return errs
}

// RateAt returns the curve's orders per second at t seconds from the start.
func (p Profile) RateAt(t float64) float64 {
	if len(p.Rate) == 0 || t < 0 || t > p.DurationS {
		return 0
	}
	for i := 1; i < len(p.Rate); i++ {
		a, b := p.Rate[i-1], p.Rate[i]
		if t <= b.T {
			return a.RPS + (b.RPS-a.RPS)*(t-a.T)/(b.T-a.T)
		}
	}
	return p.Rate[len(p.Rate)-1].RPS
}

// Expected is the number of orders the curve offers over the whole profile: its integral.
func (p Profile) Expected() float64 { return p.ExpectedUntil(p.DurationS) }

// ExpectedUntil is the number of orders the curve offers in its first t seconds.
func (p Profile) ExpectedUntil(t float64) float64 {
	t = min(t, p.DurationS)
	total := 0.0
	for _, s := range p.segments() {
		if t <= s.t0 {
			break
		}
		dt := min(t, s.t1) - s.t0
		total += s.r0*dt + s.slope*dt*dt/2
	}
	return total
}

// Scaled returns a copy of p with every rate multiplied by f.
func (p Profile) Scaled(f float64) Profile {
	p.Rate = slices.Clone(p.Rate)
	for i := range p.Rate {
		p.Rate[i].RPS *= f
	}
	return p
}

// segment is one linear piece of the curve: r(t) = r0 + slope·(t − t0) for t0 <= t < t1.
type segment struct {
	t0, t1, r0, slope float64
}

func (p Profile) segments() []segment {
	var segs []segment
	for i, a := range p.Rate {
		if a.T >= p.DurationS {
			break
		}
		s := segment{t0: a.T, t1: p.DurationS, r0: a.RPS}
		if i+1 < len(p.Rate) {
			b := p.Rate[i+1]
			s.t1 = b.T
			s.slope = (b.RPS - a.RPS) / (b.T - a.T)
		}
		segs = append(segs, s)
	}
	return segs
}
