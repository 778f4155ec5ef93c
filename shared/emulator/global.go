package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	dynamodbmodel "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// RegionalStack is one region's stack of a multi-region stage.
type RegionalStack struct {
	Region     string // "eu-west-1"
	StackName  string
	Template   []byte
	Parameters map[string]any
}

// GlobalStage is a stage deployed to several regions; its stacks share the handlers.
type GlobalStage struct {
	Name string
	// Stacks are provisioned in this order: a stack holding an AWS::DynamoDB::GlobalTable comes
	// before the stacks that use its replicas by name. One stack per region.
	Stacks   []RegionalStack
	Handlers map[string]lambda.Constructor
}

// Global is a stage running in several regions of one emulator process: one *Emulator per
// region, each with its own services, quotas, metrics, faults and traces, and one payment
// provider and one kitchen shared by every region (third parties with regional endpoints: a
// payment's idempotency key is global). See the package doc's "Several regions".
type Global struct {
	stage       GlobalStage
	addr        string
	readTimeout time.Duration
	regions     []*region // in stack order
	byName      map[string]*region
	owners      map[string]*region // API Gateway and AppSync API ids → the region that owns them

	payment *payment.Provider
	kitchen *kitchen.Kitchen
	origins sync.Map // order id → *region whose handler sent the kitchen ticket

	mu        sync.Mutex
	listener  net.Listener
	server    *http.Server
	baseURL   string
	baselines map[string]*dynamodbmodel.Snapshot // region → its tables once seeded everywhere, for Reset
}

// region is one region of a Global.
type region struct {
	name  string
	emu   *Emulator
	local *inProcess // the region's own router, in process
}

// NewGlobal builds every region's services first, links their DynamoDB services for global
// tables, then provisions the stacks in order. opts apply to every region, except Region (each
// stack's) and Addr (Start listens once for all regions).
func NewGlobal(stage GlobalStage, opts Options) (*Global, error) {
	if len(stage.Stacks) == 0 {
		return nil, fmt.Errorf("stage %s: a global stage needs at least one regional stack", stage.Name)
	}
	g := &Global{stage: stage, addr: opts.Addr, readTimeout: opts.ReadTimeout, byName: map[string]*region{}, owners: map[string]*region{}}
	fail := func(err error) (*Global, error) {
		_ = g.Close()
		return nil, err
	}
	tmpls := make([]*cfn.Template, 0, len(stage.Stacks))
	for i, st := range stage.Stacks {
		if st.Region == "" {
			return fail(fmt.Errorf("stage %s: stack %d (%s) has no Region", stage.Name, i, st.StackName))
		}
		if _, dup := g.byName[st.Region]; dup {
			return fail(fmt.Errorf("stage %s: two stacks in region %s; the emulator runs one stack per region", stage.Name, st.Region))
		}
		o := opts
		o.Region, o.Addr = st.Region, ""
		e, tmpl, err := build(Stage{Name: stage.Name, StackName: st.StackName, Template: st.Template,
			Handlers: stage.Handlers, Parameters: st.Parameters}, o, g)
		if err != nil {
			return fail(fmt.Errorf("region %s: %w", st.Region, err))
		}
		r := &region{name: st.Region, emu: e, local: &inProcess{handler: http.HandlerFunc(e.serve)}}
		g.regions = append(g.regions, r)
		g.byName[st.Region] = r
		tmpls = append(tmpls, tmpl)
	}
	peers := make(map[string]*dynamodb.Service, len(g.regions))
	for _, r := range g.regions {
		peers[r.name] = r.emu.DynamoDB
	}
	dynamodb.Link(peers)
	for i, tmpl := range tmpls {
		if err := g.regions[i].emu.provision(tmpl); err != nil {
			return fail(fmt.Errorf("stage %s, region %s: %w", stage.Name, g.regions[i].name, err))
		}
	}
	for _, r := range g.regions {
		for _, api := range r.emu.APIGateway.APIs() {
			g.owners[api.ID] = r
		}
		for _, s := range r.emu.services {
			if as, ok := s.(*appsync.Service); ok {
				for _, api := range as.Model().APIs() {
					g.owners[api.ID] = r
				}
			}
		}
	}
	return g, nil
}

// Regions lists the regions in stack order.
func (g *Global) Regions() []string {
	out := make([]string, len(g.regions))
	for i, r := range g.regions {
		out[i] = r.name
	}
	return out
}

