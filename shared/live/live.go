// Package live is the instructor's dashboard (make live STAGE=…): one page on a loopback port
// that draws the stage's topology from its template, colours every resource by what the
// emulator measured in the last second, starts and stops load profiles, and switches faults on a
// resource with one click. It needs no network: the page, its script and its styles are embedded.
//
// The page polls GET /api/metrics once a second and, under the topology, charts the run second
// by second from those polls: orders offered, answered, failed and abandoned per second and the
// p99 so far (from the load tool's progress line, LoadState.Progress), the account's Lambda
// concurrency, and the depth of the queues (visible and in flight) when the stage has any. The
// rest of the API is what its buttons call:
//
//	GET    /api/topology             nodes (API, workflows, bus and rules, queues, pipes, functions,
//	                                 tables, the AppSync API, the provider and the kitchen) and the
//	                                 edges between them, each node with its layer left to right
//	GET    /api/metrics              every resource's metrics (with queue depths and the services'
//	                                 named counters), the provider's counters, the faults
//	                                 that are on and the load run's progress line or summary
//	POST   /api/load?profile=P&scale=S[&grace=D]  reset the emulator (emulator.Emulator.Reset: tables as seeded,
//	                                 queues empty, no warm function, metrics zero; faults stay), then
//	                                 start a load profile (409 while one runs); grace (e.g. 300s,
//	                                 at most 10m) replaces the profile's wait for accepted orders
//	DELETE /api/load                 stop the running profile
//	PUT    /api/faults/{resource}?kind=slow|failing|throttled  switch a fault on
//	DELETE /api/faults/{resource}    switch that fault off (404 when none is on)
//	DELETE /api/faults               switch every fault off (and bring every region back up)
//
// A multi-region stage (Config.Global, 05-global) is shown one region at a time: the topology,
// metrics and fault calls take ?region= (the first region when left out; an unknown one is a
// 400 naming the regions), the metrics list every region's state (down or not, its faults), and
// a whole region goes down with PUT /api/faults/region:<region>?kind=down and comes back with
// DELETE /api/faults/region:<region> (emulator.Global.SetRegionDown). A run resets every region
// (emulator.Global.Reset) and sends each order to its store's home region with the stage's
// failover, as make load does (Config.Targets). The provider and the kitchen are shared: their
// faults live in the first region and show in every region's view.
//
// Limitations: one load run at a time; percentiles are since the run started (the emulator is
// reset when a run starts: work still in flight from an earlier run, such as a workflow
// retrying, is not stopped and may write after the reset); rates and counts are per second,
// computed by the page from two polls (the first second shows none). An API destination is
// drawn to the kitchen or the provider when its endpoint is a template parameter whose name says
// so; any other third party's endpoint is not drawn. Edges into dead-letter queues are shown only for the selected
// resource. The kitchen's own call back to the API (POST /kitchen/ready) is not an edge. Edges
// that go backwards (a workflow emitting to the bus that started it) are drawn as loops.
package live

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

//go:embed index.html
var indexHTML []byte

// Config is what the dashboard needs of the stage: one started Emulator with its Template, or,
// for a multi-region stage, a started Global (after WaitReplicated) with each region's template.
type Config struct {
	Emulator *emulator.Emulator // a single-region stage, started
	Template []byte             // its template, for the API's integrations
	Global   *emulator.Global   // a multi-region stage instead, started, its seed data replicated
	// Templates is each region's template, by region, with Global.
	Templates map[string][]byte
	Stage     string           // its name, e.g. "03-crisis"
	Tracking  loadgen.Tracking // the stage's terminal statuses
	// Targets, when not nil, says where a run's orders go and how they are followed (BaseURL or
	// Regions, Client, Failover, Tracking's events); it is required with Global. Without it a
	// run goes to the Emulator's API.
	Targets func(*loadgen.Config)
	Seed    int64
}

