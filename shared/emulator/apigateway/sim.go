package apigateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// ServiceName is API Gateway's ARN namespace and the first part of its resources' ids
// ("apigateway:<api id>").
const ServiceName = "apigateway"

var _ sim.Service = (*Service)(nil)

// Name is "apigateway".
func (s *Service) Name() string { return ServiceName }

// Serves reports whether r is for an invoke URL (/restapis/… or /apis/…).
func (s *Service) Serves(r *http.Request) bool {
	p := r.URL.Path
	return p == "/restapis" || strings.HasPrefix(p, "/restapis/") || strings.HasPrefix(p, "/apis/")
}

// Resources lists the REST and HTTP APIs, sorted by id, each with the functions its
// integrations invoke as targets.
func (s *Service) Resources() []sim.Resource {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []sim.Resource
	for _, a := range s.restAPIs {
		out = append(out, sim.Resource{ID: a.simID, Type: TypeRestAPI, LogicalID: a.logicalID, Physical: a.id,
			ARN: s.env.ARN(ServiceName, "/restapis/"+a.id), Targets: functionTargets(a.root, nil)})
	}
	for _, a := range s.httpAPIs {
		out = append(out, sim.Resource{ID: a.simID, Type: TypeHTTPAPI, LogicalID: a.logicalID, Physical: a.id,
			ARN: s.env.ARN(ServiceName, "/apis/"+a.id), Targets: functionTargets(a.root, a.defaultRoute)})
	}
	slices.SortFunc(out, func(a, b sim.Resource) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// functionTargets collects, sorted and once each, the functions a path tree's methods invoke.
func functionTargets(root *pathNode, extra *endpoint) []sim.ID {
	seen := map[sim.ID]bool{}
	add := func(ep *endpoint) {
		if ep != nil && ep.lambda != nil {
			seen[sim.NewID("lambda", sim.FunctionName(ep.lambda.functionARN))] = true
		}
	}
	add(extra)
	var walk func(n *pathNode)
	walk = func(n *pathNode) {
		if n == nil {
			return
		}
		for _, ep := range n.methods {
			add(ep)
		}
		for _, c := range n.literal {
			walk(c)
		}
		walk(n.param)
		walk(n.greedy)
	}
	walk(root)
	out := make([]sim.ID, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// Close does nothing: API Gateway has no background work.
func (s *Service) Close() error { return nil }

// envInvoker runs Lambda proxy integrations through Env.Call, as every call between services
// goes: Lambda does the invocation's bookkeeping (latency, faults, metrics, span), as for an SDK
// call.
type envInvoker struct{ env *sim.Env }

// invokeHead and payloadKey frame Lambda's Invoke input, written in one allocation.
const (
	invokeHead = `{"FunctionName":`
	payloadKey = `,"Payload":`
)

// Invoke calls Lambda's Invoke through Env.Call with a RequestResponse invocation (the default).
func (i envInvoker) Invoke(ctx context.Context, functionARN string, payload []byte) (InvokeResult, error) {
	in := make([]byte, 0, len(invokeHead)+len(functionARN)+2+len(payloadKey)+len(payload)+1)
	in = append(in, invokeHead...)
	in = strconv.AppendQuote(in, functionARN) // an ARN is printable ASCII: Go's quoting is JSON's
	in = append(in, payloadKey...)
	in = append(in, payload...)
	in = append(in, '}')
	out, err := i.env.Call(ctx, "lambda", "Invoke", in)
	if err != nil {
		return InvokeResult{}, err
	}
	return decodeInvokeOutput(out)
}

// decodeInvokeOutput reads Lambda's Invoke output. Lambda writes it with Payload last, which the
// fast path takes without a second scan of the payload; anything else is decoded in full.
func decodeInvokeOutput(out []byte) (InvokeResult, error) {
	const (
		head    = `{"StatusCode":200,"ExecutedVersion":"$LATEST",`
		payload = `"Payload":`
		failed  = `"FunctionError":"Unhandled",`
	)
	if rest, ok := bytes.CutPrefix(out, []byte(head)); ok && len(rest) > 0 && rest[len(rest)-1] == '}' {
		var res InvokeResult
		if r, ok := bytes.CutPrefix(rest, []byte(failed)); ok {
			res.FunctionError, rest = "Unhandled", r
		}
		if p, ok := bytes.CutPrefix(rest, []byte(payload)); ok {
			res.Payload = p[:len(p)-1]
			return res, nil
		}
	}
	var o struct {
		FunctionError string
		Payload       json.RawMessage
	}
	if err := json.Unmarshal(out, &o); err != nil {
		return InvokeResult{}, err
	}
	return InvokeResult{Payload: o.Payload, FunctionError: o.FunctionError}, nil
}
