package cdktest

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// Template is the part of a CloudFormation template the stages' wiring checks read.
type Template struct {
	Resources map[string]Resource
}

// Resource is one resource of a Template.
type Resource struct {
	Type       string
	Condition  string
	Properties map[string]any
	Metadata   map[string]any
}

// Parse reads a synthesized template.
func Parse(t testing.TB, b []byte) Template {
	t.Helper()
	var tmpl Template
	require.NoError(t, json.Unmarshal(b, &tmpl))
	return tmpl
}

// Path is a resource's construct path (its aws:cdk:path metadata), or "".
func (r Resource) Path() string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	return p
}

// Paths maps construct paths to resource types: the identities the emulator maps handlers to.
func (tmpl Template) Paths() map[string]string {
	out := map[string]string{}
	for _, r := range tmpl.Resources {
		if p := r.Path(); p != "" {
			out[p] = r.Type
		}
	}
	return out
}

// ByPath maps construct paths to logical IDs.
func (tmpl Template) ByPath() map[string]string {
	out := map[string]string{}
	for id, r := range tmpl.Resources {
		if p := r.Path(); p != "" {
			out[p] = id
		}
	}
	return out
}

// Routes lists a REST API's methods as "GET /orders/{id}", sorted: each method's resource path is
// rebuilt from its PathPart and ParentId chain.
func (tmpl Template) Routes() []string {
	var path func(id string) string
	path = func(id string) string {
		r, ok := tmpl.Resources[id]
		if !ok || r.Type != "AWS::ApiGateway::Resource" {
			return "" // the root resource, referenced through Fn::GetAtt RootResourceId
		}
		parent, _ := r.Properties["ParentId"].(map[string]any)
		ref, _ := parent["Ref"].(string)
		return path(ref) + "/" + fmt.Sprint(r.Properties["PathPart"])
	}
	var routes []string
	for _, r := range tmpl.Resources {
		if r.Type != "AWS::ApiGateway::Method" {
			continue
		}
		res, _ := r.Properties["ResourceId"].(map[string]any)
		ref, _ := res["Ref"].(string)
		routes = append(routes, fmt.Sprint(r.Properties["HttpMethod"])+" "+path(ref))
	}
	sort.Strings(routes)
	return routes
}
