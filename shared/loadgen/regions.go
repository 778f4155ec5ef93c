package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Failover models how the store apps find a healthy region when their home region is down: each
// store's API name is a Route 53 failover record whose primary is the store's home region, with
// a health check on it, and whose secondary is the other region. The apps' resolvers cache the
// answer for the record's TTL.
//
//   - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html:
//     health checkers probe every 10 s (fast) or 30 s (standard); an HTTP check passes on a 2xx
//     or 3xx status, with the connection made within 4 s and the answer within 2 s after it; an
//     endpoint changes status after FailureThreshold consecutive checks (default 3) against its
//     current status; a new health check counts as healthy until there is data.
//   - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html:
//     active-passive failover answers the primary while it is healthy, the secondary otherwise.
type Failover struct {
	// Interval is the health check's request interval: Route 53 offers 10 s (fast) or 30 s
	// (standard). The next check is sent Interval after the previous one was answered.
	Interval time.Duration
	// Threshold is how many consecutive checks must fail (or pass) before the region's status
	// changes; Route 53 allows 1 to 10 and defaults to 3.
	Threshold int
	// TTL is how long a store app keeps a resolved answer; 0 resolves for every order.
	TTL time.Duration
	// Path is what the health check requests with GET from each region's API base URL; ""
	// means "/menu", the cheapest read every stage serves.
	Path string
}

const (
	defaultHealthPath = "/menu"
	// probeTimeout is Route 53's HTTP health check: a connection within 4 s, then a status
	// within 2 s.
	probeTimeout = 6 * time.Second
	// Reconciliation: how long it waits for the regions to agree by default, between rounds, and
	// how many reads it has in flight.
	defaultReconcileWait = 30 * time.Second
	reconcileEvery       = time.Second
	reconcileReaders     = 32
	maxReconcileExamples = 5
)

func (f *Failover) validate(regions int) error {
	var errs []error
	if regions < 2 {
		errs = append(errs, fmt.Errorf("Failover needs at least two Regions to fail over between, got %d", regions))
	}
	if f.Interval <= 0 {
		errs = append(errs, fmt.Errorf("Failover.Interval must be > 0 (Route 53: 10s or 30s), got %v", f.Interval))
	}
	if f.Threshold < 1 || f.Threshold > 10 {
		errs = append(errs, fmt.Errorf("Failover.Threshold must be 1 to 10 (Route 53's FailureThreshold, default 3), got %d", f.Threshold))
	}
	if f.TTL < 0 {
		errs = append(errs, fmt.Errorf("Failover.TTL must be >= 0, got %v", f.TTL))
	}
	if f.Path != "" && !strings.HasPrefix(f.Path, "/") {
		errs = append(errs, fmt.Errorf("Failover.Path %q must start with /", f.Path))
	}
	return errors.Join(errs...)
}