// view is one region's emulator and topology; a single-region stage has one, named "".
type view struct {
	region   string
	emu      *emulator.Emulator
	topology Topology
}

// Dashboard serves the page and its API. Create it with New.
type Dashboard struct {
	cfg   Config
	views []view
	mux   *http.ServeMux

	mu      sync.Mutex // guards the fields below
	running context.CancelFunc
	line    *progressLine
	summary string
	reset   string // what the reset before the last run cleared
	runs    int
}

// New builds the dashboard for a started emulator.
func New(cfg Config) (*Dashboard, error) {
	var views []view
	switch {
	case cfg.Emulator != nil && cfg.Global != nil:
		return nil, errors.New("live: Config.Emulator and Config.Global are exclusive")
	case cfg.Emulator != nil:
		top, err := buildTopology(cfg.Emulator, cfg.Template)
		if err != nil {
			return nil, err
		}
		views = []view{{emu: cfg.Emulator, topology: top}}
	case cfg.Global != nil:
		if cfg.Targets == nil {
			return nil, errors.New("live: Config.Targets is required with Config.Global (where each region's orders go)")
		}
		for _, r := range cfg.Global.Regions() {
			top, err := buildTopology(cfg.Global.Region(r), cfg.Templates[r])
			if err != nil {
				return nil, fmt.Errorf("region %s: %w", r, err)
			}
			views = append(views, view{region: r, emu: cfg.Global.Region(r), topology: top})
		}
	default:
		return nil, errors.New("live: Config.Emulator or Config.Global is required")
	}
	d := &Dashboard{cfg: cfg, views: views, mux: http.NewServeMux()}
	d.mux.HandleFunc("GET /{$}", d.serveIndex)
	d.mux.HandleFunc("GET /api/topology", d.serveTopology)
	d.mux.HandleFunc("GET /api/metrics", d.serveMetrics)
	d.mux.HandleFunc("POST /api/load", d.startLoad)
	d.mux.HandleFunc("DELETE /api/load", d.stopLoad)
	d.mux.HandleFunc("PUT /api/faults/{resource...}", d.putFault)
	d.mux.HandleFunc("DELETE /api/faults", d.clearFaults)
	d.mux.HandleFunc("DELETE /api/faults/{resource...}", d.clearFault)
	return d, nil
}

// view picks the region a request names in ?region= (the first region when it names none); an
// unknown region is answered 400 here and returns false.
func (d *Dashboard) view(w http.ResponseWriter, r *http.Request) (view, bool) {
	name := r.URL.Query().Get("region")
	if name == "" {
		return d.views[0], true
	}
	for _, v := range d.views {
		if v.region == name && v.region != "" {
			return v, true
		}
	}
	if d.cfg.Global == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("stage %s runs in one region: leave out region (got %q)", d.cfg.Stage, name))
	} else {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("no region %q in stage %s; its regions are %s", name, d.cfg.Stage, strings.Join(d.cfg.Global.Regions(), ", ")))
	}
	return view{}, false
}

// regionFault is a region outage's fault name, as FAULT= and the admin API write it.
const regionFault = "region:"

// ServeHTTP serves the page and its API to the page itself and to clients that are not
// browsers: a request addressed to a host that is not a loopback name, or sent by a page of
// another origin, is refused with 403 (emulator.Guard), so that no web page the user visits can
// start load or switch faults.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	emulator.Guard{Handler: d.mux, Name: "the dashboard"}.ServeHTTP(w, r)
}

// Close stops a running load profile.
func (d *Dashboard) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running != nil {
		d.running()
	}
}

func (d *Dashboard) serveIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(indexHTML)
}

// TopologyView is GET /api/topology: one region's topology, and the stage's regions when it
// has several.
type TopologyView struct {
	Topology
	Region  string   `json:"region,omitempty"`
	Regions []string `json:"regions,omitempty"`
}

