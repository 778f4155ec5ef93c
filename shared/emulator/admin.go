package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// adminPrefix is where the emulator's own API lives, beside the AWS APIs on the same port:
//
//	GET    /_emulator/resources           the provisioned resources and the AWS-only ones accepted
//	GET    /_emulator/metrics             every resource's metrics
//	GET    /_emulator/payment             the external payment provider's statistics
//	POST   /_emulator/metrics/reset       zero the metrics and forget the traces
//	POST   /_emulator/reset               the state the stage started in: tables as seeded, queues empty, no warm Lambda environment, metrics zero (faults stay)
//	GET    /_emulator/traces?slowest=N    the N slowest kept traces (default 5); ?recent=N likewise
//	GET    /_emulator/traces/{id}         one trace
//	GET    /_emulator/faults              the faults that are on
//	PUT    /_emulator/faults/{resource}   {"latency_ms": 500, "error_rate": 0.1, "throttle": true}
//	DELETE /_emulator/faults/{resource}   switch one off; DELETE /_emulator/faults switches all off
//
// A multi-region emulator (Global) serves the same routes for the region named by ?region=
// (default: the first), and adds:
//
//	GET    /_emulator/regions                   each region, whether it is down, its API URL
//	PUT    /_emulator/faults/region:{region}    {"down": true}: the region's outage begins
//	DELETE /_emulator/faults/region:{region}    the region is back
//	PUT    /_emulator/faults/{region}:{resource} a fault in one region; unqualified, in every region that has the resource
//	GET    /_emulator/faults                    every region's faults, region-qualified, and the regions down
//	DELETE /_emulator/faults                    every fault off and every region back
const adminPrefix = "/_emulator/"

// FaultRequest is the JSON body of PUT /_emulator/faults/{resource}.
type FaultRequest struct {
	LatencyMS int     `json:"latency_ms"`
	ErrorRate float64 `json:"error_rate"`
	Throttle  bool    `json:"throttle"`
	// Down, on region:<region> of a multi-region emulator, is a regional outage.
	Down bool `json:"down,omitempty"`
}

// TraceView is a trace as the admin API shows it.
type TraceView struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Started time.Time    `json:"started"`
	TotalMS float64      `json:"total_ms"`
	Outcome string       `json:"outcome"`
	Spans   []trace.Span `json:"spans"`
}

func viewTrace(t *trace.Trace) TraceView {
	return TraceView{ID: t.ID, Name: t.Name, Started: t.Started, TotalMS: float64(t.Total) / 1e6, Outcome: t.Outcome, Spans: t.Spans()}
}

func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, adminPrefix)
	switch {
	case rest == "resources" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, map[string]any{"stage": e.stage.Name, "resources": e.resources, "aws_only": e.ignored})
	case rest == "payment" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, e.Payment.Stats())
	case rest == "metrics" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, e.env.Metrics.Snapshot())
	case rest == "metrics/reset" && r.Method == http.MethodPost:
		e.env.Metrics.Reset()
		e.env.Traces.Reset()
		w.WriteHeader(http.StatusNoContent)
	case rest == "reset" && r.Method == http.MethodPost:
		res, err := e.Reset()
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, res)
	case rest == "traces" && r.Method == http.MethodGet:
		n := 5
		list := e.env.Traces.Slowest
		for _, k := range []string{"slowest", "recent"} {
			if v := r.URL.Query().Get(k); v != "" {
				i, err := strconv.Atoi(v)
				if err != nil || i < 1 {
					adminError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a whole number above 0, got %q", k, v))
					return
				}
				n = i
				if k == "recent" {
					list = e.env.Traces.Recent
				}
			}
		}
		out := []TraceView{}
		for _, t := range list(n) {
			out = append(out, viewTrace(t))
		}
		adminJSON(w, http.StatusOK, out)
	case strings.HasPrefix(rest, "traces/") && r.Method == http.MethodGet:
		t := e.env.Traces.Find(strings.TrimPrefix(rest, "traces/"))
		if t == nil {
			adminError(w, http.StatusNotFound, "no kept trace has that id (the emulator keeps the 200 most recent and the 200 slowest)")
			return
		}
		adminJSON(w, http.StatusOK, viewTrace(t))
	case rest == "faults" && r.Method == http.MethodGet:
		out := map[string]FaultRequest{}
		for k, f := range e.env.Faults.List() {
			out[k] = FaultRequest{LatencyMS: int(f.Latency / time.Millisecond), ErrorRate: f.ErrorRate, Throttle: f.Throttle}
		}
		adminJSON(w, http.StatusOK, out)
	case rest == "faults" && r.Method == http.MethodDelete:
		e.env.Faults.Clear("")
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(rest, "faults/") && r.Method == http.MethodPut:
		resource := strings.TrimPrefix(rest, "faults/")
		req, err := decodeFault(w, r)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		if req.Down {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("\"down\" is a regional outage: PUT it on region:<region> of a multi-region stage; stage %s runs one region (%s)", e.stage.Name, e.env.Region))
			return
		}
		rule, err := req.rule()
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := e.PutFault(resource, rule); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, map[string]any{"resource": resource, "fault": req})
	case strings.HasPrefix(rest, "faults/") && r.Method == http.MethodDelete:
		if err := e.env.Faults.Remove(strings.TrimPrefix(rest, "faults/")); err != nil {
			adminError(w, http.StatusNotFound, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		adminError(w, http.StatusNotFound, fmt.Sprintf("no admin route %s %s; see the emulator package doc for the list", r.Method, r.URL.Path))
	}
}

