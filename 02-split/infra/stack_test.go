package main

import (
	"encoding/json"
	"fmt"
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
// process (~500 MB, a few seconds).

var stack = &cdktest.Harness{
	Stage:     "02-split",
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
	out := stack.Synth(t)
	tmpl := assertions.Template_FromStack(out.Stack, nil)
	ids := logicalIDs(t, cdktest.Parse(t, out.Template))
	orders, stock := ids["Orders"], ids["Stock"]
	order, inventory, payment := ids["Order"], ids["Inventory"], ids["Payment"]
	ref := func(id string) obj { return obj{"Ref": id} }
	arn := func(id string) obj { return obj{"Fn::GetAtt": arr{id, "Arn"}} }
	fn := func(id string, props obj) func() {
		return func() {
			tmpl.HasResource(jsii.String("AWS::Lambda::Function"), obj{
				"Properties": assertions.Match_ObjectLike(&props),
				"Metadata":   obj{"aws:cdk:path": StackName + "/" + id + "/Resource"},
			})
		}
	}

	tests := []struct {
		name  string
		check func()
	}{
		{"three functions", func() { tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(3)) }},
		{"two tables, one per domain", func() { tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(2)) }},
		{"both tables are on-demand, keyed by pk and sk", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::DynamoDB::Table"), obj{
				"BillingMode":           "PAY_PER_REQUEST",
				"ProvisionedThroughput": assertions.Match_Absent(),
				"KeySchema":             arr{obj{"AttributeName": "pk", "KeyType": "HASH"}, obj{"AttributeName": "sk", "KeyType": "RANGE"}},
			}, jsii.Number(2))
		}},
		{"every function is arm64 on provided.al2023", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), obj{
				"Architectures": arr{"arm64"}, "Runtime": "provided.al2023", "Handler": "bootstrap",
			}, jsii.Number(3))
		}},
		{"the order function: 256 MB, 3 s, no reserved concurrency", fn("Order", obj{
			"MemorySize": 256, "Timeout": 3, "ReservedConcurrentExecutions": assertions.Match_Absent()})},
		{"the inventory function: 128 MB, 3 s, no reserved concurrency", fn("Inventory", obj{
			"MemorySize": 128, "Timeout": 3, "ReservedConcurrentExecutions": assertions.Match_Absent()})},
		{"the payment function: 128 MB, 3 s, at most 40 at once to protect the provider", fn("Payment", obj{
			"MemorySize": 128, "Timeout": 3, "ReservedConcurrentExecutions": 40})},
		{"the order function knows its table and the functions it calls by name", fn("Order", obj{
			"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{
				"TABLE_NAME": ref(orders), "INVENTORY_FUNCTION_NAME": ref(inventory), "PAYMENT_FUNCTION_NAME": ref(payment),
			})},
		})},
		{"the inventory function knows its table", fn("Inventory", obj{
			"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{"TABLE_NAME": ref(stock)})},
		})},
		{"the payment function gets the provider's URL from the parameter, and a client timeout", fn("Payment", obj{
			"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{
				"PAYMENT_PROVIDER_URL": ref("PaymentProviderUrl"), "PAYMENT_PROVIDER_TIMEOUT": "2500ms",
			})},
		})},
		{"the provider's URL is a parameter with no default", func() {
			tmpl.HasParameter(jsii.String("PaymentProviderUrl"), obj{
				"Type":        "String",
				"Default":     assertions.Match_Absent(),
				"Description": assertions.Match_StringLikeRegexp(jsii.String("make deploy-provider")),
			})
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
		{"three methods and no CORS preflight", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(3))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"HttpMethod": "OPTIONS"}, jsii.Number(0))
		}},
		{"every method is a Lambda proxy to the order function", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{
				"Type": "AWS_PROXY",
				"Uri":  obj{"Fn::Join": arr{"", assertions.Match_ArrayWith(&arr{arn(order)})}},
			}}, jsii.Number(3))
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(3))
		}},
		{"outputs are the API URL and the table names", func() {
			tmpl.HasOutput(jsii.String("ApiUrl"), obj{"Value": assertions.Match_AnyValue()})
			tmpl.HasOutput(jsii.String("OrdersTableName"), obj{"Value": ref(orders)})
			tmpl.HasOutput(jsii.String("StockTableName"), obj{"Value": ref(stock)})
			assert.Len(t, *tmpl.FindOutputs(jsii.String("*"), obj{}), 3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
}

// TestPermissions pins who may do what: each table is read and written by its domain's function
// only, and the order function may invoke exactly the other two.
func TestPermissions(t *testing.T) {
	tmpl := cdktest.Parse(t, stack.Synth(t).Template)
	ids := logicalIDs(t, tmpl)
	grants := permissions(t, tmpl)
	inventory, payment := ids["Inventory"], ids["Payment"]

	tests := []struct {
		function string
		table    string   // the one table it may read and write; "" for none
		invokes  []string // the functions it may invoke, with ":*" for their versions and aliases
	}{
		{"Order", ids["Orders"], []string{inventory, inventory + ":*", payment, payment + ":*"}},
		{"Inventory", ids["Stock"], nil},
		{"Payment", "", nil}, // the provider is outside AWS: nothing to grant
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			got := grants[ids[tt.function]]
			var invokes []string
			for action, resources := range got {
				switch service, _, _ := strings.Cut(action, ":"); service {
				case "dynamodb":
					for _, r := range resources {
						assert.Equal(t, tt.table, r, "%s may %s", tt.function, action)
					}
				case "lambda":
					assert.Equal(t, "lambda:InvokeFunction", action)
					invokes = append(invokes, resources...)
				}
			}
			assert.ElementsMatch(t, tt.invokes, invokes, "%s may invoke", tt.function)
			if tt.table != "" {
				for _, action := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} {
					assert.Equal(t, []string{tt.table}, got[action], "%s may %s", tt.function, action)
				}
			}
		})
	}
}

