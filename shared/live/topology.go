package live

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
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

// buildTopology reads the calls from what the emulator provisioned: a function calls a function or
// a table whose name is in its environment, and the provider when its URL is; the API calls the
// functions its integrations name in the template.
func buildTopology(emu *emulator.Emulator, template []byte) (Topology, error) {
	var t Topology
	nodes := map[string]*Node{}
	byLogical := map[string]string{} // logical id → node id
	add := func(n Node, logical string) {
		nodes[n.ID] = &n
		byLogical[logical] = n.ID
	}
	var apis []string
	for _, r := range emu.Resources() {
		switch r.Type {
		case "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api":
			id := "apigateway:" + r.Physical
			add(Node{ID: id, Kind: "api", Label: "API Gateway " + shortName(r)}, r.LogicalID)
			apis = append(apis, id)
		case "AWS::DynamoDB::Table":
			add(Node{ID: "dynamodb:" + r.Physical, Kind: "table", Label: shortName(r), Detail: "DynamoDB table"}, r.LogicalID)
		}
	}
	fnByName := map[string]string{}
	tableByName := map[string]string{}
	for id := range nodes {
		if name, ok := strings.CutPrefix(id, "dynamodb:"); ok {
			tableByName[name] = id
		}
	}
	fns := emu.Lambda.Functions()
	for _, f := range fns {
		id := "lambda:" + f.Name
		detail := fmt.Sprintf("%d MB, %v", f.MemoryMB, f.Timeout)
		if f.Reserved != nil {
			detail += fmt.Sprintf(", reserved %d", *f.Reserved)
		}
		label := f.LogicalID
		if parts := strings.Split(f.CDKPath, "/"); len(parts) >= 2 {
			label = parts[len(parts)-2]
		}
		add(Node{ID: id, Kind: "function", Label: label, Detail: detail}, f.LogicalID)
		fnByName[f.Name] = id
	}

	seen := map[Edge]bool{}
	link := func(from, to string) {
		e := Edge{From: from, To: to}
		if from != "" && to != "" && from != to && !seen[e] {
			seen[e] = true
			t.Edges = append(t.Edges, e)
		}
	}
	for _, f := range fns {
		from := "lambda:" + f.Name
		for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
			v := f.Environment[k]
			switch {
			case fnByName[v] != "":
				link(from, fnByName[v])
			case tableByName[v] != "":
				link(from, tableByName[v])
			case strings.Contains(v, payment.InternalHost):
				if nodes["payment"] == nil {
					nodes["payment"] = &Node{ID: "payment", Kind: "provider", Label: "payment provider", Detail: "third party, fixed capacity"}
				}
				link(from, "payment")
			}
		}
	}
	invokable, err := apiInvokable(template)
	if err != nil {
		return Topology{}, err
	}
	for _, logical := range invokable {
		if to := byLogical[logical]; strings.HasPrefix(to, "lambda:") {
			for _, api := range apis {
				link(api, to)
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

// apiInvokable lists the logical ids of the functions the template's API integrations call: the
// ones named (Fn::GetAtt or Ref) in an AWS::ApiGateway::Method's Integration.Uri or an
// AWS::ApiGatewayV2::Integration's IntegrationUri.
func apiInvokable(template []byte) ([]string, error) {
	var tmpl struct {
		Resources map[string]struct {
			Type       string `json:"Type"`
			Properties struct {
				Integration struct {
					URI any `json:"Uri"`
				} `json:"Integration"`
				IntegrationURI any `json:"IntegrationUri"`
			} `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(template, &tmpl); err != nil {
		return nil, fmt.Errorf("live: the stage's template: %w", err)
	}
	var out []string
	for _, id := range slices.Sorted(maps.Keys(tmpl.Resources)) {
		r := tmpl.Resources[id]
		switch r.Type {
		case "AWS::ApiGateway::Method":
			out = append(out, referenced(r.Properties.Integration.URI)...)
		case "AWS::ApiGatewayV2::Integration":
			out = append(out, referenced(r.Properties.IntegrationURI)...)
		}
	}
	return out, nil
}

// referenced collects the logical ids a template value names with Ref or Fn::GetAtt.
func referenced(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			out = append(out, ref)
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(att) > 0 {
			if id, ok := att[0].(string); ok {
				out = append(out, id)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, referenced(x[k])...)
		}
	case []any:
		for _, e := range x {
			out = append(out, referenced(e)...)
		}
	}
	return out
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

// shortName is a resource's construct name from its CDK path, or its logical id.
func shortName(r emulator.Resource) string {
	parts := strings.Split(r.CDKPath, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return r.LogicalID
}
