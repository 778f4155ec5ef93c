package latency

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

//go:embed model.json
var defaultModel []byte

// z99 is the standard normal quantile of 0.99: p99 = median * exp(z99 * sigma).
const z99 = 2.3263478740408408

// Tag says where a figure comes from.
type Tag string

// The tags of model.json.
const (
	TagAWS         Tag = "AWS"
	TagIndependent Tag = "independent"
	TagEstimate    Tag = "estimate"
)

// Component is one entry of the model file.
type Component struct {
	ID       string  `json:"id"`
	What     string  `json:"what"`
	MedianMS float64 `json:"median_ms"`
	P99MS    float64 `json:"p99_ms"`
	Tail     *Tail   `json:"tail,omitempty"`
	Tag      Tag     `json:"tag"`
	Source   string  `json:"source"`

	mu, sigma float64
	stream    *stream
}

// stream is one component's own source of random numbers (see streamOf).
type stream struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

// Tail is a rare extra delay, drawn uniformly between MinMS and MaxMS with the given probability.
type Tail struct {
	Probability float64 `json:"probability"`
	MinMS       float64 `json:"min_ms"`
	MaxMS       float64 `json:"max_ms"`
	Tag         Tag     `json:"tag"`
	Source      string  `json:"source"`
}

// File is the model file's shape.
type File struct {
	Name       string      `json:"name"`
	Version    string      `json:"version"`
	Note       string      `json:"note"`
	Components []Component `json:"components"`
}

// Model samples component latencies. It is safe for concurrent use.
type Model struct {
	name, version string
	zero          bool
	components    map[string]*Component
	ordered       []*Component

	seed uint64
	mu   sync.Mutex
	rnd  *rand.Rand // for Float64: choices that are not a component's latency
}

// Default returns the sourced model shipped in model.json, seeded with seed.
func Default(seed int64) *Model {
	m, err := Parse(defaultModel, seed)
	if err != nil {
		panic(fmt.Sprintf("latency: the embedded model.json is invalid: %v", err))
	}
	return m
}

// Zero returns a model in which every component takes no time. Unknown components are still an
// error, so tests catch a misspelt component id.
func Zero() *Model {
	m := Default(1)
	m.zero = true
	m.name = "zero"
	return m
}

// Parse reads a model file. Every component needs an id, a median above zero, a p99 at or above the
// median, a tag and a source.
func Parse(data []byte, seed int64) (*Model, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("latency model: %w", err)
	}
	if f.Name == "" || f.Version == "" {
		return nil, fmt.Errorf("latency model: name and version are required")
	}
	m := &Model{
		name:       f.Name,
		version:    f.Version,
		components: make(map[string]*Component, len(f.Components)),
		seed:       uint64(seed),
		rnd:        rand.New(rand.NewPCG(uint64(seed), 0x5eed)),
	}
	for i := range f.Components {
		c := f.Components[i]
		switch {
		case c.ID == "":
			return nil, fmt.Errorf("latency model: components[%d]: id is required", i)
		case m.components[c.ID] != nil:
			return nil, fmt.Errorf("latency model: component %q appears twice", c.ID)
		case c.MedianMS <= 0:
			return nil, fmt.Errorf("latency model: component %q: median_ms must be above 0, got %v", c.ID, c.MedianMS)
		case c.P99MS < c.MedianMS:
			return nil, fmt.Errorf("latency model: component %q: p99_ms must be at least median_ms (%v), got %v", c.ID, c.MedianMS, c.P99MS)
		case c.Tag != TagAWS && c.Tag != TagIndependent && c.Tag != TagEstimate:
			return nil, fmt.Errorf("latency model: component %q: tag must be AWS, independent or estimate, got %q", c.ID, c.Tag)
		case c.Source == "":
			return nil, fmt.Errorf("latency model: component %q: source is required", c.ID)
		}
		if t := c.Tail; t != nil && (t.Probability <= 0 || t.Probability >= 1 || t.MinMS < 0 || t.MaxMS < t.MinMS) {
			return nil, fmt.Errorf("latency model: component %q: tail needs 0 < probability < 1 and 0 <= min_ms <= max_ms", c.ID)
		}
		c.mu = math.Log(c.MedianMS)
		c.sigma = math.Log(c.P99MS/c.MedianMS) / z99
		c.stream = &stream{rnd: rand.New(rand.NewPCG(m.seed, streamOf(c.ID)))}
		m.components[c.ID] = &c
		m.ordered = append(m.ordered, &c)
	}
	sort.Slice(m.ordered, func(i, j int) bool { return m.ordered[i].ID < m.ordered[j].ID })
	return m, nil
}

// streamOf names a component's own random stream. Each component draws from its own stream, so
// that the n-th payment charge of a run takes the same time whatever the DynamoDB calls and cold
// starts around it drew: two runs with the same seed then differ only by the host's timing, not by
// which goroutine happened to draw first.
func streamOf(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// Name is the model's name and version, as results record it, e.g. "aws-2026-11 v1" or "zero".
func (m *Model) Name() string {
	if m.zero {
		return "zero"
	}
	return m.name + " v" + m.version
}

// IsZero reports whether the model takes no time at all.
func (m *Model) IsZero() bool { return m.zero }

// Components lists the model's entries sorted by id.
func (m *Model) Components() []Component {
	out := make([]Component, len(m.ordered))
	for i, c := range m.ordered {
		out[i] = *c
	}
	return out
}

// Has reports whether the model knows the component.
func (m *Model) Has(id string) bool { return m.components[id] != nil }

// Sample draws one latency for the component. It panics on an unknown id: component ids are
// constants in the emulator's code, so an unknown one is a programming error.
func (m *Model) Sample(id string) time.Duration {
	c := m.components[id]
	if c == nil {
		panic(fmt.Sprintf("latency: unknown component %q", id))
	}
	if m.zero {
		return 0
	}
	s := c.stream
	s.mu.Lock()
	z := s.rnd.NormFloat64()
	var tail float64
	if c.Tail != nil && s.rnd.Float64() < c.Tail.Probability {
		tail = c.Tail.MinMS + s.rnd.Float64()*(c.Tail.MaxMS-c.Tail.MinMS)
	}
	s.mu.Unlock()
	ms := math.Exp(c.mu+c.sigma*z) + tail
	return time.Duration(ms * float64(time.Millisecond))
}

// Float64 draws a uniform number in [0, 1) from the model's seeded source, for the emulator's
// other random choices (fault error rates, the provider's failures).
func (m *Model) Float64() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rnd.Float64()
}

// Spend waits for the sampled latency of the component, or until ctx is done.
func (m *Model) Spend(ctx context.Context, id string) error {
	return Wait(ctx, m.Sample(id))
}

// Wait blocks for d or until ctx is done, whichever comes first. A zero or negative d returns at
// once without allocating a timer.
func Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
