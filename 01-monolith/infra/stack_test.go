package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/01-monolith/infra/golden"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds).

var update = flag.Bool("update", false, "rewrite golden/template.json from a fresh synth")

const goldenPath = "golden/template.json"

// synthContext is what `cdk synth` would pass (see ../cdk.json), with bundling switched off so no
// Go cross-compile runs; `make synth` passes the same through CDK_CONTEXT_JSON.
var synthContext = map[string]any{
	"aws:cdk:enable-path-metadata":  true,
	"aws:cdk:enable-asset-metadata": true,
	"aws:cdk:version-reporting":     false,
	"aws:cdk:bundling-stacks":       []any{},
}

type synthesized struct {
	stack    awscdk.Stack
	template []byte // as written to the cloud assembly
	err      error
}

var (
	synthOnce sync.Once
	synthDir  string
	synthOut  synthesized
)

func TestMain(m *testing.M) {
	// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION must come from outside (the Makefile sets it):
	// the jsii runtime fixes its node process's environment while packages initialise.
	flag.Parse()
	code := m.Run()
	if synthDir != "" {
		jsii.Close()
		_ = os.RemoveAll(synthDir)
	}
	os.Exit(code)
}

// synth synthesizes the stack once per test binary.
func synth(t *testing.T) synthesized {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the CDK synth (needs node, takes seconds)")
	}
	synthOnce.Do(func() {
		synthDir, synthOut.err = os.MkdirTemp("", "cdk-01-monolith-")
		if synthOut.err != nil {
			return
		}
		ctx := synthContext
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(synthDir), Context: &ctx})
		synthOut.stack = NewStack(app, StackName, &StackProps{StageDir: ".."})
		app.Synth(nil)
		synthOut.template, synthOut.err = os.ReadFile(filepath.Join(synthDir, StackName+".template.json"))
	})
	require.NoError(t, synthOut.err)
	return synthOut
}

var assetHash = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// normalise removes from a template what legitimately differs between edits and checkouts: asset
// hashes (they follow the code) and the absolute path of the stage in asset metadata.
func normalise(t *testing.T, template []byte) []byte {
	t.Helper()
	stageDir, err := filepath.Abs("..")
	require.NoError(t, err)
	quoted, err := json.Marshal(stageDir + string(filepath.Separator))
	require.NoError(t, err)
	out := bytes.ReplaceAll(template, bytes.TrimSuffix(quoted, []byte(`"`)), []byte(`"`))
	return assetHash.ReplaceAll(out, []byte("ASSET_HASH"))
}

func TestGoldenTemplate(t *testing.T) {
	got := normalise(t, synth(t).template)
	if *update {
		require.NoError(t, os.WriteFile(goldenPath, got, 0o644))
		t.Logf("wrote %s", goldenPath)
		return
	}
	assert.Equal(t, string(normalise(t, golden.Template)), string(got),
		"the stack changed: review the diff, then run `make golden STAGE=01-monolith`")
	assert.NotContains(t, string(golden.Template), "/01-monolith/", "no machine paths in the golden file")
	assert.True(t, json.Valid(golden.Template))
}

// must runs a CDK assertion, which panics when it fails.
func must(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	tmpl := assertions.Template_FromStack(synth(t).stack, nil)
	var table, function string
	must(t, func() { table = *tmpl.GetResourceId(jsii.String("AWS::DynamoDB::Table"), obj{}) })
	must(t, func() { function = *tmpl.GetResourceId(jsii.String("AWS::Lambda::Function"), obj{}) })
	require.NotEmpty(t, table)
	require.NotEmpty(t, function)
	ref := func(id string) obj { return obj{"Ref": id} }
	arn := func(id string) obj { return obj{"Fn::GetAtt": arr{id, "Arn"}} }

	tests := []struct {
		name  string
		check func()
	}{
		{"one function", func() { tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1)) }},
		{"one table", func() { tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) }},
		{"the table is on-demand, keyed by pk and sk", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), obj{
				"BillingMode":           "PAY_PER_REQUEST",
				"ProvisionedThroughput": assertions.Match_Absent(),
				"KeySchema":             arr{obj{"AttributeName": "pk", "KeyType": "HASH"}, obj{"AttributeName": "sk", "KeyType": "RANGE"}},
			})
		}},
		{"the function is arm64 on provided.al2023", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Architectures": arr{"arm64"}, "Runtime": "provided.al2023", "Handler": "bootstrap",
			})
		}},
		{"the function has explicit memory and timeout", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"MemorySize": 256, "Timeout": 10})
		}},
		{"the function's environment is the table name and nothing else", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{"TABLE_NAME": ref(table)})},
			})
		}},
		{"the function may read and write the table", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": obj{"Statement": assertions.Match_ArrayWith(&arr{
				obj{"Effect": "Allow", "Resource": arr{arn(table)},
					"Action": assertions.Match_ArrayWith(&arr{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"})},
			})}})
		}},
		{"one regional REST API", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::RestApi"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), obj{"EndpointConfiguration": obj{"Types": arr{"REGIONAL"}}})
		}},
		{"its stage is prod", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), obj{"StageName": "prod"})
		}},
		{"no account-wide CloudWatch role", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Account"), jsii.Number(0))
		}},
		{"four methods and no CORS preflight", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(4))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"HttpMethod": "OPTIONS"}, jsii.Number(0))
		}},
		{"every method is a Lambda proxy to the function", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{
				"Type": "AWS_PROXY",
				"Uri":  obj{"Fn::Join": arr{"", assertions.Match_ArrayWith(&arr{arn(function)})}},
			}}, jsii.Number(4))
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(4))
		}},
		{"outputs are the API URL and the table name", func() {
			tmpl.HasOutput(jsii.String("ApiUrl"), obj{"Value": assertions.Match_AnyValue()})
			tmpl.HasOutput(jsii.String("TableName"), obj{"Value": ref(table)})
			assert.Len(t, *tmpl.FindOutputs(jsii.String("*"), obj{}), 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { must(t, tt.check) })
	}
}

// cfnTemplate is the part of a template the route and path checks read.
type cfnTemplate struct {
	Resources map[string]struct {
		Type       string
		Properties map[string]any
		Metadata   map[string]any
	}
}

func parse(t *testing.T, b []byte) cfnTemplate {
	t.Helper()
	var tmpl cfnTemplate
	require.NoError(t, json.Unmarshal(b, &tmpl))
	return tmpl
}

func TestRoutes(t *testing.T) {
	tmpl := parse(t, synth(t).template)
	// path rebuilds a resource's path from its PathPart and ParentId chain.
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
	assert.Equal(t, []string{"GET /menu", "GET /orders/{id}", "POST /orders", "POST /orders/{id}/payment"}, routes)
}

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	tmpl := parse(t, synth(t).template)
	paths := map[string]string{}
	for _, r := range tmpl.Resources {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			paths[p] = r.Type
		}
	}
	for path, typ := range map[string]string{
		"EmilysPastries01Monolith/Bakery/Resource": "AWS::Lambda::Function",
		"EmilysPastries01Monolith/Table/Resource":  "AWS::DynamoDB::Table",
		"EmilysPastries01Monolith/Api/Resource":    "AWS::ApiGateway::RestApi",
	} {
		assert.Equal(t, typ, paths[path], path)
	}
	for p := range paths {
		assert.True(t, strings.HasPrefix(p, StackName+"/"), p)
	}
}
