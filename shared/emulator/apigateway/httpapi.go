package apigateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// serveHTTPAPI answers /apis/{id}[/{stage}]/_user_request_{path}.
func (s *Service) serveHTTPAPI(w http.ResponseWriter, r *http.Request, apiID, stageName, escapedPath string) {
	start := s.env.Now()
	ids := newRequestIDs(start, KindHTTP)
	params := map[string]string{}
	var ep *endpoint
	s.mu.RLock()
	api := s.httpAPIs[apiID]
	var st *httpStage
	if api != nil {
		st = api.stages[stageName]
	}
	preflight := st != nil && api.cors != nil && r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
	segs, okPath := segments(escapedPath)
	if st != nil && !preflight && okPath {
		if ep = api.root.match(segs, r.Method, params); ep == nil {
			ep = api.defaultRoute
		}
	}
	s.mu.RUnlock()
	if st == nil {
		writeReply(w, httpNotFound, ids, KindHTTP)
		return
	}
	x := &exchange{fl: httpFlavor, r: r, start: start, ids: ids, apiID: api.id, simID: api.simID,
		metrics: api.metrics, op: decodedPath(escapedPath), ep: ep}
	if api.cors != nil && !preflight {
		origin := r.Header.Get("Origin")
		x.decorate = func(rp *reply) *reply { return api.cors.decorate(rp, origin) }
	}
	switch {
	case preflight:
		x.op = "(CORS preflight)"
		x.static = api.cors.preflight(r)
	case ep != nil:
		x.op = ep.routeKey
		if lim := st.limitsFor(ep.routeKey); lim.set() {
			x.limiter = st.limiters.get(ep.routeKey, lim)
		}
		q := eventRequest{apiID: api.id, accountID: s.env.AccountID, stage: stageName, ep: ep, params: params,
			variables: st.variables, escapedPath: escapedPath, ids: ids, now: start}
		if ep.service != nil {
			x.run = func(ctx context.Context, body []byte) (*reply, sim.Outcome) {
				return s.runService(ctx, r, q, body)
			}
		} else if ep.lambda.payloadFormat == "1.0" {
			q.version = "1.0"
			x.event = func(body []byte) ([]byte, error) {
				q.body = body
				return json.Marshal(v1Event(r, q))
			}
			x.answer = func(payload []byte) (*reply, error) { return answerV1(payload, true, true) }
		} else {
			x.event = func(body []byte) ([]byte, error) {
				q.body = body
				return json.Marshal(v2Event(r, q))
			}
			x.answer = answerV2
		}
	}
	s.serve(w, x)
}

// v2EventJSON is events.APIGatewayV2HTTPRequest without the empty authentication object the Go
// type would add and AWS does not send.
type v2EventJSON struct {
	events.APIGatewayV2HTTPRequest
	RequestContext v2ContextJSON `json:"requestContext"`
}

type v2ContextJSON struct {
	events.APIGatewayV2HTTPRequestContext
	Authentication *events.APIGatewayV2HTTPRequestContextAuthentication `json:"authentication,omitempty"`
}

// v2Event builds the payload format 2.0 event: lower-case header names, repeated headers and
// query parameters joined with commas, cookies apart, and the stage in rawPath unless it is
// $default.
func v2Event(r *http.Request, q eventRequest) v2EventJSON {
	ip := sourceIP(r)
	headers := map[string]string{}
	var cookies []string
	for k, vs := range forwardedHeaders(r, ip, q.ids.traceID) {
		name := strings.ToLower(k)
		if name == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[name] = strings.Join(vs, ",")
	}
	rawPath, path := q.escapedPath, decodedPath(q.escapedPath)
	if q.stage != defaultStage {
		rawPath, path = "/"+q.stage+rawPath, "/"+q.stage+path
	}
	var query map[string]string
	if values, _ := url.ParseQuery(r.URL.RawQuery); len(values) > 0 {
		query = map[string]string{}
		for k, vs := range values {
			query[k] = strings.Join(vs, ",")
		}
	}
	text, b64 := httpEventBody(q.body, r.Header.Get("Content-Type"))
	return v2EventJSON{
		APIGatewayV2HTTPRequest: events.APIGatewayV2HTTPRequest{
			Version:               "2.0",
			RouteKey:              q.ep.routeKey,
			RawPath:               rawPath,
			RawQueryString:        r.URL.RawQuery,
			Cookies:               cookies,
			Headers:               headers,
			QueryStringParameters: query,
			PathParameters:        nonEmpty(q.params),
			StageVariables:        nonEmpty(q.variables),
			Body:                  text,
			IsBase64Encoded:       b64,
		},
		RequestContext: v2ContextJSON{APIGatewayV2HTTPRequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     q.ep.routeKey,
			AccountID:    q.accountID,
			Stage:        q.stage,
			RequestID:    q.ids.apigwID,
			APIID:        q.apiID,
			DomainName:   r.Host,
			DomainPrefix: domainPrefix(r.Host),
			Time:         requestTime(q.now),
			TimeEpoch:    q.now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: path, Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent(),
			},
		}},
	}
}