// maxFaultBody is the largest fault body the admin API reads; a fault is a few dozen bytes.
const maxFaultBody = 1 << 16

// faultExample is what a fault body looks like, for error messages.
const faultExample = `{"latency_ms":500,"error_rate":0.1,"throttle":true}`

// decodeFault reads a fault body: one JSON object with known fields and nothing after it.
func decodeFault(w http.ResponseWriter, r *http.Request) (FaultRequest, error) {
	var req FaultRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, fmt.Errorf("fault body is larger than %d bytes; it must be JSON like %s", maxFaultBody, faultExample)
		}
		return req, fmt.Errorf("fault body must be JSON like %s: %w", faultExample, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, fmt.Errorf("fault body must be one JSON object like %s, with nothing after it; found more after the object", faultExample)
	}
	return req, nil
}

// rule checks the request's values against fault.Rule's bounds, before any conversion can
// overflow (20000000000000 ms is not ~49 years of latency, it is a mistake).
func (req FaultRequest) rule() (fault.Rule, error) {
	maxMS := int(fault.MaxLatency / time.Millisecond)
	if req.LatencyMS < 0 || req.LatencyMS > maxMS {
		return fault.Rule{}, fmt.Errorf("latency_ms must be between 0 and %d (%v), got %d", maxMS, fault.MaxLatency, req.LatencyMS)
	}
	r := fault.Rule{Latency: time.Duration(req.LatencyMS) * time.Millisecond, ErrorRate: req.ErrorRate, Throttle: req.Throttle}
	if err := r.Validate(); err != nil {
		return fault.Rule{}, err
	}
	return r, nil
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]string{"error": msg})
}

