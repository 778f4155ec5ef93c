package apigateway

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// pathNode is one path part of a REST API's resource tree (then it is a resource and has an id)
// or of an HTTP API's route paths.
type pathNode struct {
	id      string               // REST resource id
	path    string               // "/orders/{id}"
	name    string               // the variable's name, for {name} and {name+} parts
	literal map[string]*pathNode // children by literal path part
	param   *pathNode            // the {name} child
	greedy  *pathNode            // the {name+} child
	methods map[string]*endpoint // by HTTP method or ANY
}

// child returns the node for a path part under n, creating it if create is set. A node may have
// one variable child, as on AWS ("a sibling of this resource already has a variable path part").
func (n *pathNode) child(part string, create bool) (*pathNode, error) {
	name, greedy, isVar := variable(part)
	var slot **pathNode
	switch {
	case !isVar:
		if c, ok := n.literal[part]; ok || !create {
			return c, nil
		}
		if n.literal == nil {
			n.literal = map[string]*pathNode{}
		}
		c := &pathNode{path: joinPath(n.path, part)}
		n.literal[part] = c
		return c, nil
	case greedy:
		slot = &n.greedy
	default:
		slot = &n.param
	}
	if *slot != nil && (*slot).name == name {
		return *slot, nil
	}
	if other := n.variableChild(); other != nil {
		return nil, fmt.Errorf("path part %s conflicts with its sibling %s: a path may have only one variable part at each level", part, lastPart(other.path))
	}
	if !create {
		return nil, nil
	}
	*slot = &pathNode{path: joinPath(n.path, part), name: name}
	return *slot, nil
}

func (n *pathNode) variableChild() *pathNode {
	if n.param != nil {
		return n.param
	}
	return n.greedy
}

// match finds the endpoint for the path's segments and method: a literal part before {param}
// before {proxy+}, falling back to a less specific path when the more specific one has neither
// the method nor ANY. Path variables go into params.
func (n *pathNode) match(segs []string, method string, params map[string]string) *endpoint {
	if len(segs) == 0 {
		return n.endpointFor(method)
	}
	if c := n.literal[segs[0]]; c != nil {
		if e := c.match(segs[1:], method, params); e != nil {
			return e
		}
	}
	if c := n.param; c != nil && segs[0] != "" {
		if e := c.match(segs[1:], method, params); e != nil {
			params[c.name] = segs[0]
			return e
		}
	}
	if c := n.greedy; c != nil {
		if e := c.endpointFor(method); e != nil {
			params[c.name] = strings.Join(segs, "/")
			return e
		}
	}
	return nil
}

func (n *pathNode) endpointFor(method string) *endpoint {
	if e, ok := n.methods[method]; ok {
		return e
	}
	return n.methods["ANY"]
}

// variable reports whether a path part is {name} or {name+}.
func variable(part string) (name string, greedy, ok bool) {
	if len(part) < 3 || part[0] != '{' || part[len(part)-1] != '}' {
		return "", false, false
	}
	name = part[1 : len(part)-1]
	if strings.HasSuffix(name, "+") {
		return name[:len(name)-1], true, true
	}
	return name, false, true
}

// checkPathPart validates one path part as API Gateway does: not empty, no slash, a variable
// named with letters, digits, '-', '_' and '.'.
func checkPathPart(part string) error {
	if part == "" || strings.Contains(part, "/") {
		return fmt.Errorf("path part %q must be one non-empty path segment", part)
	}
	name, _, isVar := variable(part)
	if !isVar {
		if strings.ContainsAny(part, "{}") {
			return fmt.Errorf("path part %q: braces must enclose the whole part, as in {id} or {proxy+}", part)
		}
		return nil
	}
	if name == "" {
		return fmt.Errorf("path part %q: the variable needs a name", part)
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("path part %q: variable names may use letters, digits, '-', '_' and '.'", part)
		}
	}
	return nil
}

func joinPath(parent, part string) string {
	if parent == "/" {
		return "/" + part
	}
	return parent + "/" + part
}

func lastPart(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// segments splits an escaped request path into percent-decoded segments, ignoring a trailing
// slash as API Gateway does.
func segments(escaped string) ([]string, bool) {
	p := strings.TrimSuffix(strings.TrimPrefix(escaped, "/"), "/")
	if p == "" {
		return nil, true
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		u, ok := unescape(s)
		if !ok {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

func unescape(s string) (string, bool) {
	if !strings.ContainsRune(s, '%') {
		return s, true
	}
	u, err := url.PathUnescape(s)
	return u, err == nil
}

// endpoint is what a method (REST) or a route (HTTP API) does.
type endpoint struct {
	method     string // as configured: GET, ANY, …
	path       string // the resource path or route path
	resourceID string // REST
	routeKey   string // HTTP API
	lambda     *lambdaTarget
	static     *reply              // a REST MOCK integration
	mapped     *mappedIntegration  // a REST AWS, MOCK or HTTP integration (integration_aws.go)
	validation *methodValidation   // a REST method's request validator (validate.go)
	service    *serviceIntegration // an HTTP API AWS_PROXY integration with a subtype (httpservice.go)
}

// lambdaTarget is an AWS_PROXY integration.
type lambdaTarget struct {
	functionARN   string
	timeout       time.Duration
	payloadFormat string // "1.0" or "2.0"
}

// resource is a REST resource, found by its id.
type resource struct {
	api  *restAPI
	node *pathNode
}

type restAPI struct {
	id, logicalID    string
	name             string
	simID            sim.ID // "apigateway:<id>": metrics, faults, spans, the dashboard's node
	root             *pathNode
	binaryMediaTypes []string
	extra            restExtras // models and request validators (validate.go)
	stages           map[string]*restStage
	metrics          *metrics.Resource
}

type restStage struct {
	variables map[string]string
	// settings are MethodSettings by "<METHOD> <resource path>", either of which may be "*".
	settings map[string]limits
	limiters limiters
}

// limitsFor returns the most specific MethodSettings throttle for a method.
func (st *restStage) limitsFor(method, path string) (limits, string) {
	for _, key := range []string{method + " " + path, "* " + path, "* /*"} {
		if l, ok := st.settings[key]; ok && l.set() {
			return l, key
		}
	}
	return limits{}, ""
}

type deployment struct {
	apiID string
}

type httpAPI struct {
	id, logicalID string
	simID         sim.ID // "apigateway:<id>": metrics, faults, spans, the dashboard's node
	root          *pathNode
	defaultRoute  *endpoint
	routeKeys     map[string]bool
	cors          *corsConfig
	stages        map[string]*httpStage
	metrics       *metrics.Resource
}

type httpStage struct {
	variables   map[string]string
	defaults    limits
	routeLimits map[string]limits
	limiters    limiters
}

func (st *httpStage) limitsFor(routeKey string) limits {
	if l, ok := st.routeLimits[routeKey]; ok && l.set() {
		return l
	}
	return st.defaults
}

type integration struct {
	apiID   string
	target  *lambdaTarget
	service *serviceIntegration
}

// physicalID derives a deterministic lower-case id of n characters from a seed, so that the
// same template gets the same ids (and URLs) on every run.
func physicalID(seed string, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}
