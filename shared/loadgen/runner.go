package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Config is one run of one profile against one stage.
type Config struct {
	// BaseURL is where the stage's API lives; orders go to POST {BaseURL}/orders and are
	// followed with GET {BaseURL}/orders/{order_id}. It is unused, and may be empty, when
	// Regions is set.
	BaseURL string
	// Regions, when set, sends each order to its store's home region: region → API base URL
	// (bakery.Store.Region picks it). Each order is followed in the region that accepted it,
	// and after the run every accepted order is read back in every region (see regions.go).
	Regions map[string]string
	// Failover models how clients find a healthy region when one is down (nil: no failover,
	// every order goes to its home region). It needs Regions.
	Failover *Failover
	// ReconcileWait bounds how long the reconciliation after a run with Regions waits for the
	// regions to agree on every order; 0 means 30 s.
	ReconcileWait time.Duration
	// Client sends every request: the emulator's in-process transport or a plain client for a
	// deployed stage. Its Timeout, if any, turns slow answers into transport errors.
	Client  *http.Client
	Profile Profile
	// Scale multiplies the profile's rate curve; 0 means 1.
	Scale float64
	// Seed makes the order mix repeatable.
	Seed int64
	// Stage names the stage under test in the result, e.g. "03-crisis".
	Stage string
	// Target is recorded in the result: "emulator", or "" for BaseURL.
	Target   string
	Tracking Tracking
	// Drain is how long the run keeps waiting for late answers after the last customer's
	// patience has run out; 0 means 5 s. Requests still unanswered then are cancelled.
	Drain time.Duration
	// Progress, when not nil, gets a one-line live display rewritten in place with \r.
	Progress io.Writer
	// PlainProgress writes a whole line to Progress every 5 s instead, for a log file or a CI
	// console that does not understand \r.
	PlainProgress bool
	// After, when not nil, completes the result before Run returns: the emulator fills
	// Lambda, Cost (see Result.SetCost) and Environment.LatencyModel here.
	After func(*Result)
	// Gauges, when not nil, is read every GaugePeriod while the run lasts: the emulator's Lambda
	// concurrency, throttles and queue depths, kept second by second in Result.System.
	Gauges func() Gauges
}

// Tracking says how accepted orders are followed to the end of their lifecycle.
type Tracking struct {
	// Terminal lists the statuses that end an order; nil means paid, ready, picked-up and
	// failed. An order whose POST answer already has a terminal status is not polled: a stage
	// where payment happens by phone, for instance, adds "pending-payment".
	Terminal []string
	// PollMin and PollMax bound the backoff between polls of GET /orders/{id}; 0 means 200 ms
	// and 1 s.
	PollMin, PollMax time.Duration
	// Milestones are statuses whose time from the customer's send is measured per order, e.g.
	// "paid" and "ready" for an asynchronous stage. The time is read from the order's
	// "<status>_at" field (RFC 3339) when the API answers one, so polling does not blur it;
	// otherwise it is when a poll first saw the status.
	Milestones []string
	// Events, when set, follows each accepted order whose answer names a "channel" by
	// subscribing to it over the AppSync Events WebSocket, as the customer's phone does, instead
	// of polling (see follow.go). Orders without a channel are polled.
	Events *EventsConfig
	// RegionEvents replaces Events when Config.Regions is set: each region's status channels,
	// where the orders it accepted are followed. A region without an entry is polled.
	RegionEvents map[string]*EventsConfig
}

var defaultTerminal = []string{"paid", "ready", "picked-up", "failed"}

const (
	defaultDrain   = 5 * time.Second
	defaultPollMin = 200 * time.Millisecond
	defaultPollMax = time.Second
	progressEvery  = 250 * time.Millisecond
	maxErrorKinds  = 10
	maxLostSample  = 10
)

