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

	"github.com/emilys-pastries/serverless-evolution/02-split/infra/golden"
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
		synthDir, synthOut.err = os.MkdirTemp("", "cdk-02-split-")
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
		"the stack changed: review the diff, then run `make golden STAGE=02-split`")
	assert.NotContains(t, string(golden.Template), "/02-split/", "no machine paths in the golden file")
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
	out := synth(t)
	tmpl := assertions.Template_FromStack(out.stack, nil)
	ids := logicalIDs(t, parse(t, out.template))
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
		t.Run(tt.name, func(t *testing.T) { must(t, tt.check) })
	}
}

// TestPermissions pins who may do what: each table is read and written by its domain's function
// only, and the order function may invoke exactly the other two.
func TestPermissions(t *testing.T) {
	tmpl := parse(t, synth(t).template)
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
func logicalIDs(t *testing.T, tmpl cfnTemplate) map[string]string {
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
func permissions(t *testing.T, tmpl cfnTemplate) map[string]map[string][]string {
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
	assert.Equal(t, []string{"GET /menu", "GET /orders/{id}", "POST /orders"}, routes)
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
