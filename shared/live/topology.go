package live

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Topology is the stage as the page draws it: its resources, and who sends work to whom.
type Topology struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is one resource. Its ID is the name faults and metrics use (the sim.ID, e.g.
// "lambda:<name>", "sqs:<queue>", "states:<machine>", or "payment" and "kitchen").
type Node struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // see the kind constants
	// Label is the construct's name (its CDK path or logical id without the stack's prefix and
	// CDK's hash), Detail what it is (memory and timeout, "standard workflow", "DLQ of …").
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"`
	// Depth is the node's layer, left to right: the longest path to it from the API (or from
	// whatever starts work), with tables and external actors after everything else.
	Depth int `json:"depth"`
}

// Edge is work sent from one resource to another: an API integration, an Invoke, a rule's
// target, a task of a workflow, a table access, a pipe's source or target, an event source
// mapping, a dead-letter queue.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Kind  string `json:"kind,omitempty"`  // "" for work, EdgeESM, EdgeDLQ
	Label string `json:"label,omitempty"` // "ESM" on a mapping's edge
	Via   string `json:"via,omitempty"`   // the mapping's own id, for its metrics and faults
}

// Node kinds.
const (
	KindAPI         = "api"
	KindWorkflow    = "workflow" // a Step Functions state machine
	KindBus         = "bus"
	KindRule        = "rule"
	KindQueue       = "queue"
	KindDLQ         = "dlq" // a queue that only receives what failed elsewhere
	KindPipe        = "pipe"
	KindFunction    = "function"
	KindDestination = "apidestination"
	KindTable       = "table"
	KindEvents      = "appsync" // an AppSync Events API: the phones' channel
	KindProvider    = "provider"
	KindExternal    = "external" // the kitchen
)

// Edge kinds.
const (
	EdgeESM = "esm"
	EdgeDLQ = "dlq"
)

// kinds are how the page draws a service's resources; a service not listed draws as its name.
var kinds = map[string]string{
	"apigateway": KindAPI, "lambda": KindFunction, "dynamodb": KindTable, "states": KindWorkflow,
	"sqs": KindQueue, "pipes": KindPipe, "apidestination": KindDestination, "appsync": KindEvents,
}

// sinks are drawn in the last layers, whatever their distance from the API: a table is written
// from every layer, and an external actor is where the flow leaves the stack.
var sinks = map[string]int{KindTable: 1, KindEvents: 1, KindProvider: 1, KindExternal: 1, KindDLQ: 2}

// buildTopology asks the emulator's services for their resources and whom they send work to (an
// API its integrations' functions, a rule its targets, a workflow its tasks' resources, a pipe
// and a mapping their source and target); a function also calls a resource whose physical name
// is in its environment, and the provider when its URL is. The template adds what the services
// do not say: the API's service integrations, which queues are dead-letter queues, a function's
// on-failure destination, where an API destination points, a state machine's type, and the
// construct names for the labels.
func buildTopology(emu *emulator.Emulator, template []byte) (Topology, error) {
	var fns []*lambda.Function
	if emu.Lambda != nil {
		fns = emu.Lambda.Functions()
	}
	return assemble(emu.SimResources(), emu.Resources(), fns, parseTemplate(template)), nil
}

