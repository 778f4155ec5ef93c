package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// A stage's mapping templates live in its synthesized CloudFormation template, in the
// Integration of an AWS::ApiGateway::Method
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-method-integration.html):
// RequestTemplates by content type, and IntegrationResponses with their own ResponseTemplates.
// -stack picks one of them by the method's verb and resource path, so the template rendered is
// the one the stage deploys, not a copy.

// cfnTemplate is the part of a CloudFormation template the lookup reads.
type cfnTemplate struct {
	Resources map[string]struct {
		Type       string          `json:"Type"`
		Properties json.RawMessage `json:"Properties"`
	} `json:"Resources"`
}

type apiResource struct {
	ParentID any    `json:"ParentId"`
	PathPart string `json:"PathPart"`
}

type apiMethod struct {
	HTTPMethod  string `json:"HttpMethod"`
	ResourceID  any    `json:"ResourceId"`
	Integration struct {
		RequestTemplates     map[string]any `json:"RequestTemplates"`
		IntegrationResponses []struct {
			StatusCode        string         `json:"StatusCode"`
			SelectionPattern  string         `json:"SelectionPattern"`
			ResponseTemplates map[string]any `json:"ResponseTemplates"`
		} `json:"IntegrationResponses"`
	} `json:"Integration"`
}

// pseudoParameters are what the emulator gives AWS's pseudo parameters.
var pseudoParameters = map[string]string{
	"AWS::Region": "us-east-1", "AWS::AccountId": "000000000000", "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
}

// stackTemplate returns the mapping template of method ("GET /orders/{id}") in the
// CloudFormation template at path: its request template for contentType, or, when status is not
// empty, the response template of the integration response with that status code. Variables of
// an Fn::Sub that name resources are shown as their logical ids; notes says which.
func stackTemplate(path, method, status, contentType string) (text string, notes []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("read stack template: %w", err)
	}
	var t cfnTemplate
	if err := json.Unmarshal(data, &t); err != nil {
		return "", nil, fmt.Errorf("stack template %s: invalid JSON: %w", path, err)
	}
	verb, want, ok := strings.Cut(strings.TrimSpace(method), " ")
	if !ok || verb == "" || !strings.HasPrefix(want, "/") {
		return "", nil, fmt.Errorf(`-method must be a verb and a resource path such as "GET /orders/{id}", got %q`, method)
	}
	resources := map[string]apiResource{}
	for id, r := range t.Resources {
		if r.Type == "AWS::ApiGateway::Resource" {
			var res apiResource
			if err := json.Unmarshal(r.Properties, &res); err != nil {
				return "", nil, fmt.Errorf("resource %s: %w", id, err)
			}
			resources[id] = res
		}
	}
	var found []string
	for id, r := range t.Resources {
		if r.Type != "AWS::ApiGateway::Method" {
			continue
		}
		var m apiMethod
		if err := json.Unmarshal(r.Properties, &m); err != nil {
			return "", nil, fmt.Errorf("method %s: %w", id, err)
		}
		p := resourcePath(resources, m.ResourceID, 0)
		found = append(found, m.HTTPMethod+" "+p)
		if !strings.EqualFold(m.HTTPMethod, verb) || p != want {
			continue
		}
		where := fmt.Sprintf("%s (%s %s)", id, m.HTTPMethod, p)
		var value any
		if status == "" {
			if value, ok = m.Integration.RequestTemplates[contentType]; !ok {
				return "", nil, fmt.Errorf("%s has no request template for %s; it has %s", where, contentType, keys(m.Integration.RequestTemplates))
			}
		} else {
			var statuses []string
			for _, ir := range m.Integration.IntegrationResponses {
				statuses = append(statuses, ir.StatusCode)
				if ir.StatusCode == status {
					value, ok = ir.ResponseTemplates[contentType]
					if !ok {
						return "", nil, fmt.Errorf("%s: the %s integration response has no response template for %s; it has %s", where, status, contentType, keys(ir.ResponseTemplates))
					}
				}
			}
			if value == nil {
				return "", nil, fmt.Errorf("%s has no integration response with status %s; it has %s", where, status, strings.Join(statuses, ", "))
			}
		}
		return intrinsicText(value, where)
	}
	slices.Sort(found)
	return "", nil, fmt.Errorf("no method %s %s in %s; its methods are %s", strings.ToUpper(verb), want, path, strings.Join(found, ", "))
}

// resourcePath is the path of an AWS::ApiGateway::Resource, given as a Ref or as the API's
// RootResourceId.
func resourcePath(resources map[string]apiResource, ref any, depth int) string {
	obj, _ := ref.(map[string]any)
	id, _ := obj["Ref"].(string)
	r, ok := resources[id]
	if !ok || depth > 32 { // the root resource (Fn::GetAtt RootResourceId), or a cycle
		return "/"
	}
	parent := resourcePath(resources, r.ParentID, depth+1)
	return strings.TrimSuffix(parent, "/") + "/" + r.PathPart
}

func keys(m map[string]any) string {
	if len(m) == 0 {
		return "none"
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// intrinsicText turns a template value into its text: a string, an Fn::Sub (with or without
// its variable map) or an Fn::Join of strings and references.
func intrinsicText(v any, where string) (string, []string, error) {
	switch x := v.(type) {
	case string:
		return x, nil, nil
	case map[string]any:
		if sub, ok := x["Fn::Sub"]; ok {
			return substitute(sub, where)
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			parts, _ := join[1].([]any)
			var out []string
			var notes []string
			for _, p := range parts {
				s, n, err := intrinsicText(p, where)
				if err != nil {
					return "", nil, err
				}
				out, notes = append(out, s), append(notes, n...)
			}
			return strings.Join(out, sep), notes, nil
		}
		if ref, ok := x["Ref"].(string); ok {
			if v, ok := pseudoParameters[ref]; ok {
				return v, nil, nil
			}
			return ref, []string{fmt.Sprintf("Ref %s is shown as its logical id", ref)}, nil
		}
	}
	return "", nil, fmt.Errorf("%s: the template is neither text nor an Fn::Sub or Fn::Join of text (got %v)", where, v)
}

func substitute(sub any, where string) (string, []string, error) {
	var text string
	vars := map[string]any{}
	switch s := sub.(type) {
	case string:
		text = s
	case []any:
		if len(s) != 2 {
			return "", nil, fmt.Errorf("%s: Fn::Sub takes a string or [string, variables]", where)
		}
		text, _ = s[0].(string)
		if m, ok := s[1].(map[string]any); ok {
			vars = m
		}
	default:
		return "", nil, errors.New(where + ": Fn::Sub takes a string or [string, variables]")
	}
	var notes []string
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := pseudoParameters[name]; ok {
			return v
		}
		if v, ok := vars[name]; ok {
			if s, ok := v.(string); ok {
				return s
			}
			if obj, ok := v.(map[string]any); ok {
				if ref, ok := obj["Ref"].(string); ok {
					notes = append(notes, fmt.Sprintf("${%s} is shown as the logical id it names, %s", name, ref))
					return ref
				}
				if ga, ok := obj["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
					s := fmt.Sprintf("%v.%v", ga[0], ga[1])
					notes = append(notes, fmt.Sprintf("${%s} is shown as the attribute it names, %s", name, s))
					return s
				}
			}
		}
		notes = append(notes, fmt.Sprintf("${%s} is shown as its name", name))
		return name
	})
	// ${!Literal} writes ${Literal}, as CloudFormation does.
	return strings.ReplaceAll(out, "${!", "${"), notes, nil
}
