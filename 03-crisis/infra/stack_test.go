package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/infra/golden"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds), and 42 functions take a while to synthesize.

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
		synthDir, synthOut.err = os.MkdirTemp("", "cdk-03-crisis-")
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
// hashes (they follow the code) and the absolute paths of the stage and of the repository in asset
// metadata.
func normalise(t *testing.T, template []byte) []byte {
	t.Helper()
	out := template
	// The stage first (its paths become relative to it), then the repository around it.
	for _, p := range []struct{ dir, to string }{{"..", `"`}, {"../..", `"../`}} {
		abs, err := filepath.Abs(p.dir)
		require.NoError(t, err)
		quoted, err := json.Marshal(abs + string(filepath.Separator))
		require.NoError(t, err)
		out = bytes.ReplaceAll(out, bytes.TrimSuffix(quoted, []byte(`"`)), []byte(p.to))
	}
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
		"the stack changed: review the diff, then run `make golden STAGE=03-crisis`")
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	assert.NotContains(t, string(golden.Template), root, "no machine paths in the golden file")
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
	tests := []struct {
		name  string
		check func()
	}{
		{"42 functions", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(42))
		}},
		{"the payment provider's URL is a parameter", func() {
			tmpl.HasParameter(jsii.String("PaymentProviderUrl"), obj{"Type": "String", "AllowedPattern": "https?://.+", "Default": assertions.Match_Absent()})
		}},
		{"two functions with reserved concurrency: the API and the head of the chain", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), obj{"ReservedConcurrentExecutions": assertions.Match_AnyValue()}, jsii.Number(2))
		}},
		{"one on-demand table", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), obj{"BillingMode": "PAY_PER_REQUEST"})
		}},
		{"no queues, topics, buses or state machines: every call is synchronous", func() {
			for _, typ := range []string{"AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Events::EventBus", "AWS::Events::Rule", "AWS::StepFunctions::StateMachine"} {
				tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
			}
		}},
		{"no dead-letter queue and no failure destination anywhere", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), obj{"DeadLetterConfig": assertions.Match_AnyValue()}, jsii.Number(0))
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::EventInvokeConfig"), jsii.Number(0))
		}},
		{"three methods, all Lambda proxies, no CORS preflight", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(3))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{"Type": "AWS_PROXY"}}, jsii.Number(3))
		}},
		{"outputs are the API URL and the table name", func() {
			tmpl.HasOutput(jsii.String("ApiUrl"), obj{"Value": assertions.Match_AnyValue()})
			tmpl.HasOutput(jsii.String("TableName"), obj{"Value": assertions.Match_AnyValue()})
			assert.Len(t, *tmpl.FindOutputs(jsii.String("*"), obj{}), 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { must(t, tt.check) })
	}
}

// cfnTemplate is the part of a template the wiring checks read.
type cfnTemplate struct {
	Resources map[string]struct {
		Type       string
		Condition  string
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

// byPath maps construct paths to logical IDs.
func (c cfnTemplate) byPath() map[string]string {
	out := map[string]string{}
	for id, r := range c.Resources {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			out[p] = id
		}
	}
	return out
}

// invokable lists, per role logical ID, the function logical IDs its policies let it invoke.
func (c cfnTemplate) invokable() map[string][]string {
	out := map[string][]string{}
	for _, r := range c.Resources {
		if r.Type != "AWS::IAM::Policy" {
			continue
		}
		var p struct {
			PolicyDocument struct {
				Statement []struct {
					Action   any
					Effect   string
					Resource any
				}
			}
			Roles []map[string]string
		}
		b, _ := json.Marshal(r.Properties)
		if json.Unmarshal(b, &p) != nil {
			continue
		}
		for _, s := range p.PolicyDocument.Statement {
			if s.Effect != "Allow" || fmt.Sprint(s.Action) != "lambda:InvokeFunction" {
				continue
			}
			resources, _ := s.Resource.([]any)
			for _, res := range resources {
				m, _ := res.(map[string]any)
				if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
					for _, role := range p.Roles {
						out[role["Ref"]] = append(out[role["Ref"]], fmt.Sprint(ga[0]))
					}
				}
			}
		}
	}
	return out
}

