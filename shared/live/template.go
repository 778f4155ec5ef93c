package live

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// templateInfo is what the dashboard reads from the template because the emulator's services
// do not report it.
type templateInfo struct {
	machineType map[string]string // state machine logical id → STANDARD or EXPRESS
	dlq         map[string]bool   // logical ids of queues named as a dead-letter queue or on-failure destination
	edges       []templateEdge
}

// templateEdge is work the template shows: an API method's service integration (to a state
// machine, a table, a queue), a function's on-failure destination, an API destination's
// endpoint (a resource of the stack, or a parameter for a third party's URL).
type templateEdge struct {
	from, to string // logical ids
	param    string // the template parameter the edge goes to, when it leaves the stack
}

type cfnResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// parseTemplate reads the template's resources; a template it cannot read gives no extra
// information rather than an error, since the services' own resources still draw the stage.
func parseTemplate(b []byte) templateInfo {
	info := templateInfo{machineType: map[string]string{}, dlq: map[string]bool{}}
	var tmpl struct {
		Parameters map[string]any         `json:"Parameters"`
		Resources  map[string]cfnResource `json:"Resources"`
	}
	if len(b) == 0 || json.Unmarshal(b, &tmpl) != nil {
		return info
	}
	for _, id := range sortedKeys(tmpl.Resources) {
		r := tmpl.Resources[id]
		p := r.Properties
		for _, key := range []string{"DeadLetterConfig", "RedrivePolicy", "OnFailure", "DeadLetterTargetArn", "deadLetterTargetArn"} {
			for _, v := range under(p, key) {
				for _, ref := range refs(v) {
					info.dlq[ref] = true
				}
			}
		}
		switch r.Type {
		case "AWS::StepFunctions::StateMachine":
			t, _ := p["StateMachineType"].(string)
			info.machineType[id] = t
		case "AWS::ApiGateway::Method":
			integ, _ := p["Integration"].(map[string]any)
			for _, api := range refs(p["RestApiId"]) {
				for _, to := range refs(without(integ, "Credentials")) {
					info.edges = append(info.edges, templateEdge{from: api, to: to})
				}
			}
		case "AWS::ApiGatewayV2::Integration":
			for _, api := range refs(p["ApiId"]) {
				for _, to := range refs(without(p, "ApiId", "CredentialsArn")) {
					info.edges = append(info.edges, templateEdge{from: api, to: to})
				}
			}
		case "AWS::Lambda::EventInvokeConfig":
			for _, fn := range refs(p["FunctionName"]) {
				for _, to := range refs(p["DestinationConfig"]) {
					info.edges = append(info.edges, templateEdge{from: fn, to: to})
				}
			}
		case "AWS::Events::ApiDestination":
			for _, to := range refs(p["InvocationEndpoint"]) {
				e := templateEdge{from: id, to: to}
				if _, ok := tmpl.Parameters[to]; ok {
					e.to, e.param = "", to
				}
				info.edges = append(info.edges, e)
			}
		}
	}
	return info
}

// under collects the values of key anywhere below v.
func under(v any, key string) []any {
	var out []any
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if k == key {
				out = append(out, x[k])
				continue
			}
			out = append(out, under(x[k], key)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, under(e, key)...)
		}
	}
	return out
}

// without is m less some keys.
func without(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// subRef is a ${Name} or ${Name.Attr} in an Fn::Sub string (not ${!Literal}).
var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}`)

// refs lists, once each and sorted, the logical ids or parameters v refers to with Ref,
// Fn::GetAtt or Fn::Sub.
func refs(v any) []string {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Ref"].(string); ok && len(x) == 1 && !strings.HasPrefix(r, "AWS::") {
				seen[r] = true
				return
			}
			if ga, ok := x["Fn::GetAtt"]; ok && len(x) == 1 {
				switch g := ga.(type) {
				case []any:
					if len(g) > 0 {
						if s, ok := g[0].(string); ok {
							seen[s] = true
						}
					}
				case string:
					s, _, _ := strings.Cut(g, ".")
					seen[s] = true
				}
				return
			}
			if sub, ok := x["Fn::Sub"]; ok && len(x) == 1 {
				var s string
				switch y := sub.(type) {
				case string:
					s = y
				case []any:
					if len(y) > 0 {
						s, _ = y[0].(string)
					}
					if len(y) > 1 {
						walk(y[1])
					}
				}
				for _, m := range subRef.FindAllStringSubmatch(s, -1) {
					seen[m[1]] = true
				}
				return
			}
			for _, k := range sortedKeys(x) {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