// assemble is buildTopology on plain values, so that it can be tested on hand-built resources.
func assemble(resources []sim.Resource, provisioned []emulator.Resource, fns []*lambda.Function, tmpl templateInfo) Topology {
	var t Topology
	nodes := map[string]*Node{}
	cdk := map[string]string{} // logical id → CDK path
	for _, r := range provisioned {
		cdk[r.LogicalID] = r.CDKPath
	}
	byLogical := map[string]string{}  // logical id → node id
	byPhysical := map[string]string{} // physical name → node id
	queueNames := map[string]string{} // queue node id → label, for the DLQs' details
	var mappings []sim.Resource
	for _, r := range resources {
		id := string(r.ID)
		service := r.ID.Service()
		if service == "esm" {
			mappings = append(mappings, r) // drawn as an edge
			continue
		}
		if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource" {
			continue // a deploy-time step, not part of the flow
		}
		kind, ok := kinds[service]
		if !ok {
			kind = service
		}
		label := shortName(cdk[r.LogicalID], r)
		n := Node{ID: id, Kind: kind, Label: label}
		switch {
		case kind == KindAPI:
			n.Label = "API Gateway " + label
			n.Detail = "the customers' API"
		case kind == KindTable:
			n.Detail = "DynamoDB table"
		case kind == KindWorkflow:
			if strings.EqualFold(tmpl.machineType[r.LogicalID], "EXPRESS") {
				n.Label, n.Detail = label+" (express)", "express workflow"
			} else {
				n.Label, n.Detail = label+" (standard)", "standard workflow"
			}
		case kind == KindQueue && tmpl.dlq[r.LogicalID]:
			n.Kind, n.Detail = KindDLQ, "dead-letter queue"
		case kind == KindQueue:
			n.Detail = "SQS queue"
		case kind == KindPipe:
			n.Detail = "EventBridge Pipe"
		case kind == KindDestination:
			n.Label, n.Detail = label+" (API destination)", "EventBridge API destination"
		case kind == KindEvents:
			n.Label, n.Detail = "AppSync "+label, "live status channels"
		case service == "events" && r.Type == "AWS::Events::EventBus":
			if r.Physical == "default" && len(r.Targets) == 0 {
				continue // every account has it; drawn only when a rule uses it
			}
			n.Kind, n.Label, n.Detail = KindBus, "bus "+r.Physical, "EventBridge bus"
		case service == "events":
			n.Kind, n.Detail = KindRule, "EventBridge rule"
		}
		if kind == KindQueue {
			queueNames[id] = label
		}
		nodes[id] = &n
		byPhysical[r.Physical] = id
		if r.LogicalID != "" {
			byLogical[r.LogicalID] = id
		}
	}
	fnByID := map[string]*lambda.Function{}
	for _, f := range fns {
		fnByID["lambda:"+f.Name] = f
	}
	for id, f := range fnByID {
		if n := nodes[id]; n != nil {
			n.Detail = fmt.Sprintf("%d MB, %v", f.MemoryMB, f.Timeout)
			if f.Reserved != nil {
				n.Detail += fmt.Sprintf(", reserved %d", *f.Reserved)
			}
		}
	}
	external := func(id string) string {
		if nodes[id] == nil {
			switch id {
			case "payment":
				nodes[id] = &Node{ID: id, Kind: KindProvider, Label: "payment provider", Detail: "third party, fixed capacity"}
			case "kitchen":
				nodes[id] = &Node{ID: id, Kind: KindExternal, Label: "kitchen", Detail: "tablets and bakers"}
			}
		}
		return id
	}

	seen := map[Edge]bool{}
	link := func(e Edge) {
		if e.From != "" && e.To != "" && e.From != e.To && !seen[e] && nodes[e.From] != nil && nodes[e.To] != nil {
			seen[e] = true
			t.Edges = append(t.Edges, e)
		}
	}
	work := func(from, to string) {
		e := Edge{From: from, To: to}
		if n := nodes[to]; n != nil && n.Kind == KindDLQ {
			e.Kind = EdgeDLQ
		}
		link(e)
	}
	for _, r := range resources {
		for _, to := range r.Targets {
			work(string(r.ID), string(to))
		}
		if r.ID.Service() == "pipes" {
			for _, from := range r.Sources {
				work(string(from), string(r.ID))
			}
		}
		f := fnByID[string(r.ID)]
		if f == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
			v := f.Environment[k]
			switch {
			case byPhysical[v] != "":
				work(string(r.ID), byPhysical[v])
			case strings.Contains(v, payment.InternalHost):
				work(string(r.ID), external("payment"))
			case strings.Contains(v, kitchen.InternalHost):
				work(string(r.ID), external("kitchen"))
			}
		}
	}
	for _, m := range mappings {
		for _, from := range m.Sources {
			for _, to := range m.Targets {
				link(Edge{From: string(from), To: string(to), Kind: EdgeESM, Label: "ESM", Via: string(m.ID)})
			}
		}
	}
	for _, e := range tmpl.edges {
		from, to := byLogical[e.from], byLogical[e.to]
		switch {
		case e.param != "" && strings.Contains(strings.ToLower(e.param), "kitchen"):
			to = external("kitchen")
		case e.param != "" && strings.Contains(strings.ToLower(e.param), "payment"):
			to = external("payment")
		}
		work(from, to)
	}
	for _, n := range nodes {
		if n.Kind != KindDLQ {
			continue
		}
		var of []string
		for _, e := range t.Edges {
			if e.To == n.ID {
				of = append(of, nodes[e.From].Label)
			}
		}
		slices.Sort(of)
		switch {
		case len(of) == 1:
			n.Detail = "DLQ of " + of[0]
		case len(of) > 1:
			n.Detail = fmt.Sprintf("DLQ of %d resources", len(of))
		}
	}

	setDepths(nodes, t.Edges)
	for _, id := range slices.Sorted(maps.Keys(nodes)) {
		t.Nodes = append(t.Nodes, *nodes[id])
	}
	sort.SliceStable(t.Nodes, func(i, j int) bool { return t.Nodes[i].Depth < t.Nodes[j].Depth })
	sort.Slice(t.Edges, func(i, j int) bool {
		return t.Edges[i].From+" "+t.Edges[i].To < t.Edges[j].From+" "+t.Edges[j].To
	})
	return t
}