func (d *Dashboard) serveTopology(w http.ResponseWriter, r *http.Request) {
	v, ok := d.view(w, r)
	if !ok {
		return
	}
	out := TopologyView{Topology: v.topology, Region: v.region}
	if d.cfg.Global != nil {
		out.Regions = d.cfg.Global.Regions()
	}
	writeJSON(w, http.StatusOK, out)
}

// Metrics is GET /api/metrics.
type Metrics struct {
	Stage     string              `json:"stage"`
	AtMS      int64               `json:"at_ms"`
	Resources map[string]Resource `json:"resources"` // by node id
	Payment   payment.Stats       `json:"payment"`
	// AccountConcurrent is the account's concurrent executions now and at most since the run began.
	AccountConcurrent    int64                 `json:"account_concurrent"`
	AccountMaxConcurrent int64                 `json:"account_max_concurrent"`
	Faults               map[string]fault.Rule `json:"faults"`
	FaultText            map[string]string     `json:"fault_text"`
	Load                 LoadState             `json:"load"`
	// Region is the region these metrics are of, and Regions every region's state, for a
	// multi-region stage.
	Region  string        `json:"region,omitempty"`
	Regions []RegionState `json:"regions,omitempty"`
}

// RegionState is one region of a multi-region stage: whether it is down, and its faults.
type RegionState struct {
	Name   string   `json:"name"`
	Down   bool     `json:"down"`
	Faults []string `json:"faults"` // the resources with a fault on, the shared provider and kitchen in the first region
}

// Resource is one node's cumulative counters; the page turns them into per-second figures.
type Resource struct {
	Invocations   int64   `json:"invocations"`
	Errors        int64   `json:"errors"`
	Throttles     int64   `json:"throttles"`
	Timeouts      int64   `json:"timeouts"`
	ColdStarts    int64   `json:"cold_starts"`
	Concurrent    int64   `json:"concurrent"`
	MaxConcurrent int64   `json:"max_concurrent"`
	P99MS         float64 `json:"p99_ms"`
	// Counters are the service's own named counters: a workflow's ExecutionsStarted, a rule's
	// MatchedEvents, a queue's NumberOfMessagesSent, an AppSync API's published_events, …
	Counters map[string]int64 `json:"counters,omitempty"`
	// Queue is a queue's depth now (gauges, not counters).
	Queue *QueueDepth `json:"queue,omitempty"`
}

// QueueDepth is a queue's ApproximateNumberOfMessages gauges and the age of its oldest message.
type QueueDepth struct {
	Visible     int     `json:"visible"`
	InFlight    int     `json:"in_flight"`
	Delayed     int     `json:"delayed"`
	OldestAgeMS float64 `json:"oldest_age_ms"`
}

// LoadState is the load run as the page shows it.
type LoadState struct {
	Running bool   `json:"running"`
	Line    string `json:"line"`    // the load tool's own progress line
	Summary string `json:"summary"` // the last finished run's summary
	Reset   string `json:"reset"`   // what the reset before the last run cleared
	// Progress is the progress line's figures, for the page's chart; nil before the first line.
	Progress *Progress `json:"progress,omitempty"`
	Runs     int       `json:"runs"`
	Profiles []string  `json:"profiles"`
}

