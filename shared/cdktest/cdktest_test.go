package cdktest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Makefile's SYNTH_CONTEXT is what cdk.json sets, with bundling off
// (https://docs.aws.amazon.com/cdk/v2/guide/context.html).
func TestSynthContext(t *testing.T) {
	ctx, err := SynthContext()
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"aws:cdk:enable-path-metadata":  true,
		"aws:cdk:enable-asset-metadata": true,
		"aws:cdk:version-reporting":     false,
		"aws:cdk:bundling-stacks":       []any{},
	}, ctx)
}

func TestReadSynthContext(t *testing.T) {
	tests := []struct {
		name, makefile, wantErr string
	}{
		{"no line", "GO ?= go\n", "no SYNTH_CONTEXT"},
		{"not JSON", "SYNTH_CONTEXT := {\n", "SYNTH_CONTEXT in"},
		{"found", "X := 1\nSYNTH_CONTEXT := {\"a\":true}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "Makefile")
			require.NoError(t, os.WriteFile(path, []byte(tt.makefile), 0o644))
			ctx, err := readSynthContext(path)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"a": true}, ctx)
		})
	}
}

func TestNormalise(t *testing.T) {
	stage, err := filepath.Abs("..")
	require.NoError(t, err)
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	in := `{"a":"` + stage + `/functions/x","b":"` + root + `/go.mod","c":"` + hash + `.zip"}`
	assert.Equal(t, `{"a":"functions/x","b":"../go.mod","c":"ASSET_HASH.zip"}`, string(Normalise(t, []byte(in))))
}

// errorRecorder keeps the errors reported to it instead of failing the test.
type errorRecorder struct {
	testing.TB
	errors []string
}

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestMust(t *testing.T) {
	r := &errorRecorder{TB: t}
	Must(r, func() { panic("Template has 0 resources with type AWS::SQS::Queue") })
	Must(r, func() {})
	assert.Equal(t, []string{"Template has 0 resources with type AWS::SQS::Queue"}, r.errors, "a panic is a test error")
}

func TestTemplate(t *testing.T) {
	tmpl := Parse(t, []byte(`{"Resources": {
		"Api": {"Type": "AWS::ApiGateway::RestApi", "Metadata": {"aws:cdk:path": "S/Api/Resource"}},
		"Orders": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders"}},
		"Id": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Ref": "Orders"}, "PathPart": "{id}"}},
		"Get": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET", "ResourceId": {"Ref": "Id"}}},
		"Post": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "POST", "ResourceId": {"Ref": "Orders"}}}
	}}`))
	assert.Equal(t, []string{"GET /orders/{id}", "POST /orders"}, tmpl.Routes())
	assert.Equal(t, map[string]string{"S/Api/Resource": "AWS::ApiGateway::RestApi"}, tmpl.Paths())
	assert.Equal(t, map[string]string{"S/Api/Resource": "Api"}, tmpl.ByPath())
}

// A harness's misconfiguration is an error before anything starts node.
func TestSynthMisconfigured(t *testing.T) {
	newStack := func(awscdk.App) awscdk.Stack { return nil }
	newStacks := func(awscdk.App) map[string]awscdk.Stack { return nil }
	for _, tt := range []struct {
		name, wantErr string
		h             *Harness
	}{
		{"neither New nor NewStacks", "set either New", &Harness{Stage: "x"}},
		{"both", "set either New", &Harness{Stage: "x", StackName: "S", New: newStack, NewStacks: newStacks}},
		{"New without StackName", "New needs StackName", &Harness{Stage: "x", New: newStack}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.h.synth()
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Empty(t, tt.h.dir, "nothing synthesized")
		})
	}
}

func TestSynthesizedStacks(t *testing.T) {
	keys, _, templates := Synthesized{Template: []byte("one")}.stacks()
	assert.Equal(t, []string{""}, keys, "a one-stack harness's stack has the key \"\"")
	assert.Equal(t, "one", string(templates[""]))
	keys, _, _ = Synthesized{
		Stacks:    map[string]awscdk.Stack{"us-east-1": nil, "eu-west-1": nil},
		Templates: map[string][]byte{"us-east-1": nil, "eu-west-1": nil},
	}.stacks()
	assert.Equal(t, []string{"eu-west-1", "us-east-1"}, keys, "keys sorted")
	assert.Equal(t, "golden/eu-west-1.json", GoldenPathOf("eu-west-1"))
}
