package pipes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// invokeAPIDestination calls an API destination with body. It asks EventBridge first
// (InvokeApiDestination, which applies the connection's authorization and the destination's
// rate limit); when EventBridge has no such operation it reads the destination and connection
// with DescribeApiDestination and DescribeConnection and sends the request itself. A 2xx
// answer's body is returned; any other status is an error (429 a throttle).
func (p *pipe) invokeAPIDestination(ctx context.Context, dest string, body []byte, hp *HTTPParameters, ev *Event) ([]byte, error) {
	params := resolveHTTP(hp, ev)
	in, _ := json.Marshal(map[string]any{"ApiDestinationArn": dest, "Body": string(body), "HttpParameters": params})
	out, err := p.s.env.Call(ctx, "events", "InvokeApiDestination", in)
	var apiErr *sim.APIError
	if errors.As(err, &apiErr) && (apiErr.Code == "UnknownOperationException" || apiErr.Code == "UnknownServiceException") {
		status, answer, err := p.callDirect(ctx, dest, body, params)
		if err != nil {
			return nil, err
		}
		return checkStatus(status, answer)
	}
	if err != nil {
		return nil, err
	}
	var r struct {
		StatusCode int    `json:"StatusCode"`
		Body       string `json:"Body"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read InvokeApiDestination answer: %w", err)
	}
	return checkStatus(r.StatusCode, []byte(r.Body))
}

func checkStatus(status int, body []byte) ([]byte, error) {
	switch {
	case status >= 200 && status < 300:
		return body, nil
	case status == http.StatusTooManyRequests:
		return nil, sim.Errorf(status, "ThrottlingException", "the API destination answered 429")
	default:
		return nil, sim.Errorf(status, "ApiDestinationError", "the API destination answered %d: %.200s", status, body)
	}
}

// resolveHTTP fills dynamic ("$.") values of HttpParameters from the event. Header names are
// never dynamic (eb-pipes-event-target.html).
func resolveHTTP(hp *HTTPParameters, ev *Event) *HTTPParameters {
	if hp == nil {
		return nil
	}
	out := &HTTPParameters{}
	for _, v := range hp.PathParameterValues {
		out.PathParameterValues = append(out.PathParameterValues, dynamic(v, ev))
	}
	if hp.HeaderParameters != nil {
		out.HeaderParameters = map[string]string{}
		for k, v := range hp.HeaderParameters {
			out.HeaderParameters[k] = dynamic(v, ev)
		}
	}
	if hp.QueryStringParameters != nil {
		out.QueryStringParameters = map[string]string{}
		for k, v := range hp.QueryStringParameters {
			out.QueryStringParameters[k] = dynamic(v, ev)
		}
	}
	return out
}

// callDirect sends an API destination request from the pipe itself, with what the EventBridge
// API describes of the destination and its connection.
func (p *pipe) callDirect(ctx context.Context, dest string, body []byte, hp *HTTPParameters) (int, []byte, error) {
	a, err := arn.Parse(dest)
	if err != nil {
		return 0, nil, err
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "api-destination/"), "/")
	in, _ := json.Marshal(map[string]string{"Name": name})
	out, err := p.s.env.Call(ctx, "events", "DescribeApiDestination", in)
	if err != nil {
		return 0, nil, err
	}
	var d struct {
		ConnectionArn      string
		InvocationEndpoint string
		HttpMethod         string
	}
	if err := json.Unmarshal(out, &d); err != nil {
		return 0, nil, fmt.Errorf("read DescribeApiDestination answer: %w", err)
	}
	type param struct {
		Key, Value string
	}
	var conn struct {
		AuthorizationType string
		AuthParameters    struct {
			ApiKeyAuthParameters     struct{ ApiKeyName, ApiKeyValue string }
			BasicAuthParameters      struct{ Username, Password string }
			InvocationHttpParameters struct {
				HeaderParameters      []param
				QueryStringParameters []param
			}
		}
	}
	if ca, err := arn.Parse(d.ConnectionArn); err == nil {
		cname, _, _ := strings.Cut(strings.TrimPrefix(ca.Resource, "connection/"), "/")
		in, _ := json.Marshal(map[string]string{"Name": cname})
		if out, err := p.s.env.Call(ctx, "events", "DescribeConnection", in); err == nil {
			_ = json.Unmarshal(out, &conn)
		}
	}
	endpoint := d.InvocationEndpoint
	if hp != nil {
		for _, v := range hp.PathParameterValues {
			endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, nil, fmt.Errorf("API destination endpoint %q: %w", endpoint, err)
	}
	q := u.Query()
	for _, kv := range conn.AuthParameters.InvocationHttpParameters.QueryStringParameters {
		q.Set(kv.Key, kv.Value)
	}
	if hp != nil {
		for k, v := range hp.QueryStringParameters {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	method := d.HttpMethod
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Amazon/EventBridge/ApiDestinations")
	for _, kv := range conn.AuthParameters.InvocationHttpParameters.HeaderParameters {
		req.Header.Set(kv.Key, kv.Value)
	}
	if hp != nil {
		for k, v := range hp.HeaderParameters {
			req.Header.Set(k, v)
		}
	}
	switch auth := conn.AuthParameters; conn.AuthorizationType {
	case "API_KEY":
		if auth.ApiKeyAuthParameters.ApiKeyName != "" {
			req.Header.Set(auth.ApiKeyAuthParameters.ApiKeyName, auth.ApiKeyAuthParameters.ApiKeyValue)
		}
	case "BASIC":
		req.SetBasicAuth(auth.BasicAuthParameters.Username, auth.BasicAuthParameters.Password)
	}
	resp, err := p.s.client.Do(req)
	if err != nil {
		return 0, nil, sim.Errorf(http.StatusBadGateway, "ApiDestinationError", "call API destination %s: %v", name, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, answer, nil
}