func (d *Dashboard) serveMetrics(w http.ResponseWriter, r *http.Request) {
	v, ok := d.view(w, r)
	if !ok {
		return
	}
	emu := v.emu
	m := Metrics{
		Stage:     d.cfg.Stage,
		AtMS:      time.Now().UnixMilli(),
		Resources: map[string]Resource{},
		Payment:   emu.Payment.Stats(),
		Faults:    emu.Faults().List(),
		FaultText: map[string]string{},
		Region:    v.region,
	}
	if g := d.cfg.Global; g != nil {
		// The provider and the kitchen are shared; their faults live in the first region.
		for id, rule := range d.views[0].emu.Faults().List() {
			if id == "payment" || id == "kitchen" {
				m.Faults[id] = rule
			}
		}
		for _, o := range d.views {
			st := RegionState{Name: o.region, Down: g.RegionDown(o.region), Faults: []string{}}
			for id := range o.emu.Faults().List() {
				st.Faults = append(st.Faults, id)
			}
			slices.Sort(st.Faults)
			m.Regions = append(m.Regions, st)
		}
	}
	for id, r := range m.Faults {
		m.FaultText[id] = r.String()
	}
	services := map[string]bool{}
	for _, s := range emu.Services() {
		services[s.Name()] = true
	}
	for _, s := range emu.Metrics().Snapshot() {
		if s.Kind == "lambda-account" {
			m.AccountConcurrent, m.AccountMaxConcurrent = s.Concurrent, s.MaxConcurrent
		}
		id := nodeID(services, s.Kind, s.Name)
		if id == "" {
			continue
		}
		m.Resources[id] = Resource{Invocations: s.Invocations, Errors: s.Errors, Throttles: s.Throttles, Timeouts: s.Timeouts,
			ColdStarts: s.ColdStarts, Concurrent: s.Concurrent, MaxConcurrent: s.MaxConcurrent, P99MS: s.DurationMS.P99,
			Counters: s.Counters}
	}
	queueDepths(v, m.Resources)
	d.mu.Lock()
	m.Load = LoadState{Running: d.running != nil, Summary: d.summary, Reset: d.reset, Runs: d.runs, Profiles: loadgen.Profiles()}
	if d.line != nil {
		m.Load.Line = d.line.String()
		m.Load.Progress = parseProgress(m.Load.Line)
	}
	d.mu.Unlock()
	writeJSON(w, http.StatusOK, m)
}

// queueDepths adds the depth of every queue of a view, read from the SQS service's model.
func queueDepths(v view, res map[string]Resource) {
	var q *sqs.Service
	for _, s := range v.emu.Services() {
		if s, ok := s.(*sqs.Service); ok {
			q = s
		}
	}
	if q == nil {
		return
	}
	for _, n := range v.topology.Nodes {
		if n.Kind != KindQueue && n.Kind != KindDLQ {
			continue
		}
		st, err := q.Stats(sim.ID(n.ID).Name())
		if err != nil {
			continue // deleted since the page was drawn
		}
		r := res[n.ID]
		r.Queue = &QueueDepth{Visible: st.Visible, InFlight: st.InFlight, Delayed: st.Delayed,
			OldestAgeMS: float64(st.OldestAge.Microseconds()) / 1000}
		res[n.ID] = r
	}
}

// nodeID names a metrics resource the way faults and the topology do: a service's resource by
// its sim.ID, the provider "payment".
func nodeID(services map[string]bool, kind, name string) string {
	switch {
	case services[kind]:
		return string(sim.NewID(kind, name))
	case kind == "external" && (name == "payment" || name == "kitchen"):
		return name
	}
	return ""
}