// logicalIDs maps a construct id directly under the stack ("Order", "Stock") to the logical ID of
// its resource.
func logicalIDs(t *testing.T, tmpl cdktest.Template) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for id, r := range tmpl.Resources {
		p, _ := r.Metadata["aws:cdk:path"].(string)
		if c, ok := strings.CutSuffix(strings.TrimPrefix(p, StackName+"/"), "/Resource"); ok && !strings.Contains(c, "/") {
			ids[c] = id
		}
	}
	for _, c := range []string{"Order", "Inventory", "Payment", "Orders", "Stock"} {
		require.NotEmpty(t, ids[c], "no resource for construct %s", c)
	}
	return ids
}

// permissions reads every IAM policy: function logical ID → action → the resources it may act on,
// named by logical ID (with ":*" for a function's versions and aliases).
func permissions(t *testing.T, tmpl cdktest.Template) map[string]map[string][]string {
	t.Helper()
	roleOf := map[string]string{} // role logical ID → function logical ID
	for id, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			role, _ := r.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)
			require.NotEmpty(t, role, "function %s has no role", id)
			roleOf[fmt.Sprint(role[0])] = id
		}
	}
	out := map[string]map[string][]string{}
	for id, r := range tmpl.Resources {
		if r.Type != "AWS::IAM::Policy" {
			continue
		}
		var p struct {
			PolicyDocument struct {
				Statement []struct{ Effect, Action, Resource any }
			}
			Roles []struct{ Ref string }
		}
		b, err := json.Marshal(r.Properties)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &p))
		for _, role := range p.Roles {
			fn := roleOf[role.Ref]
			require.NotEmpty(t, fn, "policy %s is attached to %s, which is no function's role", id, role.Ref)
			if out[fn] == nil {
				out[fn] = map[string][]string{}
			}
			for _, st := range p.PolicyDocument.Statement {
				require.Equal(t, "Allow", st.Effect)
				for _, action := range list(st.Action) {
					for _, res := range list(st.Resource) {
						out[fn][fmt.Sprint(action)] = append(out[fn][fmt.Sprint(action)], resourceName(res))
					}
				}
			}
		}
	}
	return out
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// resourceName names {"Fn::GetAtt": [id, "Arn"]} as id and the Fn::Join of it with ":*" as
// "id:*"; anything else as its JSON.
func resourceName(v any) string {
	m, _ := v.(map[string]any)
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "Arn" {
		return fmt.Sprint(att[0])
	}
	if join, ok := m["Fn::Join"].([]any); ok && len(join) == 2 {
		if parts, ok := join[1].([]any); ok && len(parts) == 2 && parts[1] == ":*" {
			return resourceName(parts[0]) + ":*"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRoutes(t *testing.T) {
	assert.Equal(t, []string{"GET /menu", "GET /orders/{id}", "POST /orders"},
		cdktest.Parse(t, stack.Synth(t).Template).Routes())
}

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	paths := cdktest.Parse(t, stack.Synth(t).Template).Paths()
	for path, typ := range map[string]string{
		"EmilysPastries02Split/Order/Resource":     "AWS::Lambda::Function",
		"EmilysPastries02Split/Inventory/Resource": "AWS::Lambda::Function",
		"EmilysPastries02Split/Payment/Resource":   "AWS::Lambda::Function",
		"EmilysPastries02Split/Orders/Resource":    "AWS::DynamoDB::Table",
		"EmilysPastries02Split/Stock/Resource":     "AWS::DynamoDB::Table",
		"EmilysPastries02Split/Api/Resource":       "AWS::ApiGateway::RestApi",
	} {
		assert.Equal(t, typ, paths[path], path)
	}
	for p := range paths {
		assert.True(t, strings.HasPrefix(p, StackName+"/"), p)
	}
}