func (c Config) withDefaults() (Config, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	regionURLs, regionErrs := validateRegions(&c)
	errs = append(errs, regionErrs...)
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "" && c.Regions != nil:
	case c.BaseURL == "":
		bad("BaseURL is empty")
	case err != nil:
		bad("BaseURL %q: %w", c.BaseURL, err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		bad("BaseURL %q must be an absolute http or https URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.Client == nil {
		bad("Client is nil: pass the emulator's client, or http.DefaultClient for a deployed stage")
	}
	if c.Stage == "" {
		bad("Stage is empty: name the stage under test, e.g. 03-crisis")
	}
	if err := c.Profile.Validate(); err != nil {
		bad("%w", err)
	}
	switch {
	case c.Scale == 0:
		c.Scale = 1
	case math.IsNaN(c.Scale) || math.IsInf(c.Scale, 0) || c.Scale < 0:
		bad("Scale must be > 0, got %v", c.Scale)
	}
	if c.Regions != nil {
		c.Regions = regionURLs
		if c.ReconcileWait == 0 {
			c.ReconcileWait = defaultReconcileWait
		}
	}
	if c.ReconcileWait < 0 {
		bad("ReconcileWait must be >= 0, got %v", c.ReconcileWait)
	}
	if c.Target == "" {
		c.Target = c.BaseURL
		if c.Regions != nil {
			var parts []string
			for _, n := range slices.Sorted(mapKeys(c.Regions)) {
				parts = append(parts, n+"="+c.Regions[n])
			}
			c.Target = strings.Join(parts, " ")
		}
	}
	switch {
	case c.Drain == 0:
		c.Drain = defaultDrain
	case c.Drain < 0:
		bad("Drain must be >= 0, got %v", c.Drain)
	}
	t := &c.Tracking
	if t.Terminal == nil {
		t.Terminal = defaultTerminal
	}
	if slices.Contains(t.Terminal, "") {
		bad("Tracking.Terminal has an empty status")
	}
	if t.PollMin == 0 {
		t.PollMin = defaultPollMin
	}
	if t.PollMax == 0 {
		t.PollMax = max(defaultPollMax, t.PollMin)
	}
	if t.PollMin < 0 || t.PollMax < t.PollMin {
		bad("Tracking poll interval must satisfy 0 < PollMin <= PollMax, got %v and %v", t.PollMin, t.PollMax)
	}
	if t.Events != nil {
		if err := t.Events.validate(); err != nil {
			bad("%w", err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("load config: %w", err)
	}
	return c, nil
}

// Run offers the profile's orders to the stage and measures what the customers felt.
//
// Arrivals follow the rate curve whether or not earlier requests have finished (an open model),
// and every latency is measured from the intended send time, so a stalled server cannot hide its
// stall by slowing the sender down (no coordinated omission). A customer whose order is not
// answered within the profile's patience gives up; the request is left to finish and its answer
// is counted as late. Accepted orders whose answer is not terminal are tracked to a terminal
// status and reconciled: an order that does not get there within the grace period is lost.
//
// If ctx is cancelled, Run stops sending, waits for the answers still in flight up to the
// customers' patience, stops tracking, and returns the partial result with Partial set.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	prof := cfg.Profile.Scaled(cfg.Scale)
	gen, err := newOrderGen(prof.Mix, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", prof.Name, err)
	}
	r := newRun(cfg, prof)
	// The orders' POSTs outlive the caller's ctx: a customer who gave up leaves the request
	// running. The trackers stop with it.
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	trackCtx, cancelTracking := context.WithCancel(ctx)
	defer cancelTracking()

	r.start = time.Now()
	cpu := startCPU()
	gauges := startGauges(cfg.Gauges, r.start)
	r.startRouter(ctx)
	r.sending.Store(true)
	stopProgress := r.startProgress()
	r.sendArrivals(ctx, reqCtx, trackCtx, gen)
	r.sending.Store(false)
	r.drain(ctx, cancelRequests, cancelTracking)
	for _, p := range r.pools {
		p.close()
	}
	stopProgress()
	r.stopRouter()

	res := r.result(ctx.Err() != nil)
	res.CPU = cpu.stop()
	res.System = gauges.stop()
	if cfg.After != nil {
		cfg.After(res)
	}
	// After the emulator's meters are read: the reconciliation's reads are the load tool's,
	// not the stage's traffic.
	if res.Regions != nil && ctx.Err() == nil {
		res.Regions.Reconciliation = r.reconcile(ctx)
	}
	return res, nil
}

type run struct {
	cfg       Config
	prof      Profile
	ordersURL string
	terminal  map[string]bool
	patience  time.Duration
	grace     time.Duration
	start     time.Time

	posts, tracks sync.WaitGroup
	pools         map[string]*eventsPool // region ("" without Regions) → its status channels

	// With Regions: where orders go, the health checks, and what each region did.
	router      *router
	healthPath  string
	stopChecks  context.CancelFunc
	checks      *sync.WaitGroup
	regionStats map[string]*RegionStats
	placed      []placed

	// Read by the progress display without the lock.
	offered, inFlight, failed, abandoned, tracking atomic.Int64
	sending                                        atomic.Bool

	mu           sync.Mutex
	closed       bool // no more answers are counted
	done         bool // the result is out: nothing more is counted
	sendEnd      time.Duration
	lastDeadline time.Time
	unanswered   map[*call]struct{}
	outcomes     Outcomes
	late         LateAnswers
	latency      *hdrhistogram.Histogram
	lateLatency  *hdrhistogram.Histogram
	endToEnd     *hdrhistogram.Histogram
	milestones   map[string]*hdrhistogram.Histogram
	perSecond    map[string][]int  // milestone → orders that reached it in each second of the run
	orderStatus  map[string]string // accepted order id → its last known status
	polled       int               // accepted orders that needed tracking
	buckets      []*bucket
	accepted     int
	completed    int
	lost         int
	pending      int
	statuses     map[string]int
	reasons      map[string]int
	lostSample   []string
	errorKinds   map[string]int
	maxLag       time.Duration
	events       Events
}

type bucket struct {
	Bucket
	latency *hdrhistogram.Histogram
}

// call is one order's POST.
type call struct {
	intended  time.Time
	deadline  time.Time // intended + patience
	second    int       // timeline bucket
	state     callState
	timer     *time.Timer
	ordersURL string // {base URL of the region it went to}/orders
	route     route  // with Regions: where it went and why
}

type callState int

const (
	waiting callState = iota
	answered
	abandoned
)

func newRun(cfg Config, prof Profile) *run {
	r := &run{
		cfg:         cfg,
		prof:        prof,
		ordersURL:   cfg.BaseURL + "/orders",
		terminal:    map[string]bool{},
		patience:    seconds(prof.PatienceS),
		grace:       seconds(prof.GraceS),
		unanswered:  map[*call]struct{}{},
		latency:     newHistogram(3),
		lateLatency: newHistogram(3),
		endToEnd:    newHistogram(3),
		milestones:  map[string]*hdrhistogram.Histogram{},
		orderStatus: map[string]string{},
		pools:       map[string]*eventsPool{},
		statuses:    map[string]int{},
		reasons:     map[string]int{},
		errorKinds:  map[string]int{},
	}
	for _, s := range cfg.Tracking.Terminal {
		r.terminal[s] = true
	}
	for _, s := range cfg.Tracking.Milestones {
		r.milestones[s] = newHistogram(3)
	}
	if cfg.Tracking.Events != nil {
		r.pools[""] = newEventsPool(*cfg.Tracking.Events)
	}
	for region, e := range cfg.Tracking.RegionEvents {
		r.pools[region] = newEventsPool(*e)
	}
	if cfg.Regions != nil {
		r.regionStats = map[string]*RegionStats{}
		for region := range cfg.Regions {
			r.regionStats[region] = &RegionStats{}
		}
	}
	return r
}

// sendArrivals is the pacing loop: it fires each order at its intended time and never waits
// for an answer. It stops when ctx is done; the requests run with reqCtx, the trackers with
// trackCtx.
func (r *run) sendArrivals(ctx, reqCtx, trackCtx context.Context, gen *orderGen) {
	pc := newPacer(r.prof)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		off, ok := pc.next()
		if !ok {
			r.sendEnd = seconds(r.prof.DurationS)
			return
		}
		intended := r.start.Add(seconds(off))
		if wait := time.Until(intended); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			r.sendEnd = min(time.Since(r.start), seconds(r.prof.DurationS))
			return
		}
		o := gen.next(intended)
		r.fire(reqCtx, trackCtx, &call{
			intended:  intended,
			deadline:  intended.Add(r.patience),
			second:    int(off),
			ordersURL: r.ordersURL,
		}, o)
	}
}