func (d *Dashboard) startLoad(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("profile")
	profile, err := loadgen.LoadProfile(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	scale := 1.0
	if v := r.URL.Query().Get("scale"); v != "" {
		if scale, err = strconv.ParseFloat(v, 64); err != nil || scale <= 0 || scale > 10 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("scale must be a number above 0 and at most 10, got %q", v))
			return
		}
	}
	if v := r.URL.Query().Get("grace"); v != "" {
		// How long accepted orders may take to finish: an outage holds some for minutes.
		grace, err := time.ParseDuration(v)
		if err != nil || grace <= 0 || grace > maxGrace {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("grace must be a duration above 0 and at most %v, such as 300s, got %q", maxGrace, v))
			return
		}
		profile.GraceS = grace.Seconds()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running != nil {
		writeError(w, http.StatusConflict, "a load profile is already running; stop it first")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.running, d.line, d.summary = cancel, &progressLine{}, ""
	cfg := loadgen.Config{
		Profile:  profile,
		Scale:    scale,
		Seed:     d.cfg.Seed,
		Stage:    d.cfg.Stage,
		Tracking: d.cfg.Tracking,
		Target:   "emulator",
		Progress: d.line,
	}
	if d.cfg.Targets != nil {
		d.cfg.Targets(&cfg)
	} else {
		cfg.BaseURL, cfg.Client = d.cfg.Emulator.APIURL(), d.cfg.Emulator.HTTPClient()
	}
	// Every run starts from the state the stage started in, so two runs of one profile compare.
	var reset emulator.ResetResult
	if d.cfg.Global != nil {
		reset, err = d.cfg.Global.Reset()
	} else {
		reset, err = d.cfg.Emulator.Reset()
	}
	if err != nil {
		cancel()
		d.running, d.line = nil, nil
		writeError(w, http.StatusInternalServerError, "could not reset the emulator before the run: "+err.Error())
		return
	}
	d.reset = resetLine(reset)
	go d.run(ctx, cfg)
	writeJSON(w, http.StatusAccepted, map[string]any{"profile": profile.Name, "scale": scale, "grace_s": profile.GraceS, "reset": d.reset})
}

// maxGrace bounds a run's grace from the page: an outage's held orders finish within minutes.
const maxGrace = 10 * time.Minute

// resetLine says what the reset before a run cleared, for the page.
func resetLine(r emulator.ResetResult) string {
	return fmt.Sprintf("Reset before the run: tables back to their seed data (%d items removed, %d put back), queues emptied (%d messages), %d warm Lambda environments dropped, metrics zeroed. Faults stay as they are.",
		r.ItemsRemoved, r.ItemsRestored, r.Messages, r.Environments)
}

func (d *Dashboard) run(ctx context.Context, cfg loadgen.Config) {
	res, err := loadgen.Run(ctx, cfg)
	var b bytes.Buffer
	switch {
	case err != nil:
		fmt.Fprintf(&b, "the run failed: %v", err)
	default:
		_ = loadgen.Summary(&b, res)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.running, d.summary = nil, b.String()
	d.runs++
}

func (d *Dashboard) stopLoad(w http.ResponseWriter, _ *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running == nil {
		writeError(w, http.StatusConflict, "no load profile is running")
		return
	}
	d.running()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "stopping: the answers in flight are awaited"})
}

// Fault kinds the page offers on a node.
var faultKinds = map[string]fault.Rule{
	"slow":      {Latency: 2 * time.Second},
	"failing":   {ErrorRate: 0.5},
	"throttled": {Throttle: true},
}

// putFault switches a fault on a resource of the region the request names, or, for a
// multi-region stage, takes a whole region down: PUT /api/faults/region:<region>?kind=down.
func (d *Dashboard) putFault(w http.ResponseWriter, r *http.Request) {
	resource := r.PathValue("resource")
	kind := r.URL.Query().Get("kind")
	if region, ok := strings.CutPrefix(resource, regionFault); ok {
		d.regionDown(w, region, kind)
		return
	}
	rule, ok := faultKinds[kind]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("kind must be slow, failing or throttled, got %q", kind))
		return
	}
	v, ok := d.view(w, r)
	if !ok {
		return
	}
	if err := d.faultTarget(v).PutFault(d.qualified(v, resource), rule); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"resource": resource, "region": v.region, "fault": rule.String()})
}

// faultSwitch is what puts faults on: the Emulator, or the Global with region-qualified names.
type faultSwitch interface {
	PutFault(resource string, rule fault.Rule) error
}

func (d *Dashboard) faultTarget(v view) faultSwitch {
	if d.cfg.Global != nil {
		return d.cfg.Global
	}
	return v.emu
}

// qualified names a view's resource for Global.PutFault: "<region>:<resource>", except the
// shared provider and kitchen.
func (d *Dashboard) qualified(v view, resource string) string {
	if d.cfg.Global == nil || resource == "payment" || resource == "kitchen" {
		return resource
	}
	return v.region + ":" + resource
}