func TestWiring(t *testing.T) {
	tmpl := parse(t, synth(t).template)
	ids := tmpl.byPath()
	invokable := tmpl.invokable()
	require.Len(t, functions, 42)
	for _, f := range functions {
		t.Run(f.dir, func(t *testing.T) {
			id := ids[StackName+"/"+constructID(f.dir)+"/Resource"]
			require.NotEmpty(t, id, "function %s is in the template", f.dir)
			fn := tmpl.Resources[id]
			assert.Empty(t, fn.Condition)
			assert.Equal(t, "provided.al2023", fn.Properties["Runtime"])
			assert.Equal(t, arr{"arm64"}, fn.Properties["Architectures"])
			env, _ := fn.Properties["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			roleArn, _ := fn.Properties["Role"].(map[string]any)
			role := fmt.Sprint(roleArn["Fn::GetAtt"].([]any)[0])
			var want []string
			for _, callee := range f.calls {
				calleeID := ids[StackName+"/"+constructID(callee)+"/Resource"]
				want = append(want, calleeID)
				assert.Equal(t, obj{"Ref": calleeID}, vars[envName(callee)], "%s names %s with a Ref", f.dir, callee)
			}
			got := invokable[role]
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, "%s may invoke exactly its callees", f.dir)
			if f.table {
				assert.Contains(t, vars, "TABLE_NAME")
			}
			if f.payment {
				assert.Contains(t, vars, "PAYMENT_PROVIDER_URL")
			}
			assert.Len(t, vars, len(f.calls)+btoi(f.table)+btoi(f.payment), "%s's environment holds only what it uses", f.dir)
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestChainDepth(t *testing.T) {
	calls := map[string][]string{}
	for _, f := range functions {
		calls[f.dir] = f.calls
	}
	var depth func(dir string, seen []string) int
	depth = func(dir string, seen []string) int {
		require.NotContains(t, seen, dir, "a call cycle: %s", strings.Join(append(seen, dir), " → "))
		d := 0
		for _, c := range calls[dir] {
			d = max(d, depth(c, append(seen, dir)))
		}
		return d + 1
	}
	assert.Equal(t, 9, depth("order-api", nil), "order-api → … → payment-charge is nine functions deep")
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
	for _, f := range functions {
		assert.Equal(t, "AWS::Lambda::Function", paths[StackName+"/"+constructID(f.dir)+"/Resource"], f.dir)
	}
	assert.Equal(t, "AWS::DynamoDB::Table", paths[StackName+"/Table/Resource"])
	assert.Equal(t, "AWS::ApiGateway::RestApi", paths[StackName+"/Api/Resource"])
	for p := range paths {
		assert.True(t, strings.HasPrefix(p, StackName+"/"), p)
	}
}

// TestReadmeDiagram keeps the README's diagram of the calls in step with the functions.
func TestReadmeDiagram(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	edge := regexp.MustCompile(`(?m)^\s+([a-z_]+) --> ([a-z_]+)$`)
	var drawn []string
	for _, m := range edge.FindAllStringSubmatch(string(readme), -1) {
		drawn = append(drawn, strings.ReplaceAll(m[1], "_", "-")+" → "+strings.ReplaceAll(m[2], "_", "-"))
	}
	var calls []string
	for _, f := range functions {
		for _, c := range f.calls {
			calls = append(calls, f.dir+" → "+c)
		}
	}
	drawn = slices.DeleteFunc(drawn, func(e string) bool { return strings.HasPrefix(e, "apigw") })
	sort.Strings(drawn)
	sort.Strings(calls)
	assert.Equal(t, calls, drawn, "the README's mermaid diagram draws exactly the calls of infra/functions.go")
}
