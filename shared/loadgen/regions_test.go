package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

const (
	eu = bakery.RegionEurope
	na = bakery.RegionNorthAmerica
)

// failoverSim drives a router's health checks on a fake clock, one probe interval at a time.
type failoverSim struct {
	t     *testing.T
	clock *sim.Fake
	rt    *router
	down  map[string]*atomic.Bool
}

func newFailoverSim(t *testing.T, fo Failover) *failoverSim {
	t.Helper()
	start := time.Date(2025, 12, 1, 7, 0, 0, 0, time.UTC)
	s := &failoverSim{t: t, clock: sim.NewFake(start), down: map[string]*atomic.Bool{eu: {}, na: {}}}
	s.rt = newRouter(s.clock, start, map[string]string{eu: "http://eu.invalid", na: "http://na.invalid"}, &fo)
	s.rt.probe = func(_ context.Context, region string) bool { return !s.down[region].Load() }
	ctx, cancel := context.WithCancel(context.Background())
	wg := s.rt.watch(ctx)
	t.Cleanup(func() { cancel(); wg.Wait() })
	s.settle()
	return s
}

// settle waits until both regions' checkers have probed and wait for their next interval.
func (s *failoverSim) settle() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(s.t, s.clock.WaitForTimers(ctx, 2))
}

// advanceTo moves the clock to at (since the start) in steps that land on every probe.
func (s *failoverSim) advanceTo(at time.Duration) {
	s.t.Helper()
	for {
		now := s.clock.Now().Sub(s.rt.start)
		if now >= at {
			return
		}
		next := (now/s.rt.fo.Interval + 1) * s.rt.fo.Interval
		s.clock.Advance(min(next, at) - now)
		s.settle()
	}
}

func (s *failoverSim) pick(store string) route {
	st, ok := bakery.StoreByID(store)
	require.True(s.t, ok)
	return s.rt.pick(st.ID, st.Region, s.clock.Now())
}

// The Route 53 model: a region is marked unhealthy after Threshold consecutive failed checks
// Interval apart, healthy again after Threshold passing ones; a failover record answers the
// secondary while the primary is unhealthy; an app keeps its answer for the TTL.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html
func TestRouterFailsOverAfterIntervalTimesThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failover  Failover
		downAt    time.Duration // between two checks
		upAt      time.Duration
		unhealthy time.Duration // when the failover record starts answering the other region
		healthy   time.Duration // when it answers the home region again
	}{
		{"fast checks, default threshold", Failover{Interval: 10 * time.Second, Threshold: 3, TTL: 60 * time.Second}, 5 * time.Second, 65 * time.Second, 30 * time.Second, 90 * time.Second},
		{"standard checks", Failover{Interval: 30 * time.Second, Threshold: 3, TTL: 60 * time.Second}, 5 * time.Second, 125 * time.Second, 90 * time.Second, 210 * time.Second},
		{"threshold 1", Failover{Interval: 10 * time.Second, Threshold: 1, TTL: 0}, 5 * time.Second, 45 * time.Second, 10 * time.Second, 50 * time.Second},
		{"threshold 5", Failover{Interval: 10 * time.Second, Threshold: 5, TTL: 30 * time.Second}, 15 * time.Second, 95 * time.Second, 60 * time.Second, 140 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newFailoverSim(t, tt.failover)
			iv := tt.failover.Interval
			require.Equal(t, na, s.pick("nyc-01").region, "a healthy home region answers")

			s.advanceTo(tt.downAt)
			s.down[na].Store(true)
			s.rt.orderFailed(na, s.clock.Now()) // a customer saw it first
			s.advanceTo(tt.unhealthy - iv)
			assert.Equal(t, na, s.pick("tor-01").region, "one check short of the threshold, still home")
			s.advanceTo(tt.unhealthy)
			r := s.pick("chi-01")
			assert.Equal(t, eu, r.region, "after Threshold failed checks the record answers the other region")
			assert.Equal(t, na, r.home)
			assert.Equal(t, eu, s.pick("lon-01").region, "Europe's stores are not affected")

			s.advanceTo(tt.upAt)
			s.down[na].Store(false)
			s.advanceTo(tt.healthy - iv)
			assert.Equal(t, eu, s.pick("mtl-01").region, "one passing check short, still failed over")
			s.advanceTo(tt.healthy)
			assert.Equal(t, na, s.pick("bos-01").region, "after Threshold passing checks the home region answers again")

			changes := s.rt.health[na].changes
			require.Len(t, changes, 2)
			assert.False(t, changes[0].Healthy)
			assert.InDelta(t, tt.unhealthy.Seconds(), changes[0].AtS, 1e-9)
			require.NotNil(t, changes[0].DetectionS)
			assert.InDelta(t, (tt.unhealthy - tt.downAt).Seconds(), *changes[0].DetectionS, 1e-9, "detection runs from the first failure seen")
			assert.InDelta(t, tt.downAt.Seconds(), *changes[0].FirstFailureAtS, 1e-9)
			assert.True(t, changes[1].Healthy)
			assert.InDelta(t, (tt.healthy - tt.unhealthy).Seconds(), *changes[1].UnhealthyS, 1e-9)
			assert.Empty(t, s.rt.health[eu].changes)
		})
	}
}

