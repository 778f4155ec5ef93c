package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// serveREST answers /restapis/{id}/{stage}/_user_request_{path}.
func (s *Service) serveREST(w http.ResponseWriter, r *http.Request, apiID, stageName, escapedPath string) {
	start := s.env.Now()
	ids := newRequestIDs(start, KindREST)
	params := map[string]string{}
	var ep *endpoint
	s.mu.RLock()
	api := s.restAPIs[apiID]
	var st *restStage
	if api != nil {
		st = api.stages[stageName]
	}
	segs, okPath := segments(escapedPath)
	if st != nil && okPath {
		ep = api.root.match(segs, r.Method, params)
	}
	s.mu.RUnlock()
	if st == nil {
		// No such API or stage: nothing to count it against.
		writeReply(w, restMissingToken, ids, KindREST)
		return
	}
	x := &exchange{fl: restFlavor, r: r, start: start, ids: ids, apiID: api.id, simID: api.simID,
		metrics: api.metrics, op: decodedPath(escapedPath), ep: ep}
	if ep != nil {
		x.op = ep.path
		if lim, key := st.limitsFor(ep.method, ep.path); key != "" {
			x.limiter = st.limiters.get(ep.method+" "+ep.path, lim)
		}
		if ep.mapped != nil || ep.validation != nil {
			x.run = func(ctx context.Context, body []byte) (*reply, sim.Outcome) {
				return s.runMethod(ctx, &methodRequest{r: r, body: body, api: api, stage: stageName, variables: st.variables,
					ep: ep, params: params, ids: ids, now: start, escapedPath: escapedPath}, nil)
			}
		}
		x.event = func(body []byte) ([]byte, error) {
			return json.Marshal(v1Event(r, eventRequest{
				apiID: api.id, accountID: s.env.AccountID, stage: stageName, ep: ep, params: params,
				variables: st.variables, escapedPath: escapedPath, body: body, ids: ids, now: start,
				binaryTypes: api.binaryMediaTypes,
			}))
		}
		decode := acceptsBinary(r, api.binaryMediaTypes)
		x.answer = func(payload []byte) (*reply, error) { return answerV1(payload, false, decode) }
	}
	s.serve(w, x)
}

// eventRequest is what a proxy event is made from, besides the HTTP request.
type eventRequest struct {
	apiID, accountID, stage string
	version                 string // "1.0" for HTTP APIs, "" for REST
	ep                      *endpoint
	params                  map[string]string
	variables               map[string]string
	escapedPath             string
	body                    []byte
	ids                     requestIDs
	now                     time.Time
	binaryTypes             []string
}

// v1EventJSON is events.APIGatewayProxyRequest as API Gateway writes it: a null body when there
// is none, and a version field for HTTP APIs.
type v1EventJSON struct {
	Version string `json:"version,omitempty"`
	events.APIGatewayProxyRequest
	Body *string `json:"body"`
}

