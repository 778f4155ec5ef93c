package apigateway

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway/vtl"
)

// methodRequest is one method request on its way through a REST API's non-proxy pipeline: the
// HTTP request (headers, query, client), its body and where it was routed.
type methodRequest struct {
	r           *http.Request
	body        []byte
	api         *restAPI
	stage       string
	variables   map[string]string
	ep          *endpoint
	params      map[string]string // path parameters
	ids         requestIDs
	now         time.Time
	escapedPath string

	ctxMap map[string]any // $context, made once
	input  *vtl.Input     // what templates see but $context, made once
}

// context returns the $context variables a mapping template or a parameter mapping reads
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference).
func (q *methodRequest) context(accountID string) map[string]any {
	if q.ctxMap != nil {
		return q.ctxMap
	}
	path := decodedPath(q.escapedPath)
	q.ctxMap = map[string]any{
		"accountId":         accountID,
		"apiId":             q.api.id,
		"httpMethod":        q.r.Method,
		"requestId":         q.ids.requestID,
		"extendedRequestId": q.ids.apigwID,
		"resourceId":        q.ep.resourceID,
		"resourcePath":      q.ep.path,
		"stage":             q.stage,
		"path":              "/" + q.stage + path,
		"protocol":          q.r.Proto,
		"requestTime":       requestTime(q.now),
		"requestTimeEpoch":  q.now.UnixMilli(),
		"domainName":        q.r.Host,
		"domainPrefix":      domainPrefix(q.r.Host),
		"identity": map[string]any{
			"sourceIp":  sourceIP(q.r),
			"userAgent": q.r.UserAgent(),
		},
	}
	return q.ctxMap
}

// templateInput is what template t sees. $context is only built for a template that names it.
func (q *methodRequest) templateInput(accountID string, t *vtl.Template) vtl.Input {
	if q.input == nil {
		headers := make(map[string]string, len(q.r.Header))
		for k, vs := range q.r.Header {
			headers[k] = vs[len(vs)-1]
		}
		var query map[string]string
		if values, _ := url.ParseQuery(q.r.URL.RawQuery); len(values) > 0 {
			query = make(map[string]string, len(values))
			for k, vs := range values {
				query[k] = vs[len(vs)-1]
			}
		}
		q.input = &vtl.Input{Body: string(q.body), Headers: headers, QueryString: query, Path: q.params,
			StageVariables: q.variables}
	}
	in := *q.input
	if t.UsesContext() {
		in.Context = q.context(accountID)
	}
	return in
}

// paramMapping is one entry of RequestParameters or ResponseParameters: a destination
// (integration.request.header.X, method.response.header.X, …) and its source expression.
type paramMapping struct {
	where  string // "header", "querystring" or "path"
	name   string
	source string
}

// parseMappings reads a RequestParameters or ResponseParameters map whose keys start with
// prefix ("integration.request." or "method.response.").
func parseMappings(m map[string]string, prefix string, wheres ...string) ([]paramMapping, error) {
	var out []paramMapping
	for _, k := range sortedKeys(m) {
		rest, ok := strings.CutPrefix(k, prefix)
		where, name, ok2 := strings.Cut(rest, ".")
		if !ok || !ok2 || name == "" || !contains(wheres, where) {
			return nil, fmt.Errorf("%q: want %s{%s}.<name>", k, prefix, strings.Join(wheres, ","))
		}
		if err := checkSource(m[k]); err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		out = append(out, paramMapping{where: where, name: name, source: m[k]})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sourcePrefixes are the mapping sources API Gateway knows
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html).
var sourcePrefixes = []string{"method.request.path.", "method.request.querystring.", "method.request.multivaluequerystring.",
	"method.request.header.", "method.request.multivalueheader.", "method.request.body", "context.", "stageVariables.",
	"integration.response.header.", "integration.response.multivalueheader.", "integration.response.body"}

func checkSource(src string) error {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return nil
	}
	for _, p := range sourcePrefixes {
		if strings.HasPrefix(src, p) {
			return nil
		}
	}
	return fmt.Errorf("source %q is neither a quoted literal nor a known mapping expression (method.request.*, integration.response.*, context.*, stageVariables.*)", src)
}

// mappingSources are the values a parameter mapping may read.
type mappingSources struct {
	q        *methodRequest
	account  string
	respHdr  http.Header // integration response headers, when mapping a response
	respBody []byte
}