// A resolver keeps the record's answer for its TTL: an app that resolved just before the outage
// keeps sending to the failed region until its answer expires, then fails over; the same on the
// way back.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html
func TestRouterRespectsTTL(t *testing.T) {
	t.Parallel()
	s := newFailoverSim(t, Failover{Interval: 10 * time.Second, Threshold: 3, TTL: 60 * time.Second})
	steps := []struct {
		at            time.Duration
		down          *bool
		want          string
		markedHealthy bool
	}{
		{at: 0, want: na, markedHealthy: true}, // resolved, cached until 60 s
		{at: 5 * time.Second, down: ptr(true), want: na, markedHealthy: true},
		{at: 30 * time.Second, want: na, markedHealthy: false}, // marked unhealthy at 30 s, the cache still names it
		{at: 59 * time.Second, want: na, markedHealthy: false},
		{at: 60 * time.Second, want: eu, markedHealthy: true}, // expired: resolved again, cached until 120 s
		{at: 65 * time.Second, down: ptr(false), want: eu, markedHealthy: true},
		{at: 90 * time.Second, want: eu, markedHealthy: true}, // healthy again at 90 s, the cache still names eu
		{at: 120 * time.Second, want: na, markedHealthy: true},
	}
	for _, st := range steps {
		s.advanceTo(st.at)
		if st.down != nil {
			s.down[na].Store(*st.down)
		}
		r := s.pick("nyc-01")
		assert.Equal(t, st.want, r.region, "at %v", st.at)
		assert.Equal(t, st.markedHealthy, r.markedHealthy, "at %v", st.at)
	}
}

func TestRouterWithoutFailoverAlwaysGoesHome(t *testing.T) {
	t.Parallel()
	rt := newRouter(sim.Real{}, time.Now(), map[string]string{eu: "http://eu.invalid", na: "http://na.invalid"}, nil)
	for _, s := range bakery.Stores() {
		r := rt.pick(s.ID, s.Region, time.Now())
		assert.Equal(t, s.Region, r.region, s.ID)
	}
	wg := rt.watch(context.Background())
	wg.Wait() // no health checks without Failover
}

// twoRegions stands in for a stage deployed to two regions whose orders live in one replicated
// table: either region reads an order the other wrote.
type twoRegions struct {
	mu       sync.Mutex
	orders   map[string]string // order_id → status
	posts    map[string][]string
	down     map[string]*atomic.Bool // answers 503 to everything
	skew     map[string]string       // a region answering this status to every GET
	servers  map[string]string       // region → URL
	client   *http.Client
	nextID   atomic.Int64
	probes   atomic.Int64
	wrongHit atomic.Int64 // POSTs for a store of another region while the home one was up
}