// setDepths layers the graph so that work flows left to right: the edges that close a cycle
// (a workflow emitting to the bus whose rule started it) are dropped, found by a depth-first
// walk from the APIs and then from every other node without callers; each node then sits one
// layer after its deepest caller, except a bus's rules, which share the bus's layer. Tables and external actors go to the layer after the deepest
// other node, dead-letter queues to the one after that.
func setDepths(nodes map[string]*Node, edges []Edge) {
	out := map[string][]string{}
	in := map[string]int{}
	for _, e := range edges {
		if e.Kind == EdgeDLQ {
			continue
		}
		out[e.From] = append(out[e.From], e.To)
		in[e.To]++
	}
	ids := slices.Sorted(maps.Keys(nodes))
	var roots []string
	for _, id := range ids {
		if nodes[id].Kind == KindAPI {
			roots = append(roots, id)
		}
	}
	for _, id := range ids {
		if nodes[id].Kind != KindAPI && in[id] == 0 {
			roots = append(roots, id)
		}
	}
	roots = append(roots, ids...) // what is left is on a cycle nothing else reaches
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	back := map[[2]string]bool{}
	var order []string // reverse postorder: a topological order without the back edges
	var visit func(id string)
	visit = func(id string) {
		state[id] = open
		for _, next := range out[id] {
			switch state[next] {
			case unseen:
				visit(next)
			case open:
				back[[2]string{id, next}] = true
			}
		}
		state[id] = done
		order = append(order, id)
	}
	for _, id := range roots {
		if state[id] == unseen {
			visit(id)
		}
	}
	slices.Reverse(order)
	depth := map[string]int{}
	for _, id := range order {
		if sinks[nodes[id].Kind] > 0 {
			continue
		}
		for _, next := range out[id] {
			step := 1
			if nodes[id].Kind == KindBus && nodes[next] != nil && nodes[next].Kind == KindRule {
				step = 0 // a bus's rules are drawn under it, in its column
			}
			if !back[[2]string{id, next}] {
				depth[next] = max(depth[next], depth[id]+step)
			}
		}
	}
	deepest := 0
	for id, n := range nodes {
		if sinks[n.Kind] == 0 {
			n.Depth = depth[id]
			deepest = max(deepest, n.Depth)
		}
	}
	for _, n := range nodes {
		if s := sinks[n.Kind]; s > 0 {
			n.Depth = deepest + s
		}
	}
}

// cdkHash is the 8 hex digits CDK appends to a logical id.
var cdkHash = regexp.MustCompile(`[0-9A-F]{8}$`)

// genericIDs are the construct ids CDK gives a construct's main resource.
var genericIDs = map[string]bool{"Resource": true, "Default": true, "ApiDestination": true}

// shortName is a resource's construct name from its CDK path (the construct above a generic
// "Resource", or its own), or its logical id or physical name without the stack's prefix and
// CDK's hash.
func shortName(path string, r sim.Resource) string {
	parts := strings.Split(path, "/")
	if len(parts) >= 2 && genericIDs[parts[len(parts)-1]] {
		return parts[len(parts)-2]
	}
	if len(parts) >= 2 {
		return parts[len(parts)-1]
	}
	name := r.LogicalID
	if name == "" {
		name = r.Physical
	}
	if _, after, ok := strings.Cut(name, "-"); ok && r.LogicalID == "" {
		name = after // "<stack>-<logical id>"
	}
	if s := cdkHash.ReplaceAllString(name, ""); s != "" {
		name = s
	}
	return name
}