func (r *run) fire(reqCtx, trackCtx context.Context, c *call, o order) {
	lag := time.Since(c.intended)
	r.routeOrder(c, o)
	r.mu.Lock()
	r.maxLag = max(r.maxLag, lag)
	r.lastDeadline = c.deadline
	r.unanswered[c] = struct{}{}
	r.bucketAt(c.second).Offered++
	c.timer = time.AfterFunc(time.Until(c.deadline), func() { r.abandonAtDeadline(c) })
	r.mu.Unlock()
	r.offered.Add(1)
	r.inFlight.Add(1)
	r.posts.Go(func() {
		defer r.inFlight.Add(-1)
		r.post(reqCtx, trackCtx, c, o)
	})
}

// answer is what came back for one POST.
type answer struct {
	class   outcome
	code    int
	orderID string
	status  string
	reason  string // failure_reason, when status is failed
	channel string // the order's live status channel, when the answer names one
	err     string
}

func (r *run) post(ctx, trackCtx context.Context, c *call, o order) {
	body, err := json.Marshal(o)
	if err != nil {
		panic(err) // an order is plain strings and ints
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.ordersURL, bytes.NewReader(body))
	if err != nil {
		r.answer(trackCtx, c, answer{class: server5xx, err: err.Error()}, time.Now())
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		r.answer(trackCtx, c, answer{class: server5xx, err: err.Error()}, time.Now())
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	at := time.Now()
	a := answer{class: classify(resp.StatusCode), code: resp.StatusCode}
	switch {
	case err != nil:
		a = answer{class: server5xx, code: resp.StatusCode, err: fmt.Sprintf("read %d answer: %v", resp.StatusCode, err)}
	case a.class == ok:
		var v orderAnswer
		_ = json.Unmarshal(data, &v) // a 2xx without a usable body is accepted but cannot be tracked
		a.orderID, a.status, a.reason, a.channel = v.OrderID, v.Status, v.FailureReason, v.Channel
	case a.class == server5xx && (resp.StatusCode < 500 || resp.StatusCode > 599):
		a.err = fmt.Sprintf("unexpected status %d", resp.StatusCode)
	case a.class == server5xx || a.class == gatewayTimeout504:
		// What the API said, so a result shows why it failed (errors keeps the kinds it saw).
		a.err = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.Join(strings.Fields(truncateBody(data)), " "))
	}
	r.answer(trackCtx, c, a, at)
}