// validateRegions checks Config.Regions, Failover and Tracking.RegionEvents, and returns the
// regions' base URLs without a trailing slash.
func validateRegions(c *Config) (map[string]string, []error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Regions == nil {
		if c.Failover != nil {
			bad("Failover needs Regions: set the API base URL of every region")
		}
		if c.Tracking.RegionEvents != nil {
			bad("Tracking.RegionEvents needs Regions; without them use Tracking.Events")
		}
		return nil, errs
	}
	urls := map[string]string{}
	for _, region := range slices.Sorted(mapKeys(c.Regions)) {
		raw := c.Regions[region]
		u, err := url.Parse(raw)
		switch {
		case region == "":
			bad("Regions has an empty region name")
		case err != nil:
			bad("Regions[%s] %q: %w", region, raw, err)
		case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
			bad("Regions[%s] %q must be an absolute http or https URL", region, raw)
		}
		urls[region] = strings.TrimSuffix(raw, "/")
	}
	for _, s := range bakery.Stores() {
		if _, ok := urls[s.Region]; !ok {
			bad("Regions has no URL for %s, the home region of store %s (and others): set Regions[%q]", s.Region, s.ID, s.Region)
			break
		}
	}
	if c.Failover != nil {
		if err := c.Failover.validate(len(urls)); err != nil {
			bad("%w", err)
		}
	}
	if c.Tracking.Events != nil {
		bad("Tracking.Events names one region's status channels; with Regions set Tracking.RegionEvents (region → events config)")
	}
	for region, e := range c.Tracking.RegionEvents {
		if _, ok := urls[region]; !ok {
			bad("Tracking.RegionEvents names %q, which is not in Regions", region)
		}
		if e == nil {
			bad("Tracking.RegionEvents[%s] is nil", region)
		} else if err := e.validate(); err != nil {
			bad("Tracking.RegionEvents[%s]: %w", region, err)
		}
	}
	return urls, errs
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Regions is how a run across several regions went: per region what it was sent and did, when
// its health check changed, and whether the regions agree on every accepted order afterwards.
// Its JSON field names are stable.
type Regions struct {
	// Failover is the failover model the run used; null without one (each order goes to its
	// home region whatever happens).
	Failover *FailoverParams `json:"failover"`
	// ByRegion is keyed by region name.
	ByRegion map[string]*RegionStats `json:"by_region"`
	// Reconciliation is every accepted order read back in every region after the grace period;
	// null when the run was cut short.
	Reconciliation *Reconciliation `json:"reconciliation"`
}

// FailoverParams records Failover in the result.
type FailoverParams struct {
	IntervalS float64 `json:"interval_s"`
	Threshold int     `json:"threshold"`
	TTLS      float64 `json:"ttl_s"`
	Path      string  `json:"path"`
}

// RegionStats is one region's share of the run. Every offered order is sent to exactly one
// region: its home region, or the other one when its store's resolved answer named it.
type RegionStats struct {
	HomeOrders int `json:"home_orders"` // orders from the stores whose home region this is
	Sent       int `json:"sent"`        // orders sent here, failed-over ones included
	Accepted   int `json:"accepted"`    // 2xx answers the customers saw
	// Failed counts the orders sent here that failed as failure_rate counts them (4xx other
	// than 409, 429, 5xx, 504, no answer at all); their reasons are in FailureReasons
	// ("unreachable" when no HTTP answer came, else "HTTP <code>").
	Failed         int            `json:"failed"`
	FailureReasons map[string]int `json:"failure_reasons,omitempty"`
	Abandoned      int            `json:"abandoned"`
	// FailedBeforeDetection counts the failed orders sent while the region's health check still
	// counted it healthy; FailedAfterDetection those sent after it was marked unhealthy, because
	// the store's cached DNS answer (TTL) still named it. Both are 0 without Failover.
	FailedBeforeDetection int `json:"failed_before_detection"`
	FailedAfterDetection  int `json:"failed_after_detection"`
	FailedOverIn          int `json:"failed_over_in"`  // orders of the other region's stores sent here
	FailedOverOut         int `json:"failed_over_out"` // orders of this region's stores sent elsewhere
	// Probes counts the health checks sent and how many failed.
	Probes       int `json:"probes"`
	ProbesFailed int `json:"probes_failed"`
	// Health lists the health check's status changes, in order.
	Health []HealthChange `json:"health"`
}

// HealthChange is one change of a region's health check status.
type HealthChange struct {
	AtS     float64 `json:"at_s"` // since the run started
	Healthy bool    `json:"healthy"`
	// For a change to unhealthy: when the first failure of this outage was seen (a failed
	// health check, or an order that got no answer or a 5xx), and the detection time from there.
	FirstFailureAtS *float64 `json:"first_failure_at_s,omitempty"`
	DetectionS      *float64 `json:"detection_s,omitempty"`
	// For a change back to healthy: how long the region was marked unhealthy.
	UnhealthyS *float64 `json:"unhealthy_s,omitempty"`
}

// Reconciliation is the read-back of every accepted order in every region.
type Reconciliation struct {
	Checked   int `json:"checked"`   // accepted orders with an order_id, late 2xx answers included
	Agreed    int `json:"agreed"`    // every region answered the same status
	Disagreed int `json:"disagreed"` // a status differs, or a region does not have the order or cannot answer
	// Statuses counts the agreed orders by their status.
	Statuses map[string]int `json:"statuses"`
	// Rounds is how many times the disagreeing orders were read again; WaitedS is how long it
	// took until they all agreed or the wait ran out (Config.ReconcileWait).
	Rounds   int      `json:"rounds"`
	WaitedS  float64  `json:"waited_s"`
	Reads    int      `json:"reads"`
	Examples []string `json:"examples,omitempty"` // a few disagreements: "order_id: region status, …"
}

// router picks the region each order goes to and runs the health checks that steer it.
type router struct {
	clock sim.Clock
	start time.Time
	urls  map[string]string // region → API base URL
	names []string          // sorted
	fo    *Failover         // nil: always the home region
	probe func(ctx context.Context, region string) bool

	mu     sync.Mutex
	health map[string]*regionHealth
	cache  map[string]resolution // store ID → its app's cached answer
	probes map[string][2]int     // region → probes sent, failed
}

type regionHealth struct {
	healthy        bool
	streak         int       // consecutive checks against the current status
	firstFailure   time.Time // first failure since the last passing check; zero when none
	unhealthySince time.Time
	changes        []HealthChange
}

type resolution struct {
	region  string
	expires time.Time
}

// route is where one order went and why.
type route struct {
	home, region string
	// markedHealthy says whether the region's health check counted it healthy at the send.
	markedHealthy bool
}

func newRouter(clock sim.Clock, start time.Time, urls map[string]string, fo *Failover) *router {
	rt := &router{
		clock:  clock,
		start:  start,
		urls:   urls,
		names:  slices.Sorted(mapKeys(urls)),
		fo:     fo,
		health: map[string]*regionHealth{},
		cache:  map[string]resolution{},
		probes: map[string][2]int{},
	}
	for _, n := range rt.names {
		// A new Route 53 health check counts as healthy until it has data.
		rt.health[n] = &regionHealth{healthy: true}
	}
	return rt
}

// pick resolves the store's API name as its app would at now: from its cache while the TTL
// lasts, else from the failover record.
func (rt *router) pick(storeID, home string, now time.Time) route {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.fo == nil {
		return route{home: home, region: home, markedHealthy: true}
	}
	res, ok := rt.cache[storeID]
	if !ok || !now.Before(res.expires) {
		res = resolution{region: rt.answerLocked(home), expires: now.Add(rt.fo.TTL)}
		rt.cache[storeID] = res
	}
	return route{home: home, region: res.region, markedHealthy: rt.health[res.region].healthy}
}

// answerLocked is the failover record's answer: the home region while its health check passes,
// else the first other region that is healthy. When none is, the home region is answered.
func (rt *router) answerLocked(home string) string {
	if h, ok := rt.health[home]; !ok || h.healthy {
		return home
	}
	for _, n := range rt.names {
		if n != home && rt.health[n].healthy {
			return n
		}
	}
	return home
}

// watch health-checks every region until ctx ends.
func (rt *router) watch(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	if rt.fo == nil {
		return &wg
	}
	for _, n := range rt.names {
		wg.Go(func() {
			for {
				ok := rt.probe(ctx, n)
				if ctx.Err() != nil {
					return
				}
				rt.checked(n, ok, rt.clock.Now())
				if sim.Sleep(ctx, rt.clock, rt.fo.Interval) != nil {
					return
				}
			}
		})
	}
	return &wg
}

// checked counts one health check's result and changes the region's status after Threshold
// consecutive results against it.
func (rt *router) checked(region string, passed bool, at time.Time) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p := rt.probes[region]
	p[0]++
	if !passed {
		p[1]++
	}
	rt.probes[region] = p
	h := rt.health[region]
	switch {
	case passed && h.healthy:
		h.streak, h.firstFailure = 0, time.Time{}
		return
	case !passed && h.firstFailure.IsZero():
		h.firstFailure = at
	}
	if passed == h.healthy {
		h.streak = 0
		return
	}
	h.streak++
	if h.streak < rt.fo.Threshold {
		return
	}
	h.streak = 0
	h.healthy = passed
	c := HealthChange{AtS: at.Sub(rt.start).Seconds(), Healthy: passed}
	if passed {
		c.UnhealthyS = ptr(at.Sub(h.unhealthySince).Seconds())
		h.firstFailure = time.Time{}
	} else {
		h.unhealthySince = at
		c.FirstFailureAtS = ptr(h.firstFailure.Sub(rt.start).Seconds())
		c.DetectionS = ptr(at.Sub(h.firstFailure).Seconds())
	}
	h.changes = append(h.changes, c)
}