func newTwoRegions(t *testing.T) *twoRegions {
	t.Helper()
	tr := &twoRegions{orders: map[string]string{}, posts: map[string][]string{},
		down: map[string]*atomic.Bool{eu: {}, na: {}}, skew: map[string]string{}, servers: map[string]string{}}
	for _, region := range []string{eu, na} {
		srv := startServer(t, func(w http.ResponseWriter, r *http.Request) { tr.serve(region, w, r) })
		tr.servers[region] = srv.URL
		tr.client = srv.Client()
	}
	return tr
}

func (tr *twoRegions) serve(region string, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if tr.down[region].Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/menu":
		tr.probes.Add(1)
		fmt.Fprint(w, `{"items":[]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/orders":
		var o order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		store, _ := bakery.StoreByID(o.StoreID)
		if store.Region != region && !tr.down[store.Region].Load() {
			tr.wrongHit.Add(1)
		}
		id := fmt.Sprintf("ord-%d", tr.nextID.Add(1))
		tr.mu.Lock()
		tr.orders[id] = "paid"
		tr.posts[region] = append(tr.posts[region], o.StoreID)
		tr.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"order_id":%q,"status":"received"}`, id)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		id := strings.TrimPrefix(r.URL.Path, "/orders/")
		tr.mu.Lock()
		status, ok := tr.orders[id]
		if s := tr.skew[region]; s != "" {
			status = s
		}
		tr.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"order_id":%q,"status":%q}`, id, status)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (tr *twoRegions) config(p Profile) Config {
	return Config{
		Regions:       map[string]string{eu: tr.servers[eu], na: tr.servers[na] + "/"},
		Client:        tr.client,
		Profile:       p,
		Stage:         "05-global",
		Seed:          1,
		Drain:         500 * time.Millisecond,
		ReconcileWait: time.Millisecond, // one round
	}
}

func TestRunRoutesOrdersToTheirHomeRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		skew          string // a status eu-west-1 answers for every order, "" for none
		wantDisagreed bool
	}{
		{name: "regions agree"},
		{name: "one region answers another status", skew: "received", wantDisagreed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTwoRegions(t)
			cfg := tr.config(testProfile(1, 5, flat(60, 1)...))
			cfg.After = func(*Result) { tr.skew[eu] = tt.skew } // after tracking: only the read-back sees it

			res := mustRun(t, cfg)

			require.NotNil(t, res.Regions)
			assert.Nil(t, res.Regions.Failover)
			assert.Zero(t, tr.wrongHit.Load(), "every order goes to its store's home region")
			assert.Zero(t, tr.probes.Load(), "no health checks without Failover")
			for region, stores := range tr.posts {
				for _, id := range stores {
					s, _ := bakery.StoreByID(id)
					assert.Equal(t, region, s.Region, id)
				}
			}
			sent := 0
			for region, s := range res.Regions.ByRegion {
				assert.Equal(t, s.HomeOrders, s.Sent, region)
				assert.Equal(t, s.Sent, s.Accepted, region)
				assert.Zero(t, s.FailedOverIn+s.FailedOverOut, region)
				assert.Len(t, tr.posts[region], s.Sent)
				assert.NotNil(t, s.Health)
				sent += s.Sent
			}
			assert.Equal(t, res.Offered, sent, "each order is sent to one region")
			assert.Positive(t, res.Regions.ByRegion[eu].Sent)
			assert.Positive(t, res.Regions.ByRegion[na].Sent)
			assert.Equal(t, res.Offered, res.Completed, "orders were followed in the region that accepted them")

			rec := res.Regions.Reconciliation
			require.NotNil(t, rec)
			assert.Equal(t, res.Accepted, rec.Checked)
			assert.Equal(t, 2*rec.Checked, rec.Reads)
			if tt.wantDisagreed {
				assert.Equal(t, rec.Checked, rec.Disagreed)
				assert.Zero(t, rec.Agreed)
				require.NotEmpty(t, rec.Examples)
				assert.Contains(t, rec.Examples[0], "eu-west-1 received, us-east-1 paid")
			} else {
				assert.Equal(t, rec.Checked, rec.Agreed)
				assert.Zero(t, rec.Disagreed)
				assert.Equal(t, map[string]int{"paid": rec.Checked}, rec.Statuses)
			}
		})
	}
}

// A region that answers nothing but 503 from the start: its stores' orders fail until the health
// check marks it unhealthy and the apps' cached answers expire, then go to the other region.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
func TestRunFailsOverFromADownRegion(t *testing.T) {
	t.Parallel()
	tr := newTwoRegions(t)
	tr.down[na].Store(true)
	cfg := tr.config(testProfile(2, 5, flat(50, 2)...))
	cfg.Failover = &Failover{Interval: 50 * time.Millisecond, Threshold: 2, TTL: 100 * time.Millisecond}
	cfg.ReconcileWait = 5 * time.Second
	cfg.After = func(*Result) { tr.down[na].Store(false) } // the region returns; the read-back finds it caught up

	res := mustRun(t, cfg)

	require.NotNil(t, res.Regions)
	assert.Equal(t, &FailoverParams{IntervalS: 0.05, Threshold: 2, TTLS: 0.1, Path: "/menu"}, res.Regions.Failover)
	down, up := res.Regions.ByRegion[na], res.Regions.ByRegion[eu]
	assert.Positive(t, down.Failed, "orders sent before the failover fail")
	assert.Equal(t, map[string]int{"HTTP 503": down.Failed}, down.FailureReasons)
	assert.Equal(t, down.Failed, down.FailedBeforeDetection+down.FailedAfterDetection, "every failure is explained")
	assert.Positive(t, down.FailedBeforeDetection)
	assert.Greater(t, down.FailedOverOut, down.Failed, "most of the run goes to the other region")
	assert.Equal(t, down.FailedOverOut, up.FailedOverIn)
	assert.Zero(t, up.Failed)
	assert.Zero(t, down.Accepted)
	assert.Equal(t, down.HomeOrders, down.Failed+down.FailedOverOut)
	assert.Equal(t, res.Outcomes.Server5xx, down.Failed)
	assert.Zero(t, res.Lost)
	require.NotEmpty(t, down.Health)
	assert.False(t, down.Health[0].Healthy)
	require.NotNil(t, down.Health[0].DetectionS)
	assert.Positive(t, *down.Health[0].DetectionS)
	assert.Positive(t, down.ProbesFailed)
	assert.Empty(t, up.Health)
	assert.Zero(t, up.ProbesFailed)

	rec := res.Regions.Reconciliation
	require.NotNil(t, rec)
	assert.Equal(t, res.Accepted, rec.Checked)
	assert.Equal(t, rec.Checked, rec.Agreed)
}

func TestRunWithoutRegionsHasNoRegionsSection(t *testing.T) {
	t.Parallel()
	srv := startServer(t, accepts("paid"))
	res := mustRun(t, testConfig(srv, testProfile(1, 5, flat(10, 1)...)))
	assert.Nil(t, res.Regions)
	data, err := json.Marshal(res)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m))
	assert.NotContains(t, m, "regions", "01-04's results keep their fields")
}

func TestRegionsConfigValidation(t *testing.T) {
	t.Parallel()
	good := Config{
		Regions: map[string]string{eu: "https://eu.example.com/prod", na: "https://na.example.com/prod"},
		Client:  http.DefaultClient, Stage: "05-global", Profile: testProfile(1, 1, flat(1, 1)...),
		Failover: &Failover{Interval: 10 * time.Second, Threshold: 3, TTL: 60 * time.Second},
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"failover without regions", func(c *Config) { c.Regions = nil; c.BaseURL = "https://x.example.com" }, "Failover needs Regions"},
		{"no base URL and no regions", func(c *Config) { c.Regions = nil; c.Failover = nil }, "BaseURL is empty"},
		{"a home region missing", func(c *Config) { delete(c.Regions, na) }, `set Regions["us-east-1"]`},
		{"relative region URL", func(c *Config) { c.Regions[eu] = "/prod" }, "Regions[eu-west-1] \"/prod\" must be an absolute"},
		{"zero interval", func(c *Config) { c.Failover.Interval = 0 }, "Failover.Interval must be > 0"},
		{"threshold 0", func(c *Config) { c.Failover.Threshold = 0 }, "Threshold must be 1 to 10"},
		{"threshold 11", func(c *Config) { c.Failover.Threshold = 11 }, "Threshold must be 1 to 10"},
		{"negative TTL", func(c *Config) { c.Failover.TTL = -time.Second }, "TTL must be >= 0"},
		{"relative path", func(c *Config) { c.Failover.Path = "menu" }, "must start with /"},
		{"one events config for two regions", func(c *Config) {
			c.Tracking.Events = &EventsConfig{RealtimeURL: "wss://x.example.com/event/realtime", APIKey: "k"}
		}, "Tracking.RegionEvents"},
		{"events of an unknown region", func(c *Config) {
			c.Tracking.RegionEvents = map[string]*EventsConfig{"ap-south-1": {RealtimeURL: "wss://x.example.com/event/realtime", APIKey: "k"}}
		}, `"ap-south-1", which is not in Regions`},
		{"negative reconcile wait", func(c *Config) { c.ReconcileWait = -time.Second }, "ReconcileWait must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			cfg.Regions = map[string]string{eu: good.Regions[eu], na: good.Regions[na]}
			fo := *good.Failover
			cfg.Failover = &fo
			tt.change(&cfg)
			_, err := Run(context.Background(), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("defaults", func(t *testing.T) {
		cfg, err := good.withDefaults()
		require.NoError(t, err)
		assert.Equal(t, "eu-west-1=https://eu.example.com/prod us-east-1=https://na.example.com/prod", cfg.Target)
		assert.Equal(t, defaultReconcileWait, cfg.ReconcileWait)
	})
}

func TestSummaryShowsRegions(t *testing.T) {
	t.Parallel()
	r := sampleResult()
	var plain strings.Builder
	require.NoError(t, Summary(&plain, r))
	assert.NotContains(t, plain.String(), "in every region")

	r.Regions = &Regions{
		Failover: &FailoverParams{IntervalS: 10, Threshold: 3, TTLS: 60, Path: "/menu"},
		ByRegion: map[string]*RegionStats{
			eu: {HomeOrders: 900, Sent: 1100, Accepted: 1100, FailedOverIn: 200, Health: []HealthChange{}},
			na: {HomeOrders: 912, Sent: 712, Accepted: 650, Failed: 62, FailedBeforeDetection: 50, FailedAfterDetection: 12, FailedOverOut: 200,
				Health: []HealthChange{{AtS: 12, Healthy: false, DetectionS: ptr(2.5)}, {AtS: 48, Healthy: true, UnhealthyS: ptr(36.0)}}},
		},
		Reconciliation: &Reconciliation{Checked: 1750, Agreed: 1749, Disagreed: 1, Rounds: 3, WaitedS: 2.1, Reads: 3504,
			Statuses: map[string]int{"ready": 1740, "pending-payment": 9},
			Examples: []string{"ord-9 (accepted in us-east-1): eu-west-1 (missing), us-east-1 ready"}},
	}
	var b strings.Builder
	require.NoError(t, Summary(&b, r))
	out := b.String()
	for _, want := range []string{
		"failover       health check every 10 s, 3 in a row, TTL 60 s, GET /menu\n",
		"eu-west-1      home 900   sent 1100   accepted 1100   failed 0 (0 before detection, 0 after)   abandoned 0   failed over in 200   out 0\n",
		"us-east-1      home 912   sent 712   accepted 650   failed 62 (50 before detection, 12 after)",
		"unhealthy at 12.0 s   detected 2.5 s after the first failure\n",
		"healthy at 48.0 s   after 36.0 s unhealthy\n",
		"reconciled     1750 orders in every region   agreed 1749 (pending-payment 9, ready 1740)   disagreed 1   reads 3504 in 2.1 s\n",
		"ord-9 (accepted in us-east-1): eu-west-1 (missing), us-east-1 ready\n",
	} {
		assert.Contains(t, out, want)
	}
}
