package eventbridge

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// CloudFormation resource types the service provisions.
const (
	TypeEventBus       = "AWS::Events::EventBus"
	TypeRule           = "AWS::Events::Rule"
	TypeArchive        = "AWS::Events::Archive"
	TypeConnection     = "AWS::Events::Connection"
	TypeApiDestination = "AWS::Events::ApiDestination"
)

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string {
	return []string{TypeEventBus, TypeRule, TypeArchive, TypeConnection, TypeApiDestination}
}

type tagProp struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbus.html
type eventBusProps struct {
	Name        string    `json:"Name"`
	Description string    `json:"Description"`
	Policy      any       `json:"Policy"` // accepted, not enforced
	Tags        []tagProp `json:"Tags"`
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html
type ruleProps struct {
	Name               string    `json:"Name"`
	Description        string    `json:"Description"`
	EventBusName       string    `json:"EventBusName"`
	EventPattern       any       `json:"EventPattern"` // an object or a JSON string
	ScheduleExpression string    `json:"ScheduleExpression"`
	State              string    `json:"State"`
	RoleArn            string    `json:"RoleArn"`
	Targets            []*target `json:"Targets"`
	Tags               []tagProp `json:"Tags"`
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-archive.html
type archiveProps struct {
	ArchiveName   string `json:"ArchiveName"`
	SourceArn     string `json:"SourceArn"`
	Description   string `json:"Description"`
	EventPattern  any    `json:"EventPattern"`
	RetentionDays int    `json:"RetentionDays"`
	// Accepted: archives are not encrypted offline (the CDK writes "" for AWS's own key).
	KmsKeyIdentifier string `json:"KmsKeyIdentifier"`
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-connection.html
type connectionProps struct {
	Name              string `json:"Name"`
	Description       string `json:"Description"`
	AuthorizationType string `json:"AuthorizationType"`
	AuthParameters    struct {
		ApiKeyAuthParameters *struct {
			ApiKeyName  string `json:"ApiKeyName"`
			ApiKeyValue string `json:"ApiKeyValue"`
		} `json:"ApiKeyAuthParameters"`
		BasicAuthParameters *struct {
			Username string `json:"Username"`
			Password string `json:"Password"`
		} `json:"BasicAuthParameters"`
		InvocationHttpParameters *struct {
			HeaderParameters      []httpParam `json:"HeaderParameters"`
			QueryStringParameters []httpParam `json:"QueryStringParameters"`
			BodyParameters        []httpParam `json:"BodyParameters"`
		} `json:"InvocationHttpParameters"`
	} `json:"AuthParameters"`
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-apidestination.html
type apiDestinationProps struct {
	Name                         string `json:"Name"`
	Description                  string `json:"Description"`
	ConnectionArn                string `json:"ConnectionArn"`
	InvocationEndpoint           string `json:"InvocationEndpoint"`
	HttpMethod                   string `json:"HttpMethod"`
	InvocationRateLimitPerSecond *int   `json:"InvocationRateLimitPerSecond"`
}

// patternText accepts an EventPattern given as an object or as a JSON string.
func patternText(v any) (string, error) {
	switch p := v.(type) {
	case nil:
		return "", nil
	case string:
		return p, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// shortID is a stable id derived from a name, where AWS puts a random UUID in an ARN.
func shortID(name string) string {
	h := sha1.Sum([]byte(name))
	x := hex.EncodeToString(h[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Provision creates one resource. Ref and GetAtt follow the CloudFormation reference: a bus's
// Ref is its name (Arn, Name); a rule's is its name, or "<bus>|<rule>" on a custom bus (Arn);
// an archive's, a connection's and an API destination's is the name (Arn; a connection also
// SecretArn; both ArnForPolicy).
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	fail := func(format string, args ...any) (sim.Physical, error) {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): %s", res.LogicalID, res.Type, fmt.Sprintf(format, args...))
	}
	switch res.Type {
	case TypeEventBus:
		var p eventBusProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		if p.Name == "" {
			return fail("property \"Name\" is required")
		}
		b, err := s.addBus(p.Name, p.Description, res.LogicalID, p.Tags)
		if err != nil {
			return fail("create event bus %s: %v", p.Name, err)
		}
		return sim.Physical{Ref: b.name, Attrs: map[string]any{"Arn": b.arn, "Name": b.name}}, nil

	case TypeRule:
		var p ruleProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		text, err := patternText(p.EventPattern)
		if err != nil {
			return fail("property \"EventPattern\": %v", err)
		}
		name := p.Name
		if name == "" {
			name = s.env.PhysicalName(res.LogicalID, 64)
		}
		bus := busName(p.EventBusName)
		r, err := s.putRule(&putRuleInput{Name: name, EventBusName: bus, EventPattern: text, ScheduleExpression: p.ScheduleExpression,
			State: p.State, Description: p.Description, RoleArn: p.RoleArn, Tags: p.Tags}, res.LogicalID)
		if err != nil {
			return fail("put rule %s: %v", name, err)
		}
		if len(p.Targets) > 0 {
			failed, err := s.putTargets(&putTargetsInput{Rule: name, EventBusName: bus, Targets: p.Targets})
			if err != nil {
				return fail("put targets on rule %s: %v", name, err)
			}
			if len(failed) > 0 {
				return fail("property \"Targets\": %s", failed[0].ErrorMessage)
			}
		}
		ref := r.name
		if r.bus != DefaultBus {
			ref = r.bus + "|" + r.name
		}
		return sim.Physical{Ref: ref, Attrs: map[string]any{"Arn": r.arn}}, nil

	case TypeArchive:
		var p archiveProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		text, err := patternText(p.EventPattern)
		if err != nil {
			return fail("property \"EventPattern\": %v", err)
		}
		name := p.ArchiveName
		if name == "" {
			name = s.env.PhysicalName(res.LogicalID, 48)
		}
		a, err := s.createArchive(&createArchiveInput{ArchiveName: name, EventSourceArn: p.SourceArn, Description: p.Description, EventPattern: text, RetentionDays: p.RetentionDays}, res.LogicalID)
		if err != nil {
			return fail("create archive %s: %v", name, err)
		}
		return sim.Physical{Ref: a.name, Attrs: map[string]any{"Arn": a.arn}}, nil

	case TypeConnection:
		var p connectionProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		name := p.Name
		if name == "" {
			name = s.env.PhysicalName(res.LogicalID, 64)
		}
		c := &connection{name: name, logicalID: res.LogicalID, authType: p.AuthorizationType}
		a := p.AuthParameters
		switch p.AuthorizationType {
		case "API_KEY":
			if a.ApiKeyAuthParameters == nil || a.ApiKeyAuthParameters.ApiKeyName == "" {
				return fail("property \"AuthParameters.ApiKeyAuthParameters\" is required for API_KEY")
			}
			c.apiKeyName, c.apiKey = a.ApiKeyAuthParameters.ApiKeyName, a.ApiKeyAuthParameters.ApiKeyValue
		case "BASIC":
			if a.BasicAuthParameters == nil {
				return fail("property \"AuthParameters.BasicAuthParameters\" is required for BASIC")
			}
			c.user, c.password = a.BasicAuthParameters.Username, a.BasicAuthParameters.Password
		default:
			return fail("property \"AuthorizationType\" %q is not supported by the emulator (API_KEY or BASIC)", p.AuthorizationType)
		}
		if h := a.InvocationHttpParameters; h != nil {
			c.headers, c.query, c.body = h.HeaderParameters, h.QueryStringParameters, h.BodyParameters
		}
		id := shortID(name)
		c.arn = s.env.ARN(ServiceName, "connection/"+name+"/"+id)
		c.secretArn = s.env.ARN("secretsmanager", "secret:events!connection/"+name+"/"+id+"-"+id[:6])
		s.mu.Lock()
		if _, ok := s.connections[name]; ok {
			s.mu.Unlock()
			return fail("connection %s already exists", name)
		}
		s.connections[name] = c
		s.mu.Unlock()
		return sim.Physical{Ref: name, Attrs: map[string]any{"Arn": c.arn, "SecretArn": c.secretArn, "ArnForPolicy": s.env.ARN(ServiceName, "connection/"+name)}}, nil

	case TypeApiDestination:
		var p apiDestinationProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		name := p.Name
		if name == "" {
			name = s.env.PhysicalName(res.LogicalID, 64)
		}
		method := strings.ToUpper(p.HttpMethod)
		switch method {
		case "POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE":
		default:
			return fail("property \"HttpMethod\" must be one of POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE, got %q", p.HttpMethod)
		}
		if u, err := url.Parse(p.InvocationEndpoint); err != nil || u.Host == "" {
			return fail("property \"InvocationEndpoint\" %q is not a URL", p.InvocationEndpoint)
		}
		conn := strings.Split(mustResource(p.ConnectionArn), "/")
		if len(conn) < 2 || conn[0] != "connection" {
			return fail("property \"ConnectionArn\" %q is not a connection ARN", p.ConnectionArn)
		}
		rate := 300 // the documented default
		if p.InvocationRateLimitPerSecond != nil {
			rate = *p.InvocationRateLimitPerSecond
			if rate < 1 || rate > 300 {
				return fail("property \"InvocationRateLimitPerSecond\" must be 1–300, got %d", rate)
			}
		}
		d := &apiDestination{name: name, logicalID: res.LogicalID, connection: conn[1], endpoint: p.InvocationEndpoint, method: method, rate: rate}
		d.arn = s.env.ARN(ServiceName, "api-destination/"+name+"/"+shortID(name))
		s.mu.Lock()
		if _, ok := s.connections[d.connection]; !ok {
			s.mu.Unlock()
			return fail("connection %s does not exist", d.connection)
		}
		s.destinations[name] = d
		s.mu.Unlock()
		return sim.Physical{Ref: name, Attrs: map[string]any{"Arn": d.arn, "ArnForPolicy": s.env.ARN(ServiceName, "api-destination/"+name)}}, nil
	}
	return fail("the EventBridge service does not provision this type")
}