// Region returns one region's emulator, nil if the stage has no stack there.
func (g *Global) Region(name string) *Emulator {
	if r := g.byName[name]; r != nil {
		return r.emu
	}
	return nil
}

// Emulators lists the regions' emulators in stack order.
func (g *Global) Emulators() []*Emulator {
	out := make([]*Emulator, len(g.regions))
	for i, r := range g.regions {
		out[i] = r.emu
	}
	return out
}

// Config is the in-process SDK config for a region: its requests are signed for that region
// and so reach it. An unknown region gets a config whose requests are refused with the list of
// regions, as the emulator's router answers them.
func (g *Global) Config(region string) aws.Config {
	cfg := g.regions[0].emu.Config()
	cfg.Region = region
	cfg.HTTPClient = g.HTTPClient()
	return cfg
}

// HTTPClient is the in-process client for any URL the emulator serves: signed requests go to
// their credential scope's region, API invoke URLs to the region owning the API.
func (g *Global) HTTPClient() *http.Client {
	return &http.Client{Transport: &globalTransport{g: g, fallback: g.regions[0]}}
}

// Start opens one loopback listener for every region (Options.Addr; nothing without it).
func (g *Global) Start(_ context.Context) error {
	if g.addr == "" {
		return nil
	}
	l, err := listenLoopback(g.addr)
	if err != nil {
		return err
	}
	srv := NewServer(Guard{Handler: http.HandlerFunc(g.serveHTTP), Name: "the emulator", AWSHosts: true, CrossOrigin: g.crossOrigin}, g.readTimeout)
	g.mu.Lock()
	g.listener, g.server, g.baseURL = l, srv, "http://"+l.Addr().String()
	g.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
	return nil
}

// URL is the AWS endpoint of every region on the loopback port ("" when not listening).
func (g *Global) URL() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.baseURL
}

// APIURL is the base URL of a region's first API ("" for an unknown region or one without an
// API), on the loopback port when listening, else on the in-process host HTTPClient reaches.
func (g *Global) APIURL(region string) string {
	if r := g.byName[region]; r != nil {
		return r.emu.APIURL()
	}
	return ""
}

// SetRegionDown starts (true) or ends (false) an emulated outage of a region: its endpoints
// fail (in process with a connection error, on the loopback port with 503
// ServiceUnavailable), calls between its services answer 503 ServiceUnavailable (so its
// pollers and workflows retry per their own policies), and global table replication to and
// from it is held and catches up after. The other regions keep working.
func (g *Global) SetRegionDown(region string, down bool) error {
	r := g.byName[region]
	if r == nil {
		return fmt.Errorf("no region %q in stage %s; its regions are %s", region, g.stage.Name, strings.Join(g.Regions(), ", "))
	}
	r.emu.env.SetDown(down)
	r.emu.DynamoDB.SetRegionDown(down)
	return nil
}

// RegionDown reports whether a region is down (false for an unknown region).
func (g *Global) RegionDown(region string) bool {
	r := g.byName[region]
	return r != nil && r.emu.env.Down()
}

// PutFault switches a fault on. The resource is a region's fault resource qualified by the
// region, "eu-west-1:lambda:<function>", or unqualified, which puts it in every region that
// has it ("payment" and "kitchen" are shared, so they live in the first region).
func (g *Global) PutFault(resource string, rule fault.Rule) error {
	targets, name, err := g.faultRegions(resource)
	if err != nil {
		return err
	}
	for _, r := range targets {
		if err := r.emu.PutFault(name, rule); err != nil {
			return fmt.Errorf("region %s: %w", r.name, err)
		}
	}
	return nil
}

// ClearFault switches off a fault PutFault switched on, named the same way.
func (g *Global) ClearFault(resource string) {
	targets, name, err := g.faultRegions(resource)
	if err != nil {
		return
	}
	for _, r := range targets {
		r.emu.env.Faults.Clear(name)
	}
}