// serveAdmin is a Global's admin API: the regions, regional outages and region-qualified
// faults; any other route goes to the region named by ?region= (default: the first).
func (g *Global) serveAdmin(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, adminPrefix)
	switch {
	case rest == "regions" && r.Method == http.MethodGet:
		type view struct {
			Region    string `json:"region"`
			StackName string `json:"stack_name"`
			Down      bool   `json:"down"`
			APIURL    string `json:"api_url,omitempty"`
			Resources int    `json:"resources"`
		}
		out := []view{}
		for _, rg := range g.regions {
			out = append(out, view{Region: rg.name, StackName: rg.emu.stage.StackName, Down: rg.emu.env.Down(), APIURL: rg.emu.APIURL(), Resources: len(rg.emu.resources)})
		}
		adminJSON(w, http.StatusOK, out)
		return
	case rest == "reset" && r.Method == http.MethodPost:
		if name := r.URL.Query().Get("region"); name != "" {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("the regions of stage %s are reset together: POST /_emulator/reset without region (got region=%s)", g.stage.Name, name))
			return
		}
		res, err := g.Reset()
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, res)
		return
	case rest == "faults" && r.Method == http.MethodGet && r.URL.Query().Get("region") == "":
		out := map[string]FaultRequest{}
		for _, rg := range g.regions {
			if rg.emu.env.Down() {
				out["region:"+rg.name] = FaultRequest{Down: true}
			}
			for k, f := range rg.emu.env.Faults.List() {
				out[rg.name+":"+k] = FaultRequest{LatencyMS: int(f.Latency / time.Millisecond), ErrorRate: f.ErrorRate, Throttle: f.Throttle}
			}
		}
		adminJSON(w, http.StatusOK, out)
		return
	case rest == "faults" && r.Method == http.MethodDelete && r.URL.Query().Get("region") == "":
		for _, rg := range g.regions {
			rg.emu.env.Faults.Clear("")
			_ = g.SetRegionDown(rg.name, false)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasPrefix(rest, "faults/region:"):
		name := strings.TrimPrefix(rest, "faults/region:")
		down := r.Method == http.MethodPut
		switch r.Method {
		case http.MethodPut:
			req, err := decodeFault(w, r)
			if err != nil || !req.Down || req != (FaultRequest{Down: true}) {
				adminError(w, http.StatusBadRequest, "a region fault's body is {\"down\":true}: the region's outage (DELETE ends it)")
				return
			}
		case http.MethodDelete:
		default:
			adminError(w, http.StatusMethodNotAllowed, "PUT {\"down\":true} or DELETE /_emulator/faults/region:<region>")
			return
		}
		if !down && g.byName[name] != nil && !g.RegionDown(name) {
			adminError(w, http.StatusNotFound, fmt.Sprintf("region %s is not down; the faults on are: %s", name, g.faultNames()))
			return
		}
		if err := g.SetRegionDown(name, down); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		if down {
			adminJSON(w, http.StatusOK, map[string]any{"resource": "region:" + name, "fault": FaultRequest{Down: true}})
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasPrefix(rest, "faults/") && r.URL.Query().Get("region") == "":
		resource := strings.TrimPrefix(rest, "faults/")
		switch r.Method {
		case http.MethodPut:
			req, err := decodeFault(w, r)
			if err != nil {
				adminError(w, http.StatusBadRequest, err.Error())
				return
			}
			if req.Down {
				adminError(w, http.StatusBadRequest, fmt.Sprintf("\"down\" is a regional outage: PUT it on region:<region>, one of %s", strings.Join(g.Regions(), ", ")))
				return
			}
			rule, err := req.rule()
			if err != nil {
				adminError(w, http.StatusBadRequest, err.Error())
				return
			}
			if err := g.PutFault(resource, rule); err != nil {
				adminError(w, http.StatusBadRequest, err.Error())
				return
			}
			adminJSON(w, http.StatusOK, map[string]any{"resource": resource, "fault": req})
			return
		case http.MethodDelete:
			if !g.faultOn(resource) {
				adminError(w, http.StatusNotFound, fmt.Sprintf("no fault is on on %q; the faults on are: %s", resource, g.faultNames()))
				return
			}
			g.ClearFault(resource)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	rg := g.regions[0]
	if name := r.URL.Query().Get("region"); name != "" {
		if rg = g.byName[name]; rg == nil {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("no region %q in stage %s; its regions are %s", name, g.stage.Name, strings.Join(g.Regions(), ", ")))
			return
		}
	}
	rg.emu.serveAdmin(w, r)
}

// faultOn reports whether a fault named as ClearFault names it is on in any of its regions.
func (g *Global) faultOn(resource string) bool {
	targets, name, err := g.faultRegions(resource)
	if err != nil {
		return false
	}
	for _, r := range targets {
		if _, ok := r.emu.env.Faults.Lookup(name); ok {
			return true
		}
	}
	return false
}

// faultNames lists the faults on, region-qualified as GET /_emulator/faults shows them, or "none".
func (g *Global) faultNames() string {
	var out []string
	for _, rg := range g.regions {
		if rg.emu.env.Down() {
			out = append(out, "region:"+rg.name)
		}
		for _, k := range rg.emu.env.Faults.Names() {
			out = append(out, rg.name+":"+k)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