// v1Event builds the payload format 1.0 event (REST APIs, and HTTP APIs with format 1.0).
func v1Event(r *http.Request, q eventRequest) v1EventJSON {
	sourceIP := sourceIP(r)
	headers, multi := map[string]string{}, map[string][]string{}
	for k, vs := range forwardedHeaders(r, sourceIP, q.ids.traceID) {
		if k == "Content-Length" || k == "Connection" {
			continue
		}
		headers[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	query, multiQuery := map[string]string(nil), map[string][]string(nil)
	if values, _ := url.ParseQuery(r.URL.RawQuery); len(values) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string(values)
		for k, vs := range values {
			query[k] = vs[len(vs)-1]
		}
	}
	path := decodedPath(q.escapedPath)
	resource, resourceID := q.ep.path, q.ep.resourceID
	if q.version != "" {
		// HTTP APIs name the route where REST names the resource.
		resourceID = q.ep.routeKey
		if q.ep.routeKey == defaultStage {
			resource = defaultStage
		}
	}
	contextPath := path
	if q.stage != defaultStage {
		contextPath = "/" + q.stage + path
	}
	body, b64 := restEventBody(q.body, r.Header.Get("Content-Type"), q.binaryTypes)
	if q.version != "" {
		body, b64 = httpEventBody(q.body, r.Header.Get("Content-Type"))
	}
	ev := v1EventJSON{
		Version: q.version,
		APIGatewayProxyRequest: events.APIGatewayProxyRequest{
			Resource:                        resource,
			Path:                            path,
			HTTPMethod:                      r.Method,
			Headers:                         headers,
			MultiValueHeaders:               multi,
			QueryStringParameters:           query,
			MultiValueQueryStringParameters: multiQuery,
			PathParameters:                  nonEmpty(q.params),
			StageVariables:                  nonEmpty(q.variables),
			RequestContext: events.APIGatewayProxyRequestContext{
				AccountID:         q.accountID,
				ResourceID:        resourceID,
				Stage:             q.stage,
				DomainName:        r.Host,
				DomainPrefix:      domainPrefix(r.Host),
				RequestID:         q.ids.requestID,
				ExtendedRequestID: q.ids.apigwID,
				Protocol:          r.Proto,
				Identity:          events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
				ResourcePath:      resource,
				Path:              contextPath,
				HTTPMethod:        r.Method,
				RequestTime:       requestTime(q.now),
				RequestTimeEpoch:  q.now.UnixMilli(),
				APIID:             q.apiID,
			},
			IsBase64Encoded: b64,
		},
	}
	if len(q.body) > 0 {
		ev.Body = &body
	}
	return ev
}

// forwardedHeaders returns the request's headers with those API Gateway adds: Host,
// X-Forwarded-For (the client's address appended), X-Forwarded-Port, X-Forwarded-Proto and
// X-Amzn-Trace-Id.
func forwardedHeaders(r *http.Request, sourceIP, traceID string) http.Header {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Host", r.Host)
	if xff := h.Get("X-Forwarded-For"); xff != "" {
		h.Set("X-Forwarded-For", xff+", "+sourceIP)
	} else {
		h.Set("X-Forwarded-For", sourceIP)
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	h.Set("X-Forwarded-Port", port)
	h.Set("X-Forwarded-Proto", proto)
	h.Set("X-Amzn-Trace-Id", traceID)
	return h
}

// restEventBody returns the body as a REST API's proxy event carries it: base64 when its
// Content-Type is one of the API's binary media types, else text. A REST API treats every
// other payload as UTF-8 text, so bytes that are not UTF-8 reach the function as U+FFFD, one per
// byte, as a binary upload without binary media types arrives corrupted on AWS
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
func restEventBody(body []byte, contentType string, binaryTypes []string) (string, bool) {
	if len(body) > 0 && len(binaryTypes) > 0 && mediaMatches(binaryTypes, contentType) {
		return base64.StdEncoding.EncodeToString(body), true
	}
	if utf8.Valid(body) {
		return string(body), false
	}
	var b strings.Builder
	b.Grow(len(body) + 16)
	for len(body) > 0 {
		r, n := utf8.DecodeRune(body)
		b.WriteRune(r) // utf8.RuneError for each byte that is not UTF-8
		body = body[n:]
	}
	return b.String(), false
}

// httpEventBody returns the body as an HTTP API's Lambda event carries it (payload 1.0 and
// 2.0): text when its Content-Type is a text type (text/*, application/json, application/xml,
// application/javascript) and it is valid UTF-8, base64 otherwise, including a body without a
// Content-Type ("If the content type of the request is binary, the body is base64-encoded",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html;
// which types count as text is not documented: this split was measured on AWS by ministack,
// https://github.com/ministackorg/ministack/pull/766). An empty body is "" and not encoded.
func httpEventBody(body []byte, contentType string) (string, bool) {
	if len(body) == 0 || (textMediaType(contentType) && utf8.Valid(body)) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// textMediaType reports whether an HTTP API passes a body of this type as text.
func textMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

// acceptsBinary reports whether a REST API converts a base64 answer to binary for this request:
// AWS does when the Accept header names one of the API's binary media types.
func acceptsBinary(r *http.Request, binaryTypes []string) bool {
	if len(binaryTypes) == 0 {
		return false
	}
	for _, accept := range r.Header.Values("Accept") {
		for t := range strings.SplitSeq(accept, ",") {
			if mediaMatches(binaryTypes, t) {
				return true
			}
		}
	}
	return false
}

// mediaMatches reports whether a media type (parameters ignored) is in the list, which may hold
// wildcards such as */* or image/*.
func mediaMatches(list []string, mediaType string) bool {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil || mt == "" {
		return false
	}
	for _, want := range list {
		want = strings.ToLower(strings.TrimSpace(want))
		switch {
		case want == "*/*" || want == mt:
			return true
		case strings.HasSuffix(want, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(want, "*")):
			return true
		}
	}
	return false
}

func sourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if i := strings.IndexByte(host, '.'); i > 0 && net.ParseIP(host) == nil {
		return host[:i]
	}
	return host
}

// requestTime formats a time as API Gateway's requestTime: 04/Mar/2020:19:15:17 +0000.
func requestTime(t time.Time) string { return t.UTC().Format("02/Jan/2006:15:04:05 -0700") }

func decodedPath(escaped string) string {
	if p, err := url.PathUnescape(escaped); err == nil {
		return p
	}
	return escaped
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