// value evaluates one source expression; ok is false when it names nothing.
func (ms mappingSources) value(src string) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	q := ms.q
	switch {
	case strings.HasPrefix(src, "method.request.path."):
		v, ok := q.params[src[len("method.request.path."):]]
		return v, ok
	case strings.HasPrefix(src, "method.request.querystring."):
		vs := q.r.URL.Query()[src[len("method.request.querystring."):]]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case strings.HasPrefix(src, "method.request.multivaluequerystring."):
		vs := q.r.URL.Query()[src[len("method.request.multivaluequerystring."):]]
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(src, "method.request.header."):
		vs := q.r.Header.Values(src[len("method.request.header."):])
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case strings.HasPrefix(src, "method.request.multivalueheader."):
		vs := q.r.Header.Values(src[len("method.request.multivalueheader."):])
		return strings.Join(vs, ","), len(vs) > 0
	case src == "method.request.body":
		return string(q.body), true
	case strings.HasPrefix(src, "method.request.body."):
		return jsonField(q.body, src[len("method.request.body."):])
	case strings.HasPrefix(src, "context."):
		return contextValue(q.context(ms.account), src[len("context."):])
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := q.variables[src[len("stageVariables."):]]
		return v, ok
	case strings.HasPrefix(src, "integration.response.header."):
		vs := ms.respHdr.Values(src[len("integration.response.header."):])
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case strings.HasPrefix(src, "integration.response.multivalueheader."):
		vs := ms.respHdr.Values(src[len("integration.response.multivalueheader."):])
		return strings.Join(vs, ","), len(vs) > 0
	case src == "integration.response.body":
		return string(ms.respBody), true
	case strings.HasPrefix(src, "integration.response.body."):
		return jsonField(ms.respBody, src[len("integration.response.body."):])
	}
	return "", false
}

// contextValue reads a dotted $context name ("identity.sourceIp").
func contextValue(ctx map[string]any, name string) (string, bool) {
	var cur any = ctx
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[part]; !ok {
			return "", false
		}
	}
	return scalarString(cur), true
}

// jsonField reads a JSONPath without its "$." ("order.items[0].id") from a JSON body: a string
// as its text, anything else as compact JSON.
func jsonField(body []byte, path string) (string, bool) {
	v, err := decodeJSON(body)
	if err != nil {
		return "", false
	}
	v, ok := walkJSON(v, strings.TrimPrefix(strings.TrimPrefix(path, "$"), "."))
	if !ok {
		return "", false
	}
	return scalarString(v), true
}

// walkJSON follows a dotted path with [n] indexes.
func walkJSON(v any, path string) (any, bool) {
	for path != "" {
		var part string
		if path[0] == '[' {
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			idx := strings.Trim(path[1:end], `'"`)
			path = strings.TrimPrefix(path[end+1:], ".")
			switch x := v.(type) {
			case []any:
				n, err := strconv.Atoi(idx)
				if err != nil || n < 0 || n >= len(x) {
					return nil, false
				}
				v = x[n]
			case map[string]any:
				var ok bool
				if v, ok = x[idx]; !ok {
					return nil, false
				}
			default:
				return nil, false
			}
			continue
		}
		end := strings.IndexAny(path, ".[")
		if end < 0 {
			part, path = path, ""
		} else {
			part, path = path[:end], strings.TrimPrefix(path[end:], ".")
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// mediaType is a Content-Type or Accept entry without parameters, lower case.
func mediaType(v string) string {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return mt
}

// compileTemplates parses mapping templates keyed by content type.
func compileTemplates(where string, m map[string]string) (map[string]*vtl.Template, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]*vtl.Template, len(m))
	for _, ct := range sortedKeys(m) {
		t, err := vtl.Parse(where+"["+ct+"]", m[ct])
		if err != nil {
			return nil, fmt.Errorf("%s[%s]: %w", where, ct, err)
		}
		out[strings.ToLower(ct)] = t
	}
	return out, nil
}

// responseTemplate picks an integration response's template for the method request's Accept
// header: the first accepted type that has one, else application/json, else the first by name.
func responseTemplate(templates map[string]*vtl.Template, accept []string) (string, *vtl.Template) {
	if len(templates) == 0 {
		return "", nil
	}
	for _, a := range accept {
		for part := range strings.SplitSeq(a, ",") {
			if t, ok := templates[mediaType(part)]; ok {
				return mediaType(part), t
			}
		}
	}
	if t, ok := templates["application/json"]; ok {
		return "application/json", t
	}
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0], templates[keys[0]]
}

// javaMap formats a map as the execution log does: {a=1, b=2}.
func javaMap[V any](m map[string]V, str func(V) string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(str(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}

func headerMap(h http.Header) string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		m[k] = strings.Join(vs, ",")
	}
	return javaMap(m, func(s string) string { return s })
}