// faultRegions resolves a fault's resource name to the regions it applies to.
func (g *Global) faultRegions(resource string) ([]*region, string, error) {
	if reg, name, ok := strings.Cut(resource, ":"); ok {
		if r := g.byName[reg]; r != nil {
			return []*region{r}, name, nil
		}
	}
	if resource == "payment" || resource == "kitchen" {
		return g.regions[:1], resource, nil
	}
	var out []*region
	var known []string
	for _, r := range g.regions {
		rs := r.emu.FaultResources()
		name := resource
		if table, _, ok := strings.Cut(resource, "/"); ok && strings.HasPrefix(resource, "dynamodb:") {
			name = table
		}
		if slices.Contains(rs, name) {
			out = append(out, r)
		}
		for _, n := range rs {
			if n != "payment" && n != "kitchen" {
				known = append(known, r.name+":"+n)
			}
		}
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("no resource %q to put a fault on in stage %s; the resources are payment, kitchen, %s, each also without its region to mean every region that has it (a DynamoDB one may end in /<partition key value>), and region:<region> for an outage",
			resource, g.stage.Name, strings.Join(known, ", "))
	}
	return out, resource, nil
}

// Close stops the listener, closes every region (the last first) and the shared kitchen.
func (g *Global) Close() error {
	g.mu.Lock()
	srv := g.server
	g.mu.Unlock()
	var errs []error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, srv.Shutdown(ctx))
	}
	for i := len(g.regions) - 1; i >= 0; i-- {
		if err := g.regions[i].emu.Close(); err != nil {
			errs = append(errs, fmt.Errorf("region %s: %w", g.regions[i].name, err))
		}
	}
	if g.kitchen != nil {
		g.kitchen.Close()
	}
	return errors.Join(errs...)
}

// route picks the region a request is for: the credential scope's region of a signed request
// (the Authorization header's or a presigned URL's X-Amz-Credential), else the region owning the
// API id in the path (API Gateway, AppSync Events) or named in an AWS host name, else fallback.
// Requests to the payment provider and the kitchen stay with fallback: they are not AWS's, and a
// region's outage does not take them down. An unknown signed region is unknown.
func (g *Global) route(r *http.Request, fallback *region) (target *region, external bool, unknown string) {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == payment.InternalHost || host == kitchen.InternalHost {
		return fallback, true, ""
	}
	if name, ok := signedRegion(r); ok {
		if t := g.byName[name]; t != nil {
			return t, false, ""
		}
		return nil, false, name
	}
	if id := pathAPIID(r.URL.Path); id != "" {
		if t := g.owners[id]; t != nil {
			return t, false, ""
		}
	}
	if name := hostRegion(host); name != "" {
		if t := g.byName[name]; t != nil {
			return t, false, ""
		}
	}
	return fallback, false, ""
}

// signedRegion reads the region of a SigV4 credential scope, AKID/date/region/service/
// aws4_request, from the Authorization header or a presigned URL's X-Amz-Credential
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
func signedRegion(r *http.Request) (string, bool) {
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			return scopeRegion(a[i+len("Credential="):])
		}
	}
	if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
			return scopeRegion(c)
		}
	}
	return "", false
}

// scopeRegion returns the third field of a credential scope.
func scopeRegion(scope string) (string, bool) {
	for range 2 {
		i := strings.IndexByte(scope, '/')
		if i < 0 {
			return "", false
		}
		scope = scope[i+1:]
	}
	if i := strings.IndexByte(scope, '/'); i >= 0 {
		return scope[:i], true
	}
	return "", false
}

// pathAPIID is the API id of an invoke path: /restapis/{id}/…, /apis/{id}/… or /appsync/{id}/….
func pathAPIID(p string) string {
	for _, prefix := range []string{"/restapis/", "/apis/", appsync.PathPrefix} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			id, _, _ := strings.Cut(rest, "/")
			return id
		}
	}
	return ""
}

// hostRegion reads the region of an AWS host name, "<id>.execute-api.<region>.amazonaws.com"
// or "<service>.<region>.amazonaws.com".
func hostRegion(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	rest, ok := strings.CutSuffix(host, ".amazonaws.com")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		return rest[i+1:]
	}
	return ""
}

// unknownRegion answers a request signed for a region the stage is not in, as AWS answers a
// credential scoped to a region the endpoint does not serve: 403 with the scope's region named.
func (g *Global) unknownRegion(w http.ResponseWriter, name string) {
	msg := fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. The emulator runs stage %s in %s: set the client's region to one of them (aws --region, AWS_REGION).",
		name, g.stage.Name, strings.Join(g.Regions(), ", "))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", "InvalidSignatureException")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidSignatureException", "message": msg, "Message": msg})
}

