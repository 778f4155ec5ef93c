package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// files writes name → content into a temporary directory and returns its path.
func files(t testing.TB, contents map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range contents {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

func runIn(t testing.TB, dir string, args ...string) (string, string, error) {
	t.Helper()
	for i, a := range args {
		if strings.HasSuffix(a, ".vtl") || strings.HasSuffix(a, ".json") {
			args[i] = filepath.Join(dir, a)
		}
	}
	var stdout, stderr strings.Builder
	err := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

const orderRequest = `{
  "body": "{\"item\":\"croissant\",\"quantity\":2}",
  "headers": {"Content-Type": "application/json"},
  "querystring": {"dryRun": "true"},
  "path": {"orderId": "42"},
  "stageVariables": {"table": "orders"},
  "context": {"requestId": "r-1", "identity": {"sourceIp": "192.0.2.1"}}
}`

func TestRun(t *testing.T) {
	t.Parallel()
	dir := files(t, map[string]string{
		"req.json":     orderRequest,
		"objbody.json": `{"body": {"item": "eclair"}}`,
		"bad.json":     `{"body": `,
		"body.vtl":     `{"id": "$input.params('orderId')", "item": $input.json('$.item'), "table": "$stageVariables.table", "ip": "$context.identity.sourceIp"}`,
		"override.vtl": "#set($context.responseOverride.status = 201)\n#set($context.responseOverride.header.Location = \"/orders/$input.params('orderId')\")\ncreated",
		"broken.vtl":   "line one\n#if($x\n",
		"mock.vtl":     `{"statusCode": #if($input.params('dryRun') == "true")204#{else}200#end}`,
		"mockbad.vtl":  `{"status": 200}`,
		"response.vtl": `{"dry": $input.params('dryRun'), "status": "$context.responseOverride.status"}`,
		"mockover.vtl": "#set($context.requestOverride.header.X-Order = $input.params('orderId'))\n{\"statusCode\": 200}",
		"readover.vtl": `order $context.requestOverride.header.X-Order`,
		"rawbody.vtl":  `$input.body`,
	})
	tests := []struct {
		name    string
		args    []string
		want    string // stdout
		wantErr string
	}{
		// Mapping template variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
		{"renders text", []string{"-template", "body.vtl", "-request", "req.json"},
			`{"id": "42", "item": "croissant", "table": "orders", "ip": "192.0.2.1"}`, ""},
		{"body given as a JSON value", []string{"-template", "rawbody.vtl", "-request", "objbody.json"}, `{"item": "eclair"}`, ""},
		// Overrides: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
		{"json applies the response override", []string{"-json", "-template", "override.vtl", "-request", "req.json"},
			"{\n  \"output\": \"created\",\n  \"status\": 201,\n  \"headers\": {\n    \"Location\": \"/orders/42\"\n  }\n}\n", ""},
		{"json defaults to 200", []string{"-json", "-template", "rawbody.vtl", "-request", "objbody.json"},
			"{\n  \"output\": \"{\\\"item\\\": \\\"eclair\\\"}\",\n  \"status\": 200,\n  \"headers\": {}\n}\n", ""},
		// MOCK integrations: https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
		{"mock picks the status", []string{"-json", "-request-template", "mock.vtl", "-template", "response.vtl", "-request", "req.json"},
			"{\n  \"output\": \"{\\\"dry\\\": true, \\\"status\\\": \\\"$context.responseOverride.status\\\"}\",\n  \"status\": 204,\n  \"headers\": {}\n}\n", ""},
		{"mock shares request overrides", []string{"-request-template", "mockover.vtl", "-template", "readover.vtl", "-request", "req.json"}, "order 42", ""},
		{"mock without statusCode", []string{"-request-template", "mockbad.vtl", "-template", "response.vtl", "-request", "req.json"}, "", "unable to parse statusCode"},
		{"missing template file", []string{"-template", "nope.vtl", "-request", "req.json"}, "", "read template: open"},
		{"missing request file", []string{"-template", "body.vtl", "-request", "nope.json"}, "", "read request: open"},
		{"invalid request JSON names the file", []string{"-template", "body.vtl", "-request", "bad.json"}, "", "bad.json: invalid JSON"},
		{"syntax error has line and column", []string{"-template", "broken.vtl", "-request", "req.json"}, "", "broken.vtl:3:1: #if: expected ')'"},
		{"flags required", []string{"-template", "body.vtl"}, "", "-template (or -stack and -method) and -request are required"},
		{"no positional arguments", []string{"-template", "body.vtl", "-request", "req.json", "extra"}, "", "unexpected arguments"},
		{"unknown flag", []string{"-nope"}, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, _, err := runIn(t, dir, append([]string(nil), tt.args...)...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, stdout)
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := runIn(t, t.TempDir(), "-h")

	require.NoError(t, err)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "usage: vtl -template FILE -request FILE")
	assert.Contains(t, stderr, "-request-template")
}

func TestJSONOutputParses(t *testing.T) {
	t.Parallel()
	dir := files(t, map[string]string{"req.json": orderRequest, "t.vtl": `$input.json('$')`})
	stdout, _, err := runIn(t, dir, "-json", "-template", "t.vtl", "-request", "req.json")
	require.NoError(t, err)
	var res result
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, `{"item":"croissant","quantity":2}`, res.Output)
}

// stackJSON is a REST API as the CDK synthesizes it: a resource tree under the API's root, a
// method whose request template is an Fn::Sub naming a table, and integration responses with
// their own templates
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-method-integration.html).
const stackJSON = `{"Resources": {
  "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shop"}},
  "Orders": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders", "RestApiId": {"Ref": "Api"}}},
  "OrderId": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Ref": "Orders"}, "PathPart": "{id}", "RestApiId": {"Ref": "Api"}}},
  "GetOrder": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET", "ResourceId": {"Ref": "OrderId"}, "RestApiId": {"Ref": "Api"},
    "Integration": {"Type": "AWS",
      "RequestTemplates": {"application/json": {"Fn::Sub": ["{\"TableName\": \"${Table}\", \"Region\": \"${AWS::Region}\", \"Key\": \"$input.params('id')\", \"Literal\": \"${!Kept}\"}", {"Table": {"Ref": "OrdersTable"}}]}},
      "IntegrationResponses": [
        {"StatusCode": "200", "ResponseTemplates": {"application/json": "#set($it = $input.path('$.Item'))\n#if(\"$!it\" == \"\")#set($context.responseOverride.status = 404){\"error\": \"not found\"}#else{\"id\": \"$it.id.S\"}#end"}},
        {"StatusCode": "503", "SelectionPattern": "5\\d{2}", "ResponseTemplates": {"application/json": "{\"error\": \"busy\"}"}}]}}},
  "Root": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET", "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "RestApiId": {"Ref": "Api"},
    "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": {"Fn::Join": ["", ["{\"statusCode\": ", "200", "}"]]}}}}}
}}`

func TestStackTemplates(t *testing.T) {
	dir := files(t, map[string]string{
		"stack.json":   stackJSON,
		"found.json":   `{"path": {"id": "o-1"}, "body": {"Item": {"id": {"S": "o-1"}}}}`,
		"missing.json": `{"path": {"id": "o-2"}, "body": {}}`,
	})
	tests := []struct {
		name       string
		args       []string
		out, notes string
		err        string
	}{
		{"the request template, its variable shown as the logical id it names",
			[]string{"-stack", "stack.json", "-method", "GET /orders/{id}", "-request", "found.json"},
			`{"TableName": "OrdersTable", "Region": "us-east-1", "Key": "o-1", "Literal": "${Kept}"}`, "${Table} is shown as the logical id it names, OrdersTable", ""},
		{"a response template by its status",
			[]string{"-stack", "stack.json", "-method", "GET /orders/{id}", "-response", "200", "-request", "found.json"}, `{"id": "o-1"}`, "", ""},
		{"the response override of a missing item",
			[]string{"-json", "-stack", "stack.json", "-method", "GET /orders/{id}", "-response", "200", "-request", "missing.json"}, `"status": 404`, "", ""},
		{"the root resource and an Fn::Join",
			[]string{"-stack", "stack.json", "-method", "get /", "-request", "found.json"}, `{"statusCode": 200}`, "", ""},
		{"an unknown method lists the methods",
			[]string{"-stack", "stack.json", "-method", "POST /orders", "-request", "found.json"}, "", "",
			"no method POST /orders in " + filepath.Join(dir, "stack.json") + "; its methods are GET /, GET /orders/{id}"},
		{"an unknown status lists the statuses",
			[]string{"-stack", "stack.json", "-method", "GET /orders/{id}", "-response", "404", "-request", "found.json"}, "", "",
			"GetOrder (GET /orders/{id}) has no integration response with status 404; it has 200, 503"},
		{"another content type",
			[]string{"-stack", "stack.json", "-method", "GET /orders/{id}", "-content-type", "text/plain", "-request", "found.json"}, "", "",
			"has no request template for text/plain; it has application/json"},
		{"a method without a path", []string{"-stack", "stack.json", "-method", "GET", "-request", "found.json"}, "", "", `-method must be a verb and a resource path`},
		{"-stack without -method", []string{"-stack", "stack.json", "-request", "found.json"}, "", "", "-stack needs -method"},
		{"-stack with -template", []string{"-stack", "stack.json", "-method", "GET /", "-template", "x.vtl", "-request", "found.json"}, "", "", "leave out -template"},
		{"-method without -stack", []string{"-method", "GET /", "-template", "x.vtl", "-request", "found.json"}, "", "", "-method and -response pick a template from -stack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runIn(t, dir, append([]string(nil), tt.args...)...)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, out, tt.out)
			if tt.notes != "" {
				assert.Contains(t, errOut, tt.notes)
			}
		})
	}
}
