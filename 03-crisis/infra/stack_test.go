package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/cdktest"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds), and 42 functions take a while to synthesize.

var stack = &cdktest.Harness{
	Stage:     "03-crisis",
	StackName: StackName,
	New: func(app awscdk.App) awscdk.Stack {
		return NewStack(app, StackName, &StackProps{StageDir: ".."})
	},
}

func TestMain(m *testing.M) { stack.Main(m) }

func TestGoldenTemplate(t *testing.T) { stack.Golden(t) }

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	tmpl := assertions.Template_FromStack(stack.Synth(t).Stack, nil)
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
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
}

// invokable lists, per role logical ID, the function logical IDs its policies let it invoke.
func invokable(c cdktest.Template) map[string][]string {
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
	tmpl := cdktest.Parse(t, stack.Synth(t).Template)
	ids := tmpl.ByPath()
	mayInvoke := invokable(tmpl)
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
			got := mayInvoke[role]
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
	paths := cdktest.Parse(t, stack.Synth(t).Template).Paths()
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