// orderFailed notes an order the region failed to answer (no answer, or a 5xx): the outage, if
// it is one, was seen then, whatever the health check says later.
func (rt *router) orderFailed(region string, at time.Time) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if h, ok := rt.health[region]; ok && h.healthy && (h.firstFailure.IsZero() || at.Before(h.firstFailure)) {
		h.firstFailure = at
	}
}

// fill copies the health checks' counts and changes into the result's regions.
func (rt *router) fill(by map[string]*RegionStats) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, n := range rt.names {
		s := by[n]
		s.Probes, s.ProbesFailed = rt.probes[n][0], rt.probes[n][1]
		s.Health = slices.Clone(rt.health[n].changes)
		if s.Health == nil {
			s.Health = []HealthChange{}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// placed is an accepted order and the region that accepted it.
type placed struct {
	id, region string
}

// probe is one health check: GET {region}{Path}, passing on 2xx or 3xx within probeTimeout.
func (r *run) probe(ctx context.Context, region string) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.router.urls[region]+r.healthPath, nil)
	if err != nil {
		return false
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}

// reconcile reads every accepted order back in every region until they all agree or the wait
// runs out. Orders still disagreeing are read again every second: replication is asynchronous,
// and a region that was down catches up after it returns.
func (r *run) reconcile(ctx context.Context) *Reconciliation {
	r.mu.Lock()
	seen := map[string]bool{}
	var pending []placed
	for _, p := range r.placed {
		if !seen[p.id] {
			seen[p.id] = true
			pending = append(pending, p)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(pending, func(a, b placed) int { return strings.Compare(a.id, b.id) })
	rec := &Reconciliation{Checked: len(pending), Statuses: map[string]int{}}
	start := time.Now()
	deadline := start.Add(r.cfg.ReconcileWait)
	var views []map[string]string
	for {
		rec.Rounds++
		views = r.readAll(ctx, pending)
		rec.Reads += len(pending) * len(r.router.names)
		var still []placed
		var stillViews []map[string]string
		for i, p := range pending {
			if status, agree := agreed(views[i]); agree {
				rec.Agreed++
				rec.Statuses[status]++
				continue
			}
			still = append(still, p)
			stillViews = append(stillViews, views[i])
		}
		pending, views = still, stillViews
		rec.WaitedS = time.Since(start).Seconds()
		if len(pending) == 0 || ctx.Err() != nil || !time.Now().Add(reconcileEvery).Before(deadline) {
			break
		}
		if sim.Sleep(ctx, sim.Real{}, reconcileEvery) != nil {
			break
		}
	}
	rec.Disagreed = len(pending)
	for i, p := range pending {
		if i == maxReconcileExamples {
			break
		}
		var parts []string
		for _, n := range r.router.names {
			parts = append(parts, n+" "+views[i][n])
		}
		rec.Examples = append(rec.Examples, p.id+" (accepted in "+p.region+"): "+strings.Join(parts, ", "))
	}
	return rec
}

// agreed reports whether every region answered the order with the same status.
func agreed(view map[string]string) (string, bool) {
	first, n := "", 0
	for _, s := range view {
		if strings.HasPrefix(s, "(") || (n > 0 && s != first) {
			return "", false
		}
		first, n = s, n+1
	}
	return first, n > 0
}

// readAll reads each order in every region, a few reads at a time so that the stage's own
// throttles are not what the reconciliation measures. A view holds a status, or "(missing)",
// "(GET answered <code>)", "(no answer)".
func (r *run) readAll(ctx context.Context, orders []placed) []map[string]string {
	views := make([]map[string]string, len(orders))
	jobs := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(reconcileReaders, max(len(orders), 1)) {
		wg.Go(func() {
			for i := range jobs {
				view := map[string]string{}
				for _, n := range r.router.names {
					view[n] = r.readOrder(ctx, n, orders[i].id)
				}
				mu.Lock()
				views[i] = view
				mu.Unlock()
			}
		})
	}
	for i := range orders {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return views
}

func (r *run) readOrder(ctx context.Context, region, id string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.router.urls[region]+"/orders/"+url.PathEscape(id), nil)
	if err != nil {
		return "(no answer)"
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return "(no answer)"
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "(missing)"
	case resp.StatusCode != http.StatusOK:
		return fmt.Sprintf("(GET answered %d)", resp.StatusCode)
	case err != nil:
		return "(no answer)"
	}
	var v orderAnswer
	if err := v.UnmarshalJSON(data); err != nil || v.Status == "" {
		return "(GET answer is not an order)"
	}
	return v.Status
}

// startRouter starts the health checks of a run with Regions.
func (r *run) startRouter(ctx context.Context) {
	if r.cfg.Regions == nil {
		return
	}
	r.router = newRouter(sim.Real{}, r.start, r.cfg.Regions, r.cfg.Failover)
	r.router.probe = r.probe
	r.healthPath = defaultHealthPath
	if f := r.cfg.Failover; f != nil && f.Path != "" {
		r.healthPath = f.Path
	}
	ctx, r.stopChecks = context.WithCancel(ctx)
	r.checks = r.router.watch(ctx)
}

func (r *run) stopRouter() {
	if r.router == nil {
		return
	}
	r.stopChecks()
	r.checks.Wait()
}

// routeOrder sends the order to the region its store's app resolves, and counts it there.
func (r *run) routeOrder(c *call, o order) {
	if r.router == nil {
		return
	}
	store, _ := bakery.StoreByID(o.StoreID) // orders are drawn from bakery.Stores()
	c.route = r.router.pick(store.ID, store.Region, r.router.clock.Now())
	c.ordersURL = r.router.urls[c.route.region] + "/orders"
	r.mu.Lock()
	defer r.mu.Unlock()
	home, to := r.regionStats[c.route.home], r.regionStats[c.route.region]
	home.HomeOrders++
	to.Sent++
	if c.route.region != c.route.home {
		home.FailedOverOut++
		to.FailedOverIn++
	}
}

// regionAnswered counts an answer the customer saw in the region the order went to.
func (r *run) regionAnswered(c *call, a answer, at time.Time) {
	if r.router == nil {
		return
	}
	s := r.regionStats[c.route.region]
	switch a.class {
	case ok:
		s.Accepted++
		if a.orderID != "" {
			r.placed = append(r.placed, placed{id: a.orderID, region: c.route.region})
		}
		return
	case soldOut:
		return
	}
	s.Failed++
	reason := "unreachable"
	if a.code != 0 {
		reason = fmt.Sprintf("HTTP %d", a.code)
	}
	if s.FailureReasons == nil {
		s.FailureReasons = map[string]int{}
	}
	s.FailureReasons[reason]++
	if a.class != server5xx && a.class != gatewayTimeout504 {
		return // a refusal or a throttle is not an outage
	}
	r.router.orderFailed(c.route.region, at)
	if r.cfg.Failover == nil {
		return
	}
	if c.route.markedHealthy {
		s.FailedBeforeDetection++
	} else {
		s.FailedAfterDetection++
	}
}

// poolFor is where the order's status channel is: its region's, or the run's only one.
func (r *run) poolFor(c *call) *eventsPool {
	if r.router != nil {
		return r.pools[c.route.region]
	}
	return r.pools[""]
}

// regionsLocked assembles the result's regions section; nil without Regions.
func (r *run) regionsLocked() *Regions {
	if r.router == nil {
		return nil
	}
	out := &Regions{ByRegion: map[string]*RegionStats{}}
	for n, s := range r.regionStats {
		cp := *s
		out.ByRegion[n] = &cp
	}
	r.router.fill(out.ByRegion)
	if f := r.cfg.Failover; f != nil {
		out.Failover = &FailoverParams{IntervalS: f.Interval.Seconds(), Threshold: f.Threshold, TTLS: f.TTL.Seconds(), Path: r.healthPath}
	}
	return out
}