func (d *Dashboard) regionDown(w http.ResponseWriter, region, kind string) {
	if d.cfg.Global == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("stage %s runs in one region: there is no region to take down", d.cfg.Stage))
		return
	}
	if kind != "down" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("a region's fault is kind=down, got %q", kind))
		return
	}
	if err := d.cfg.Global.SetRegionDown(region, true); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"resource": regionFault + region, "fault": "down"})
}

// clearFault switches one fault off: DELETE /api/faults/<resource>?region=R, or a region back
// up with DELETE /api/faults/region:<region>.
func (d *Dashboard) clearFault(w http.ResponseWriter, r *http.Request) {
	resource := r.PathValue("resource")
	if region, ok := strings.CutPrefix(resource, regionFault); ok && d.cfg.Global != nil {
		if err := d.cfg.Global.SetRegionDown(region, false); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	v, ok := d.view(w, r)
	if !ok {
		return
	}
	target := v.emu
	if d.cfg.Global != nil && (resource == "payment" || resource == "kitchen") {
		target = d.views[0].emu
	}
	if _, on := target.Faults().List()[resource]; !on {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no fault is on %q", resource))
		return
	}
	target.Faults().Clear(resource)
	w.WriteHeader(http.StatusNoContent)
}

// clearFaults switches every fault off, in every region, and brings every region back up.
func (d *Dashboard) clearFaults(w http.ResponseWriter, _ *http.Request) {
	for _, v := range d.views {
		faults := v.emu.Faults()
		for _, name := range faults.Names() {
			faults.Clear(name)
		}
		if d.cfg.Global != nil {
			_ = d.cfg.Global.SetRegionDown(v.region, false)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// Progress is what the load tool's progress line says, since the run started: the page turns
// two polls into per-second figures. A late answer to an order whose customer had already
// given up counts in Abandoned when the customer left and leaves InFlight when it comes.
type Progress struct {
	ElapsedS  float64 `json:"elapsed_s"`
	Offered   int64   `json:"offered"`
	InFlight  int64   `json:"in_flight"`
	Failed    int64   `json:"failed"`
	Abandoned int64   `json:"abandoned"`
	P99MS     float64 `json:"p99_ms"` // over the whole run so far, an abandoned order counting as the patience
}

// progressFigures matches loadgen's progress line: "<stage> <profile>  12.3/40 s  offered 245
// rate 38.0/s  in flight 120  p99 3.2s  failed 4  abandoned 17".
var progressFigures = regexp.MustCompile(`\s([0-9.]+)/[0-9.]+ s\s+offered (\d+)\s.*\sin flight (\d+)\s+p99 (\S+)\s+failed (\d+)\s+abandoned (\d+)`)

// parseProgress reads the figures of a progress line; nil when the line has none.
func parseProgress(line string) *Progress {
	f := progressFigures.FindStringSubmatch(line)
	if f == nil {
		return nil
	}
	p99, err := time.ParseDuration(f[4])
	if err != nil {
		return nil
	}
	num := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
	elapsed, _ := strconv.ParseFloat(f[1], 64)
	return &Progress{ElapsedS: elapsed, Offered: num(f[2]), InFlight: num(f[3]), Failed: num(f[5]), Abandoned: num(f[6]),
		P99MS: float64(p99) / float64(time.Millisecond)}
}

// progressLine keeps the last line the load tool drew (it rewrites its line with \r).
type progressLine struct {
	mu   sync.Mutex
	last string
}

func (p *progressLine) Write(b []byte) (int, error) {
	s := strings.TrimRight(string(b), " \n")
	if i := strings.LastIndexByte(s, '\r'); i >= 0 {
		s = s[i+1:]
	}
	if s = strings.TrimSpace(s); s != "" {
		p.mu.Lock()
		p.last = s
		p.mu.Unlock()
	}
	return len(b), nil
}

func (p *progressLine) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
