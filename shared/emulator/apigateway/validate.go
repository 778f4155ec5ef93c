package apigateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// restExtras are a REST API's models and request validators.
type restExtras struct {
	models     map[string]any // model name → JSON Schema (draft 4), decoded with UseNumber
	validators map[string]*requestValidator
}

type requestValidator struct {
	name         string
	body, params bool
}

// methodValidation is what a method's RequestValidatorId asks for.
type methodValidation struct {
	validator *requestValidator
	required  []requiredParam   // RequestParameters set to true
	models    map[string]string // RequestModels: content type → model name
	api       *restAPI          // for the models, read under the service's lock
	patterns  *sync.Map         // compiled "pattern" keywords
}

type requiredParam struct{ where, name string }

// emptySchema is API Gateway's predefined Empty model; "Error" is its other predefined one.
var predefinedModels = map[string]string{
	"Empty": `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`,
	"Error": `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Error Schema","type":"object","properties":{"message":{"type":"string"}}}`,
}

type modelProps struct {
	RestApiId   string
	Name        string
	ContentType string
	Description string
	Schema      any // an object, or its JSON text
}

func (s *Service) provisionModel(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p modelProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "RestApiId", p.RestApiId); err != nil {
		return sim.Physical{}, err
	}
	name := p.Name
	if name == "" {
		name = res.LogicalID // CloudFormation generates a name; the logical ID is a stable one
	}
	var raw []byte
	switch sch := p.Schema.(type) {
	case nil:
		raw = []byte(`{}`)
	case string:
		raw = []byte(sch)
	default:
		raw, _ = json.Marshal(sch)
	}
	schema, err := decodeJSON(raw)
	if err != nil {
		return sim.Physical{}, propError(res, "Schema", "not valid JSON: %v", err)
	}
	if _, ok := schema.(map[string]any); !ok {
		return sim.Physical{}, propError(res, "Schema", "a JSON Schema must be an object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	if api.extra.models == nil {
		api.extra.models = map[string]any{}
	}
	if _, dup := api.extra.models[name]; dup {
		return sim.Physical{}, propError(res, "Name", "REST API %s already has a model %q", api.logicalID, name)
	}
	api.extra.models[name] = schema
	return sim.Physical{Ref: name}, nil
}