// answer counts what came back for c, and starts tracking an accepted order with trackCtx.
func (r *run) answer(trackCtx context.Context, c *call, a answer, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return // counted as unanswered when the run stopped waiting
	}
	delete(r.unanswered, c)
	c.timer.Stop()
	latency := at.Sub(c.intended)
	if c.state == waiting && at.After(c.deadline) {
		r.abandonLocked(c) // the answer beat the timer, not the customer
	}
	if c.state == abandoned {
		r.late.add(a.class)
		recordDuration(r.lateLatency, latency)
		if a.class == ok && a.orderID != "" && r.router != nil {
			r.placed = append(r.placed, placed{id: a.orderID, region: c.route.region})
		}
		return
	}
	c.state = answered
	r.outcomes.add(a.class)
	r.regionAnswered(c, a, at)
	recordDuration(r.latency, latency)
	b := r.bucketAt(c.second)
	recordDuration(b.latency, latency)
	switch a.class {
	case ok:
		b.OK++
	case soldOut:
	default:
		b.Failed++
		r.failed.Add(1)
	}
	if a.err != "" {
		r.noteError(a.err)
	}
	if a.class != ok {
		return
	}
	r.accepted++
	if a.orderID != "" {
		r.orderStatus[a.orderID] = a.status
	}
	switch {
	case r.terminal[a.status]:
		r.completeLocked(a.status, a.reason, latency)
	case a.orderID == "":
		r.lost++
		r.noteLost(fmt.Sprintf("(no order_id in the %d answer, status %q)", a.code, a.status))
	case r.poolFor(c) != nil && a.channel != "":
		// Subscribe at once: an event published before the subscription is missed.
		r.polled++
		r.tracking.Add(1)
		r.tracks.Go(func() { r.trackEvents(trackCtx, c, a.orderID, a.status, a.channel) })
	default:
		if len(r.pools) > 0 {
			r.events.Polled++
		}
		r.polled++
		r.tracking.Add(1)
		r.tracks.Go(func() { r.track(trackCtx, c, a.orderID, a.status, map[string]bool{}) })
	}
}

