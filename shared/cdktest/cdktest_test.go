package cdktest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