// globalTransport is the in-process transport of a Global and of each of its regions: it routes
// every request to its region, and fails it as a refused connection when that region is down.
type globalTransport struct {
	g        *Global
	fallback *region // where requests that name no region go: the region whose client this is
}

func (t *globalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	fallback := t.fallback
	if fallback == nil { // a region's own client, before NewGlobal finished
		return nil, errors.New("the emulator's regions are still being built")
	}
	target, external, unknown := t.g.route(req, fallback)
	if unknown != "" {
		return (&inProcess{handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { t.g.unknownRegion(w, unknown) })}).RoundTrip(req)
	}
	if !external && target.emu.env.Down() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused: region %s is down (emulated outage)", target.name)}
	}
	return target.local.RoundTrip(req)
}

// router is the transport a region's clients use (handlers' SDK clients, API destinations,
// custom resources' responses): requests naming no region stay in the region.
func (g *Global) router(e *Emulator) http.RoundTripper {
	return &regionTransport{g: g, e: e}
}

// regionTransport finds its region once NewGlobal has registered it.
type regionTransport struct {
	g *Global
	e *Emulator
}

func (t *regionTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return (&globalTransport{g: t.g, fallback: t.g.byName[t.e.env.Region]}).RoundTrip(req)
}

// serveHTTP is the loopback port of every region: the Global's admin API, then the request's
// region, which answers 503 ServiceUnavailable while it is down.
func (g *Global) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		g.serveAdmin(w, r)
		return
	}
	target, external, unknown := g.route(r, g.regions[0])
	switch {
	case unknown != "":
		g.unknownRegion(w, unknown)
	case !external && target.emu.env.Down():
		msg := fmt.Sprintf("region %s is unavailable (emulated regional outage)", target.name)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "ServiceUnavailable")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ServiceUnavailable", "message": msg, "Message": msg})
	default:
		target.emu.serve(w, r)
	}
}

// crossOrigin asks the request's region what AWS answers for pages of other origins.
func (g *Global) crossOrigin(r *http.Request, origin string) bool {
	target, external, _ := g.route(r, g.regions[0])
	return target != nil && !external && target.emu.crossOrigin(r, origin)
}

// kitchenOrigin remembers which region sent each kitchen ticket, so the ticket is marked ready
// in that region: its task token belongs to that region's Step Functions.
func (g *Global) kitchenOrigin(e *Emulator, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == kitchen.TicketsPath && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
			_ = r.Body.Close()
			if err == nil {
				var t struct {
					OrderID string `json:"order_id"`
				}
				if json.Unmarshal(body, &t) == nil && t.OrderID != "" {
					g.origins.Store(t.OrderID, g.byName[e.env.Region])
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	})
}

// kitchenReady marks a finished ticket ready in the region that sent it (the store's home
// region if that is unknown). While that region is down the call fails and the kitchen retries.
func (g *Global) kitchenReady(ctx context.Context, t kitchen.Ticket) error {
	var r *region
	if v, ok := g.origins.Load(t.OrderID); ok {
		r, _ = v.(*region)
	}
	if r == nil {
		if s, ok := bakery.StoreByID(t.StoreID); ok {
			r = g.byName[s.Region]
		}
	}
	if r == nil {
		r = g.regions[0]
	}
	if err := r.emu.readyAtAPI(ctx, t); err != nil {
		return err
	}
	g.origins.Delete(t.OrderID)
	return nil
}

// WaitReplicated returns once no global table write of any region waits for replication (what a
// stack's seed data wrote while it was provisioned), or with ctx's error. On AWS the secondary
// region's stack deploys after the primary's, and replication has long finished before traffic
// arrives; an offline run must not start before it either, or its first orders in the secondary
// region find no menu.
func (g *Global) WaitReplicated(ctx context.Context) error {
	for {
		pending := 0
		for _, r := range g.regions {
			pending += r.emu.DynamoDB.ReplicationPendingAll()
		}
		if pending == 0 {
			g.recordBaselines()
			return nil
		}
		if err := g.regions[0].emu.env.Sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for %d replicated writes: %w", pending, err)
		}
	}
}

// recordBaselines records, the first time, every region's tables for Reset.
func (g *Global) recordBaselines() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.baselines != nil {
		return
	}
	g.baselines = map[string]*dynamodbmodel.Snapshot{}
	for _, r := range g.regions {
		if r.emu.DynamoDB != nil {
			g.baselines[r.name] = r.emu.DynamoDB.Snapshot()
		}
	}
}