func (s *Service) provisionRequestValidator(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p struct {
		RestApiId                                      string
		Name                                           string
		ValidateRequestBody, ValidateRequestParameters bool
	}
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "RestApiId", p.RestApiId); err != nil {
		return sim.Physical{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	id := physicalID("validator/"+api.id+"/"+res.LogicalID, 6)
	if api.extra.validators == nil {
		api.extra.validators = map[string]*requestValidator{}
	}
	api.extra.validators[id] = &requestValidator{name: p.Name, body: p.ValidateRequestBody, params: p.ValidateRequestParameters}
	return sim.Physical{Ref: id, Attrs: map[string]any{"RequestValidatorId": id}}, nil
}

// methodValidationFor reads a method's RequestValidatorId, RequestParameters and RequestModels.
// The caller holds the service's write lock.
func methodValidationFor(res *cfn.Resource, api *restAPI, p *methodProps) (*methodValidation, error) {
	if p.RequestValidatorId == "" {
		return nil, nil
	}
	v := api.extra.validators[p.RequestValidatorId]
	if v == nil {
		return nil, propError(res, "RequestValidatorId", "no request validator %q in REST API %s", p.RequestValidatorId, api.logicalID)
	}
	mv := &methodValidation{validator: v, models: map[string]string{}, api: api, patterns: &sync.Map{}}
	for _, k := range sortedKeys(p.RequestParameters) {
		rest, ok := strings.CutPrefix(k, "method.request.")
		where, name, ok2 := strings.Cut(rest, ".")
		if !ok || !ok2 || name == "" || (where != "header" && where != "querystring" && where != "path" &&
			where != "multivalueheader" && where != "multivaluequerystring") {
			return nil, propError(res, "RequestParameters", "%q: want method.request.{header,querystring,path}.<name>", k)
		}
		if p.RequestParameters[k] {
			mv.required = append(mv.required, requiredParam{where: strings.TrimPrefix(where, "multivalue"), name: name})
		}
	}
	for ct, name := range p.RequestModels {
		if _, ok := api.extra.models[name]; !ok && predefinedModels[name] == "" {
			return nil, propError(res, "RequestModels", "no model %q in REST API %s", name, api.logicalID)
		}
		mv.models[strings.ToLower(ct)] = name
	}
	return mv, nil
}

var (
	restInvalidBody = jsonReply(http.StatusBadRequest, `{"message": "Invalid request body"}`, "BadRequestException")
)

// validate checks a method request as its request validator says
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html):
// required parameters present and not blank, then the body against the model for its content
// type ($default for any), no validation when no model matches. It returns the 400 reply, or nil.
func (s *Service) validate(q *methodRequest, log *execLog) *reply {
	mv := q.ep.validation
	if mv.validator.params && len(mv.required) > 0 {
		var missing []string
		query := q.r.URL.Query()
		for _, p := range mv.required {
			var v string
			switch p.where {
			case "header":
				v = q.r.Header.Get(p.name)
			case "querystring":
				v = query.Get(p.name)
			case "path":
				v = q.params[p.name]
			}
			if strings.TrimSpace(v) == "" {
				missing = append(missing, p.name)
			}
		}
		if len(missing) > 0 {
			msg := "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
			log.printf("Request validation failed: %s", msg)
			return jsonReply(http.StatusBadRequest, `{"message": "`+jsonEscape(msg)+`"}`, "BadRequestException")
		}
	}
	if !mv.validator.body || len(mv.models) == 0 {
		return nil
	}
	ct := mediaType(q.r.Header.Get("Content-Type"))
	if ct == "" {
		ct = "application/json"
	}
	name, ok := mv.models[ct]
	if !ok {
		if name, ok = mv.models["$default"]; !ok {
			return nil
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	root, err := mv.model(name)
	if err == nil {
		var inst any
		body := bytes.TrimSpace(q.body)
		if len(body) == 0 {
			body = []byte("{}") // an empty payload reads as {} (as in mapping templates)
		}
		if inst, err = decodeJSON(body); err == nil {
			err = (&schemaCheck{mv: mv}).check(root, root, inst, "")
		}
	}
	if err != nil {
		log.printf("Request body does not match model schema for content type %s: [%v]", ct, err)
		return restInvalidBody
	}
	log.printf("Request validation succeeded for content type %s", ct)
	return nil
}

// model returns a model's schema. The caller holds the service's read lock.
func (mv *methodValidation) model(name string) (any, error) {
	if sch, ok := mv.api.extra.models[name]; ok {
		return sch, nil
	}
	if raw, ok := predefinedModels[name]; ok {
		return decodeJSON([]byte(raw))
	}
	return nil, fmt.Errorf("no model %q", name)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// schemaCheck validates an instance against a JSON Schema draft 4
// (https://datatracker.ietf.org/doc/html/draft-fge-json-schema-validation-00), the keywords API
// Gateway's models use. "format" is not checked.
type schemaCheck struct {
	mv    *methodValidation
	depth int
}

// modelURL is how one model refers to another.
var modelURL = regexp.MustCompile(`^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([^/#]+)(#.*)?$`)

func (c *schemaCheck) check(root, schema, inst any, at string) error {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
		return fmt.Errorf("%s: schema references nest too deeply", where(at))
	}
	sch, ok := schema.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := sch["$ref"].(string); ok {
		newRoot, target, err := c.resolve(root, ref)
		if err != nil {
			return err
		}
		return c.check(newRoot, target, inst, at)
	}
	if t, ok := sch["type"]; ok && !typeMatches(t, inst) {
		return fmt.Errorf("%s: instance type (%s) does not match any allowed primitive type (allowed: %s)", where(at), jsonType(inst), typeList(t))
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if jsonEqual(e, inst) {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s: instance value (%s) not found in enum", where(at), compact(inst))
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, ok := sch[k].([]any)
		if !ok {
			continue
		}
		n := 0
		var first error
		for _, sub := range list {
			if err := c.check(root, sub, inst, at); err == nil {
				n++
			} else if first == nil {
				first = err
			}
		}
		switch {
		case k == "allOf" && n != len(list):
			return first
		case k == "anyOf" && n == 0:
			return fmt.Errorf("%s: instance failed to match at least one required schema among %d", where(at), len(list))
		case k == "oneOf" && n != 1:
			return fmt.Errorf("%s: instance failed to match exactly one schema (matched %d out of %d)", where(at), n, len(list))
		}
	}
	if not, ok := sch["not"]; ok && c.check(root, not, inst, at) == nil {
		return fmt.Errorf("%s: instance matched a schema which it should not have", where(at))
	}
	switch x := inst.(type) {
	case map[string]any:
		return c.object(root, sch, x, at)
	case []any:
		return c.array(root, sch, x, at)
	case string:
		return c.str(sch, x, at)
	case json.Number:
		return number(sch, x, at)
	}
	return nil
}

func (c *schemaCheck) object(root any, sch map[string]any, obj map[string]any, at string) error {
	if req, ok := sch["required"].([]any); ok {
		var missing []string
		for _, r := range req {
			if name, ok := r.(string); ok {
				if _, has := obj[name]; !has {
					missing = append(missing, `"`+name+`"`)
				}
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s: object has missing required properties ([%s])", where(at), strings.Join(missing, ","))
		}
	}
	if n, ok := intKeyword(sch, "minProperties"); ok && len(obj) < n {
		return fmt.Errorf("%s: object has too few properties (found %d, minimum %d)", where(at), len(obj), n)
	}
	if n, ok := intKeyword(sch, "maxProperties"); ok && len(obj) > n {
		return fmt.Errorf("%s: object has too many properties (found %d, maximum %d)", where(at), len(obj), n)
	}
	props, _ := sch["properties"].(map[string]any)
	patterns, _ := sch["patternProperties"].(map[string]any)
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		matched := false
		if sub, ok := props[k]; ok {
			matched = true
			if err := c.check(root, sub, v, at+"/"+k); err != nil {
				return err
			}
		}
		for _, pat := range sortedKeys(patterns) {
			re, err := c.pattern(pat)
			if err != nil {
				return err
			}
			if re.MatchString(k) {
				matched = true
				if err := c.check(root, patterns[pat], v, at+"/"+k); err != nil {
					return err
				}
			}
		}
		if matched {
			continue
		}
		switch ap := sch["additionalProperties"].(type) {
		case bool:
			if !ap {
				return fmt.Errorf("%s: object instance has properties which are not allowed by the schema ([\"%s\"])", where(at), k)
			}
		case map[string]any:
			if err := c.check(root, ap, v, at+"/"+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *schemaCheck) array(root any, sch map[string]any, arr []any, at string) error {
	if n, ok := intKeyword(sch, "minItems"); ok && len(arr) < n {
		return fmt.Errorf("%s: array is too short: must have at least %d elements but instance has %d elements", where(at), n, len(arr))
	}
	if n, ok := intKeyword(sch, "maxItems"); ok && len(arr) > n {
		return fmt.Errorf("%s: array is too long: must have at most %d elements but instance has %d elements", where(at), n, len(arr))
	}
	if u, _ := sch["uniqueItems"].(bool); u {
		for i := range arr {
			for j := i + 1; j < len(arr); j++ {
				if jsonEqual(arr[i], arr[j]) {
					return fmt.Errorf("%s: array must not contain duplicate elements", where(at))
				}
			}
		}
	}
	switch items := sch["items"].(type) {
	case map[string]any:
		for i, v := range arr {
			if err := c.check(root, items, v, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	case []any:
		for i, v := range arr {
			if i < len(items) {
				if err := c.check(root, items[i], v, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
				continue
			}
			switch ai := sch["additionalItems"].(type) {
			case bool:
				if !ai {
					return fmt.Errorf("%s: array has too many items (found %d, maximum %d)", where(at), len(arr), len(items))
				}
			case map[string]any:
				if err := c.check(root, ai, v, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (c *schemaCheck) str(sch map[string]any, s string, at string) error {
	n := utf8.RuneCountInString(s)
	if m, ok := intKeyword(sch, "minLength"); ok && n < m {
		return fmt.Errorf("%s: string %q is too short (length: %d, required minimum: %d)", where(at), s, n, m)
	}
	if m, ok := intKeyword(sch, "maxLength"); ok && n > m {
		return fmt.Errorf("%s: string %q is too long (length: %d, maximum allowed: %d)", where(at), s, n, m)
	}
	if pat, ok := sch["pattern"].(string); ok {
		re, err := c.pattern(pat)
		if err != nil {
			return err
		}
		if !re.MatchString(s) { // ECMA 262 semantics: a match anywhere in the string
			return fmt.Errorf("%s: ECMA 262 regex %q does not match input string %q", where(at), pat, s)
		}
	}
	return nil
}

func number(sch map[string]any, n json.Number, at string) error {
	v, _ := new(big.Rat).SetString(n.String())
	if v == nil {
		return nil
	}
	bound := func(k string) (*big.Rat, bool) {
		b, ok := sch[k].(json.Number)
		if !ok {
			return nil, false
		}
		r, ok := new(big.Rat).SetString(b.String())
		return r, ok
	}
	if m, ok := bound("minimum"); ok {
		excl, _ := sch["exclusiveMinimum"].(bool)
		if c := v.Cmp(m); c < 0 || (excl && c == 0) {
			return fmt.Errorf("%s: numeric instance is lower than the required minimum (minimum: %s, found: %s)", where(at), sch["minimum"], n)
		}
	}
	if m, ok := bound("maximum"); ok {
		excl, _ := sch["exclusiveMaximum"].(bool)
		if c := v.Cmp(m); c > 0 || (excl && c == 0) {
			return fmt.Errorf("%s: numeric instance is greater than the required maximum (maximum: %s, found: %s)", where(at), sch["maximum"], n)
		}
	}
	if m, ok := bound("multipleOf"); ok && m.Sign() > 0 {
		if q := new(big.Rat).Quo(v, m); !q.IsInt() {
			return fmt.Errorf("%s: remainder of division is not zero (%s / %s)", where(at), n, sch["multipleOf"])
		}
	}
	return nil
}

func (c *schemaCheck) pattern(p string) (*regexp.Regexp, error) {
	if re, ok := c.mv.patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	c.mv.patterns.Store(p, re)
	return re, nil
}

// resolve follows a $ref: "#/definitions/x" (a JSON pointer into the current document) or
// another model's URL, https://apigateway.amazonaws.com/restapis/<id>/models/<name>.
func (c *schemaCheck) resolve(root any, ref string) (any, any, error) {
	doc := root
	pointer := ref
	if m := modelURL.FindStringSubmatch(ref); m != nil {
		sch, err := c.mv.model(m[1])
		if err != nil {
			return nil, nil, fmt.Errorf("$ref %s: %w", ref, err)
		}
		doc, pointer = sch, m[2]
	} else if !strings.HasPrefix(ref, "#") {
		return nil, nil, fmt.Errorf("$ref %q: only #/… pointers and model URLs are supported", ref)
	}
	target := doc
	for part := range strings.SplitSeq(strings.TrimPrefix(strings.TrimPrefix(pointer, "#"), "/"), "/") {
		if part == "" {
			continue
		}
		part, _ = url.PathUnescape(part)
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := target.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if target, ok = m[part]; !ok {
			return nil, nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return doc, target, nil
}

func where(at string) string {
	if at == "" {
		return "instance \"\""
	}
	return "instance \"" + at + "\""
}

func typeMatches(t, inst any) bool {
	switch x := t.(type) {
	case string:
		return isType(x, inst)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && isType(s, inst) {
				return true
			}
		}
		return false
	}
	return true
}

func isType(t string, inst any) bool {
	switch t {
	case "integer":
		n, ok := inst.(json.Number)
		if !ok {
			return false
		}
		r, ok := new(big.Rat).SetString(n.String())
		return ok && r.IsInt()
	case "number":
		_, ok := inst.(json.Number)
		return ok
	case "any":
		return true
	}
	return jsonType(inst) == t
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if r, ok := new(big.Rat).SetString(x.String()); ok && r.IsInt() {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func typeList(t any) string {
	if s, ok := t.(string); ok {
		return `["` + s + `"]`
	}
	return compact(t)
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func intKeyword(sch map[string]any, k string) (int, bool) {
	n, ok := sch[k].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// jsonEqual compares decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, ok1 := new(big.Rat).SetString(x.String())
		ry, ok2 := new(big.Rat).SetString(y.String())
		return ok1 && ok2 && rx.Cmp(ry) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}