// corsConfig is an HTTP API's CorsConfiguration. API Gateway answers preflight requests itself
// and puts these headers on every response, replacing any CORS headers the integration sent.
type corsConfig struct {
	allowCredentials bool
	allowHeaders     []string
	allowMethods     []string
	allowOrigins     []string
	exposeHeaders    []string
	maxAge           *int
}

func newCORS(c *corsProps) *corsConfig {
	return &corsConfig{allowCredentials: c.AllowCredentials, allowHeaders: c.AllowHeaders,
		allowMethods: c.AllowMethods, allowOrigins: c.AllowOrigins, exposeHeaders: c.ExposeHeaders, maxAge: c.MaxAge}
}

// allowedOrigin returns the Access-Control-Allow-Origin value for a request's Origin, or "".
func (c *corsConfig) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range c.allowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

func (c *corsConfig) preflight(r *http.Request) *reply {
	h := http.Header{}
	if allow := c.allowedOrigin(r.Header.Get("Origin")); allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
		if len(c.allowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.allowMethods, ","))
		}
		if slices.Contains(c.allowHeaders, "*") {
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
		} else if len(c.allowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.allowHeaders, ","))
		}
		if c.maxAge != nil {
			h.Set("Access-Control-Max-Age", strconv.Itoa(*c.maxAge))
		}
		if c.allowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	return &reply{status: http.StatusNoContent, header: h}
}

// decorate returns rp with the CORS headers for the origin in place of the integration's.
func (c *corsConfig) decorate(rp *reply, origin string) *reply {
	allow := c.allowedOrigin(origin)
	if allow == "" && !hasCORSHeaders(rp.header) {
		return rp
	}
	h := http.Header{}
	for k, v := range rp.header {
		if !strings.HasPrefix(k, "Access-Control-") {
			h[k] = v
		}
	}
	if allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
		if len(c.exposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.exposeHeaders, ","))
		}
		if c.allowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	return &reply{status: rp.status, header: h, body: rp.body}
}

func hasCORSHeaders(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			return true
		}
	}
	return false
}

// AllowsOrigin reports whether the API an invoke request is for answers pages of origin
// cross-origin, as its configuration says: an HTTP API's CorsConfiguration AllowOrigins, or a
// REST API whose resource answers OPTIONS (the CDK's preflight MOCK integration) with an
// Access-Control-Allow-Origin of that origin or *. The emulator's loopback port refuses other
// cross-origin requests (see emulator.Guard); this is what it lets through, as a browser on
// AWS would be let through
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
func (s *Service) AllowsOrigin(r *http.Request, origin string) bool {
	if origin == "" {
		return false
	}
	p := r.URL.EscapedPath()
	rest, isREST := strings.CutPrefix(p, "/restapis/")
	if !isREST {
		if rest, _ = strings.CutPrefix(p, "/apis/"); rest == p {
			return false
		}
	}
	id, stage, path, ok := splitInvokePath(rest, !isREST)
	if !ok {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !isREST {
		api := s.httpAPIs[id]
		return api != nil && api.stages[stage] != nil && api.cors != nil && api.cors.allowedOrigin(origin) != ""
	}
	api := s.restAPIs[id]
	segs, okPath := segments(path)
	if api == nil || api.stages[stage] == nil || !okPath {
		return false
	}
	ep := api.root.match(segs, http.MethodOptions, map[string]string{})
	if ep == nil || ep.static == nil {
		return false
	}
	allow := ep.static.header.Get("Access-Control-Allow-Origin")
	return allow == "*" || strings.EqualFold(allow, origin)
}
