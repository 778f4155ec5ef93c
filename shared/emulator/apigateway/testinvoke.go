package apigateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// execLog collects an execution log as the console's Test tab shows it; a nil log collects
// nothing.
type execLog struct {
	now   func() time.Time
	lines []string
}

// printf adds a line stamped as API Gateway stamps them: "Mon Jan 02 15:04:05 UTC 2006 : …".
func (l *execLog) printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.lines = append(l.lines, l.now().UTC().Format("Mon Jan 02 15:04:05 UTC 2006")+" : "+fmt.Sprintf(format, args...))
}

func (l *execLog) String() string { return strings.Join(l.lines, "\n") + "\n" }

// Control-plane errors, in API Gateway's REST shape.
func controlError(w http.ResponseWriter, status int, typ, msg string) {
	body, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serveControl answers the part of API Gateway's control plane a user needs to test a method
// (https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html):
//
//	GET  /restapis                                              GetRestApis
//	GET  /restapis/{id}                                         GetRestApi
//	GET  /restapis/{id}/resources                               GetResources
//	POST /restapis/{id}/resources/{resource id}/methods/{verb}  TestInvokeMethod
//
// Invoke URLs (/restapis/{id}/{stage}/_user_request_/…) are not its: it reports false for them.
func (s *Service) serveControl(w http.ResponseWriter, r *http.Request, p string) bool {
	if p == "/restapis" || p == "/restapis/" {
		if r.Method != http.MethodGet {
			return false
		}
		s.mu.RLock()
		items := make([]map[string]any, 0, len(s.restAPIs))
		for _, a := range s.restAPIs {
			items = append(items, restAPIItem(a))
		}
		s.mu.RUnlock()
		sort.Slice(items, func(i, j int) bool { return items[i]["id"].(string) < items[j]["id"].(string) })
		writeJSON(w, map[string]any{"item": items})
		return true
	}
	rest, ok := strings.CutPrefix(p, "/restapis/")
	if !ok {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		s.mu.RLock()
		a := s.restAPIs[parts[0]]
		var item map[string]any
		if a != nil {
			item = restAPIItem(a)
		}
		s.mu.RUnlock()
		if a == nil {
			controlError(w, http.StatusNotFound, "NotFoundException", "Invalid API identifier specified "+s.env.AccountID+":"+parts[0])
			return true
		}
		writeJSON(w, item)
		return true
	case len(parts) == 2 && parts[1] == "resources" && r.Method == http.MethodGet:
		s.getResources(w, parts[0])
		return true
	case len(parts) == 5 && parts[1] == "resources" && parts[3] == "methods" && r.Method == http.MethodPost:
		s.testInvoke(w, r, parts[0], parts[2], strings.ToUpper(parts[4]))
		return true
	}
	return false
}

func restAPIItem(a *restAPI) map[string]any {
	return map[string]any{"id": a.id, "name": a.name, "rootResourceId": a.root.id,
		"apiKeySource": "HEADER", "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}}}
}

// getResources lists a REST API's resources with their methods.
func (s *Service) getResources(w http.ResponseWriter, apiID string) {
	s.mu.RLock()
	a := s.restAPIs[apiID]
	var items []map[string]any
	if a != nil {
		var walk func(n *pathNode, parent string)
		walk = func(n *pathNode, parent string) {
			if n == nil {
				return
			}
			if n.id != "" {
				item := map[string]any{"id": n.id, "path": n.path}
				if parent != "" {
					item["parentId"] = parent
					item["pathPart"] = lastPart(n.path)
				}
				if len(n.methods) > 0 {
					methods := map[string]any{}
					for m, ep := range n.methods {
						mm := map[string]any{"httpMethod": m, "authorizationType": "NONE", "apiKeyRequired": false}
						if ep.validation != nil {
							for id, v := range a.extra.validators {
								if v == ep.validation.validator {
									mm["requestValidatorId"] = id
								}
							}
						}
						methods[m] = mm
					}
					item["resourceMethods"] = methods
				}
				items = append(items, item)
				parent = n.id
			}
			for _, k := range sortedKeys(n.literal) {
				walk(n.literal[k], parent)
			}
			walk(n.param, parent)
			walk(n.greedy, parent)
		}
		walk(a.root, "")
	}
	s.mu.RUnlock()
	if a == nil {
		controlError(w, http.StatusNotFound, "NotFoundException", "Invalid API identifier specified "+s.env.AccountID+":"+apiID)
		return
	}
	writeJSON(w, map[string]any{"item": items})
}

// testInvokeInput is TestInvokeMethod's request body.
type testInvokeInput struct {
	Body                string              `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	StageVariables      map[string]string   `json:"stageVariables"`
	ClientCertificateID string              `json:"clientCertificateId"`
}

// testInvoke runs one method as the console's Test tab does: no stage, throttling or metrics,
// the request through validation, templates and the integration, and the execution log.
func (s *Service) testInvoke(w http.ResponseWriter, r *http.Request, apiID, resourceID, method string) {
	var in testInvokeInput
	if raw, _ := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes)); len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &in); err != nil {
			controlError(w, http.StatusBadRequest, "BadRequestException", "Invalid JSON in the request body: "+err.Error())
			return
		}
	}
	s.mu.RLock()
	a := s.restAPIs[apiID]
	res := s.resources[resourceID]
	var ep *endpoint
	if a != nil && res != nil && res.api == a {
		ep = res.node.methods[method]
	}
	s.mu.RUnlock()
	switch {
	case a == nil:
		controlError(w, http.StatusNotFound, "NotFoundException", "Invalid API identifier specified "+s.env.AccountID+":"+apiID)
		return
	case res == nil || res.api != a:
		controlError(w, http.StatusNotFound, "NotFoundException", "Invalid Resource identifier specified")
		return
	case ep == nil:
		controlError(w, http.StatusNotFound, "NotFoundException", "Invalid Method identifier specified")
		return
	}

	pathQuery := in.PathWithQueryString
	if pathQuery == "" {
		pathQuery = ep.path
	}
	u, err := url.Parse(pathQuery)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		controlError(w, http.StatusBadRequest, "BadRequestException", "Invalid pathWithQueryString: "+pathQuery)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), method, "http://"+r.Host+u.RequestURI(), strings.NewReader(in.Body))
	if err != nil {
		controlError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	req.Host = r.Host
	req.RemoteAddr = "test-invoke-source-ip"
	for k, v := range in.Headers {
		req.Header.Set(k, v)
	}
	for k, vs := range in.MultiValueHeaders {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	start := s.env.Now()
	ids := newRequestIDs(start, KindREST)
	log := &execLog{now: s.env.Now}
	log.lines = append(log.lines, "Execution log for request "+ids.requestID)
	log.printf("Starting execution for request: %s", ids.requestID)
	const stage = "test-invoke-stage"
	q := &methodRequest{r: req, body: []byte(in.Body), api: a, stage: stage, variables: in.StageVariables,
		ep: ep, params: pathParams(ep.path, u.EscapedPath()), ids: ids, now: start, escapedPath: u.EscapedPath()}
	rp := s.testInvokeReply(r.Context(), q, log)
	headers, multi := map[string]string{}, map[string][]string{}
	for k, vs := range rp.header {
		headers[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	headers["X-Amzn-Trace-Id"] = ids.traceID
	multi["X-Amzn-Trace-Id"] = []string{ids.traceID}
	writeJSON(w, map[string]any{
		"status": rp.status, "body": string(rp.body), "headers": headers, "multiValueHeaders": multi,
		"log": log.String(), "latency": s.env.Now().Sub(start).Milliseconds(),
	})
}

// testInvokeReply runs the method's pipeline for TestInvokeMethod.
func (s *Service) testInvokeReply(ctx context.Context, q *methodRequest, log *execLog) *reply {
	if q.ep.mapped != nil || q.ep.validation != nil {
		if rp, _ := s.runMethod(ctx, q, log); rp != nil {
			return rp
		}
	} else {
		log.printf("HTTP Method: %s, Resource Path: %s", q.r.Method, q.ep.path)
		log.printf("Method request body before transformations: %s", q.body)
	}
	if q.ep.static != nil {
		log.printf("Method completed with status: %d", q.ep.static.status)
		return q.ep.static
	}
	if q.ep.lambda == nil {
		return restInternal
	}
	payload, err := json.Marshal(v1Event(q.r, eventRequest{
		apiID: q.api.id, accountID: s.env.AccountID, stage: q.stage, ep: q.ep, params: q.params,
		variables: q.variables, escapedPath: q.escapedPath, body: q.body, ids: q.ids, now: q.now,
		binaryTypes: q.api.binaryMediaTypes,
	}))
	if err != nil {
		return restInternal
	}
	log.printf("Endpoint request URI: https://lambda.%s.amazonaws.com/2015-03-31/functions/%s/invocations", s.env.Region, q.ep.lambda.functionARN)
	log.printf("Endpoint request body after transformations: %s", payload)
	started := s.env.Now()
	res, err := s.lambda.Invoke(ctx, q.ep.lambda.functionARN, payload)
	if err != nil {
		log.printf("Lambda invocation failed: %v", err)
		log.printf("Method completed with status: 500")
		return restInternal
	}
	log.printf("Received response. Status: 200, Integration latency: %d ms", s.env.Now().Sub(started).Milliseconds())
	log.printf("Endpoint response body before transformations: %s", res.Payload)
	if res.FunctionError != "" {
		log.printf("Lambda execution failed with status 200 due to customer function error")
		log.printf("Method completed with status: 502")
		return restBadGateway
	}
	rp, err := answerV1(res.Payload, false, false)
	if err != nil {
		log.printf("Execution failed due to configuration error: Malformed Lambda proxy response")
		log.printf("Method completed with status: 502")
		return restBadGateway
	}
	log.printf("Method response body after transformations: %s", rp.body)
	log.printf("Method response headers: %s", headerMap(rp.header))
	log.printf("Successfully completed execution")
	log.printf("Method completed with status: %d", rp.status)
	return rp
}

// pathParams reads path parameters by laying a request path over a resource path.
func pathParams(resourcePath, escapedPath string) map[string]string {
	params := map[string]string{}
	segs, _ := segments(escapedPath)
	parts := strings.Split(strings.TrimPrefix(resourcePath, "/"), "/")
	for i, part := range parts {
		name, greedy, ok := variable(part)
		if !ok || i >= len(segs) {
			continue
		}
		if greedy {
			params[name] = strings.Join(segs[i:], "/")
			break
		}
		params[name] = segs[i]
	}
	return params
}