func (r *run) abandonAtDeadline(c *call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed && c.state == waiting {
		r.abandonLocked(c)
	}
}

// abandonLocked counts a customer who gave up. Their latency is the patience they spent: the
// true answer time, if any, goes to the late latency.
func (r *run) abandonLocked(c *call) {
	c.state = abandoned
	r.outcomes.Abandoned++
	if s := r.regionStats[c.route.region]; s != nil {
		s.Abandoned++
	}
	r.abandoned.Add(1)
	recordDuration(r.latency, r.patience)
	b := r.bucketAt(c.second)
	b.Abandoned++
	recordDuration(b.latency, r.patience)
}

// drain waits for stragglers, then cancels the requests still running; then it waits for the
// trackers and cancels them.
func (r *run) drain(ctx context.Context, cancelRequests, cancelTracking context.CancelFunc) {
	r.mu.Lock()
	lastDeadline := r.lastDeadline
	r.mu.Unlock()
	if !waitFor(&r.posts, lastDeadline, nil) && ctx.Err() == nil {
		waitFor(&r.posts, lastDeadline.Add(r.cfg.Drain), ctx.Done())
	}

	r.mu.Lock()
	r.closed = true
	for c := range r.unanswered {
		if c.state == waiting {
			r.abandonLocked(c)
		}
		c.timer.Stop()
		r.late.Unanswered++
	}
	r.mu.Unlock()
	cancelRequests()

	// Every tracker stops at its order's grace deadline, or at once when ctx is cancelled.
	waitFor(&r.tracks, lastDeadline.Add(r.grace-r.patience+time.Second), nil)
	cancelTracking()
	waitFor(&r.tracks, time.Now().Add(time.Second), nil)
}

// track polls an accepted order until it reaches a terminal status or its grace runs out. When
// trackCtx is done first, the order is left pending. seen holds the milestones already recorded.
func (r *run) track(trackCtx context.Context, c *call, orderID, status string, seen map[string]bool) {
	deadline := c.intended.Add(r.grace)
	ctx, cancel := context.WithDeadline(trackCtx, deadline)
	defer cancel()
	statusURL := c.ordersURL + "/" + url.PathEscape(orderID)
	last := status
	delay := r.cfg.Tracking.PollMin
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			cut := trackCtx.Err() != nil && time.Now().Before(deadline)
			r.trackEnd(c, orderID, orderAnswer{Status: last}, time.Now(), cut)
			return
		case <-timer.C:
		}
		if v, err := r.status(ctx, statusURL); err != nil {
			if ctx.Err() == nil { // a poll cut short by the deadline tells nothing new
				last = err.Error()
			}
		} else {
			last = v.Status
			r.milestonesSeen(c, v, seen, time.Now())
			if r.terminal[v.Status] {
				r.trackEnd(c, orderID, v, time.Now(), false)
				return
			}
		}
		delay = min(2*delay, r.cfg.Tracking.PollMax)
		timer.Reset(delay)
	}
}

// orderAnswer is the part of an order, as the API answers it, that the runner reads.
type orderAnswer struct {
	OrderID       string `json:"order_id"`
	Status        string `json:"status"`
	FailureReason string `json:"failure_reason"`
	Channel       string `json:"channel"` // the order's live status channel (POST answer)
	// Times holds the order's "<status>_at" fields, for milestones.
	Times map[string]string `json:"-"`
}

// UnmarshalJSON reads the fields above and every "<something>_at" string.
func (o *orderAnswer) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	str := func(k string) string {
		var v string
		if raw, ok := all[k]; ok {
			_ = json.Unmarshal(raw, &v)
		}
		return v
	}
	o.OrderID, o.Status, o.FailureReason, o.Channel = str("order_id"), str("status"), str("failure_reason"), str("channel")
	for k := range all {
		if name, ok := strings.CutSuffix(k, "_at"); ok {
			if v := str(k); v != "" {
				if o.Times == nil {
					o.Times = map[string]string{}
				}
				o.Times[name] = v
			}
		}
	}
	return nil
}

