package live

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Topology is the stage as the page draws it: its resources, and who calls whom.
type Topology struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is one resource. Its ID is the name faults and metrics use ("lambda:<name>",
// "dynamodb:<table>", "apigateway:<id>", "payment").
type Node struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"` // api, function, table, provider
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"` // memory, timeout, reserved concurrency
	Depth  int    `json:"depth"`            // column on the page: hops from the API
}

// Edge is a call: an API integration, an Invoke, a table access or the provider's URL.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// kinds are how the page draws a service's resources; a service not listed draws as its name.
var kinds = map[string]string{"apigateway": "api", "lambda": "function", "dynamodb": "table"}

// buildTopology asks the emulator's services for their resources and whom they send work to (an
// API its integrations' functions, a function its OnFailure destination); a function also calls a
// resource whose physical name is in its environment, and the provider when its URL is. The
// template is not read: the services know what they provisioned.
func buildTopology(emu *emulator.Emulator, _ []byte) (Topology, error) {
	var t Topology
	nodes := map[string]*Node{}
	cdk := map[string]emulator.Resource{} // by logical id, for labels
	for _, r := range emu.Resources() {
		cdk[r.LogicalID] = r
	}
	byPhysical := map[string]string{} // physical name → node id
	var apis []string
	resources := emu.SimResources()
	for _, r := range resources {
		id := string(r.ID)
		kind, ok := kinds[r.ID.Service()]
		if !ok {
			kind = r.ID.Service()
		}
		n := Node{ID: id, Kind: kind, Label: shortName(cdk[r.LogicalID], r)}
		switch kind {
		case "api":
			n.Label = "API Gateway " + n.Label
			apis = append(apis, id)
		case "table":
			n.Detail = "DynamoDB table"
		}
		nodes[id] = &n
		byPhysical[r.Physical] = id
	}
	fns := map[string]*lambda.Function{}
	if emu.Lambda != nil {
		for _, f := range emu.Lambda.Functions() {
			fns["lambda:"+f.Name] = f
		}
	}
	for id, f := range fns {
		if n := nodes[id]; n != nil {
			n.Detail = fmt.Sprintf("%d MB, %v", f.MemoryMB, f.Timeout)
			if f.Reserved != nil {
				n.Detail += fmt.Sprintf(", reserved %d", *f.Reserved)
			}
		}
	}

	seen := map[Edge]bool{}
	link := func(from, to string) {
		e := Edge{From: from, To: to}
		if from != "" && to != "" && from != to && !seen[e] && nodes[to] != nil {
			seen[e] = true
			t.Edges = append(t.Edges, e)
		}
	}
	for _, r := range resources {
		for _, to := range r.Targets {
			link(string(r.ID), string(to))
		}
		f := fns[string(r.ID)]
		if f == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
			v := f.Environment[k]
			switch {
			case byPhysical[v] != "":
				link(string(r.ID), byPhysical[v])
			case strings.Contains(v, payment.InternalHost):
				if nodes["payment"] == nil {
					nodes["payment"] = &Node{ID: "payment", Kind: "provider", Label: "payment provider", Detail: "third party, fixed capacity"}
				}
				link(string(r.ID), "payment")
			}
		}
	}

	setDepths(nodes, apis, t.Edges)
	for _, id := range slices.Sorted(maps.Keys(nodes)) {
		t.Nodes = append(t.Nodes, *nodes[id])
	}
	sort.SliceStable(t.Nodes, func(i, j int) bool { return t.Nodes[i].Depth < t.Nodes[j].Depth })
	sort.Slice(t.Edges, func(i, j int) bool {
		return t.Edges[i].From+" "+t.Edges[i].To < t.Edges[j].From+" "+t.Edges[j].To
	})
	return t, nil
}

// setDepths puts each function in the column of its shortest path from the API, and the tables
// and the provider in one column after the deepest function.
func setDepths(nodes map[string]*Node, apis []string, edges []Edge) {
	out := map[string][]string{}
	for _, e := range edges {
		out[e.From] = append(out[e.From], e.To)
	}
	depth := map[string]int{}
	queue := append([]string(nil), apis...)
	for _, a := range apis {
		depth[a] = 0
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, next := range out[id] {
			if _, ok := depth[next]; !ok && nodes[next] != nil && nodes[next].Kind == "function" {
				depth[next] = depth[id] + 1
				queue = append(queue, next)
			}
		}
	}
	deepest := 0
	for id, n := range nodes {
		if n.Kind != "function" {
			continue
		}
		d, ok := depth[id]
		if !ok {
			d = 1 // not reached from the API: invoked some other way
		}
		n.Depth = d
		deepest = max(deepest, d)
	}
	for _, n := range nodes {
		if n.Kind == "table" || n.Kind == "provider" {
			n.Depth = deepest + 1
		}
	}
}

// shortName is a resource's construct name from its CDK path (the construct above a function's
// "Resource", or a table's or API's own), or its logical id, or its physical name.
func shortName(r emulator.Resource, sr sim.Resource) string {
	parts := strings.Split(r.CDKPath, "/")
	if len(parts) >= 2 && parts[len(parts)-1] == "Resource" {
		return parts[len(parts)-2]
	}
	if len(parts) >= 2 {
		return parts[len(parts)-1]
	}
	if sr.LogicalID != "" {
		return sr.LogicalID
	}
	return sr.Physical
}