// milestonesSeen records, once per order, each milestone the answer shows: by its "<status>_at"
// time when the answer has one, else by the poll's time when the status is the milestone.
func (r *run) milestonesSeen(c *call, v orderAnswer, seen map[string]bool, polled time.Time) {
	if len(r.milestones) == 0 {
		return
	}
	for name, h := range r.milestones {
		if seen[name] {
			continue
		}
		at := time.Time{}
		if ts, ok := v.Times[name]; ok {
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				at = t
			}
		}
		if at.IsZero() && v.Status == name {
			at = polled
		}
		if at.IsZero() {
			continue
		}
		seen[name] = true
		r.mu.Lock()
		if !r.done {
			recordDuration(h, max(at.Sub(c.intended), 0))
			if sec := int(at.Sub(r.start) / time.Second); sec >= 0 {
				if r.perSecond == nil {
					r.perSecond = map[string][]int{}
				}
				counts := r.perSecond[name]
				for len(counts) <= sec {
					counts = append(counts, 0)
				}
				counts[sec]++
				r.perSecond[name] = counts
			}
		}
		r.mu.Unlock()
	}
}

// status fetches an order. Its errors are short labels kept as the order's last known state.
func (r *run) status(ctx context.Context, statusURL string) (orderAnswer, error) {
	var v orderAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, statusURL, nil)
	if err != nil {
		return v, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return v, errors.New("(no answer to GET)")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return v, fmt.Errorf("(GET answered %d)", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&v); err != nil {
		return v, errors.New("(GET answer is not an order)")
	}
	return v, nil
}

func (r *run) trackEnd(c *call, orderID string, v orderAnswer, at time.Time, cut bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tracking.Add(-1)
	if orderID != "" && v.Status != "" && !r.done {
		r.orderStatus[orderID] = v.Status
	}
	switch {
	case r.done:
		// A tracker that outlived the run because its client ignored the cancellation.
	case r.terminal[v.Status]:
		r.completeLocked(v.Status, v.FailureReason, at.Sub(c.intended))
	case cut:
		r.pending++
	default:
		r.lost++
		r.noteLost(orderID + ": " + v.Status)
	}
}

// completeLocked counts an order that reached a terminal status endToEnd after it was sent.
func (r *run) completeLocked(status, reason string, endToEnd time.Duration) {
	r.completed++
	r.statuses[status]++
	recordDuration(r.endToEnd, endToEnd)
	if reason == "" {
		return
	}
	if _, known := r.reasons[reason]; !known && len(r.reasons) >= maxErrorKinds-1 {
		reason = "(other reasons)"
	}
	r.reasons[reason]++
}

func (r *run) noteLost(s string) {
	if len(r.lostSample) < maxLostSample {
		r.lostSample = append(r.lostSample, s)
	}
}

func (r *run) noteError(msg string) {
	if _, known := r.errorKinds[msg]; !known && len(r.errorKinds) >= maxErrorKinds-1 {
		msg = "(other errors)"
	}
	r.errorKinds[msg]++
}

func (r *run) bucketAt(second int) *bucket {
	for len(r.buckets) <= second {
		r.buckets = append(r.buckets, &bucket{Bucket: Bucket{T: len(r.buckets)}, latency: newHistogram(2)})
	}
	return r.buckets[second]
}

// result assembles the Result once the run is over.
func (r *run) result(partial bool) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	r.pending += int(r.tracking.Load()) // trackers that have not reported back
	dur := r.sendEnd.Seconds()
	res := &Result{
		Stage:          r.cfg.Stage,
		Profile:        r.prof.Name,
		Scale:          r.cfg.Scale,
		Seed:           r.cfg.Seed,
		Target:         r.cfg.Target,
		StartedAt:      r.start.UTC(),
		DurationS:      dur,
		Offered:        int(r.offered.Load()),
		Outcomes:       r.outcomes,
		LatencyMS:      latencyOf(r.latency),
		Accepted:       r.accepted,
		Completed:      r.completed,
		Lost:           r.lost,
		Timeline:       []Bucket{},
		Partial:        partial,
		Expected:       r.prof.ExpectedUntil(dur),
		PatienceS:      r.prof.PatienceS,
		GraceS:         r.prof.GraceS,
		Pending:        r.pending,
		Late:           r.late,
		FinalStatuses:  r.statuses,
		FailureReasons: r.reasons,
		LostSample:     r.lostSample,
		MaxSendLagMS:   ms(r.maxLag),
		WallS:          time.Since(r.start).Seconds(),
		Environment: Env{
			Cores:     runtime.NumCPU(),
			GoVersion: runtime.Version(),
			Command:   command(),
		},
	}
	if dur > 0 {
		res.AchievedRPS = float64(res.Offered) / dur
	}
	if res.Offered > 0 {
		o := res.Outcomes
		res.FailureRate = float64(o.Rejected4xx+o.Throttled429+o.Server5xx+o.GatewayTimeout504) / float64(res.Offered)
		res.Abandonment = float64(o.Abandoned) / float64(res.Offered)
	}
	if r.polled > 0 {
		e2e := latencyOf(r.endToEnd)
		res.EndToEndMS = &e2e
	}
	if len(r.pools) > 0 {
		ev := r.events
		for _, p := range r.pools {
			ev.Connections += int(p.opened.Load())
		}
		res.Events = &ev
	}
	res.Regions = r.regionsLocked()
	if r.lateLatency.TotalCount() > 0 {
		late := latencyOf(r.lateLatency)
		res.LateLatencyMS = &late
	}
	for name, h := range r.milestones {
		if h.TotalCount() == 0 {
			continue
		}
		if res.MilestonesMS == nil {
			res.MilestonesMS = map[string]Milestone{}
		}
		res.MilestonesMS[name] = Milestone{Orders: int(h.TotalCount()), Latency: latencyOf(h)}
	}
	if len(r.perSecond) > 0 {
		res.MilestonesPerSecond = r.perSecond
	}
	res.OrderStatuses = r.orderStatus
	for i := 0; i < int(math.Ceil(dur)) || i < len(r.buckets); i++ {
		b := r.bucketAt(i).Bucket
		if h := r.buckets[i].latency; h.TotalCount() > 0 {
			b.P50MS, b.P99MS = ms(quantile(h, 50)), ms(quantile(h, 99))
		}
		res.Timeline = append(res.Timeline, b)
	}
	for msg, n := range r.errorKinds {
		res.Errors = append(res.Errors, ErrorCount{Error: msg, Count: n})
	}
	slices.SortFunc(res.Errors, func(a, b ErrorCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Error, b.Error)
	})
	return res
}

func command() string {
	if len(os.Args) == 0 {
		return ""
	}
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	return strings.Join(args, " ")
}

// waitFor waits for wg until deadline or until stop is closed, and reports whether wg is done.
func waitFor(wg *sync.WaitGroup, deadline time.Time, stop <-chan struct{}) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
	case <-stop:
	}
	return false
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Histograms hold microseconds from 1 µs to 1 h.
func newHistogram(sigfigs int) *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(time.Hour/time.Microsecond), sigfigs)
}

func recordDuration(h *hdrhistogram.Histogram, d time.Duration) {
	us := min(max(d.Microseconds(), 1), h.HighestTrackableValue())
	_ = h.RecordValue(us) // in range by construction
}

func quantile(h *hdrhistogram.Histogram, q float64) time.Duration {
	return time.Duration(h.ValueAtQuantile(q)) * time.Microsecond
}

func latencyOf(h *hdrhistogram.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	return Latency{
		P50: ms(quantile(h, 50)),
		P90: ms(quantile(h, 90)),
		P95: ms(quantile(h, 95)),
		P99: ms(quantile(h, 99)),
		Max: ms(time.Duration(h.Max()) * time.Microsecond),
	}
}

// truncateBody keeps the start of an answer's body for an error sample.
func truncateBody(b []byte) string {
	const keep = 160
	if len(b) > keep {
		return string(b[:keep]) + "…"
	}
	return string(b)
}
