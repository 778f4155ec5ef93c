package cfn_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

const resolveTemplate = `{
	"Parameters": {
		"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
		"Memory": {"Type": "Number", "Default": 128},
		"Zones": {"Type": "CommaDelimitedList", "Default": "x, y ,z"},
		"Ports": {"Type": "List<Number>", "Default": "80,443"},
		"AttrName": {"Type": "String", "Default": "Arn"},
		"Index": {"Type": "Number", "Default": "1"}
	},
	"Mappings": {
		"Sizes": {
			"dev": {"Memory": "128", "Subnets": ["s1", "s2"]},
			"prod": {"Memory": 1024}
		}
	},
	"Conditions": {
		"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
		"IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
		"InUSEast1": {"Fn::Equals": ["us-east-1", {"Ref": "AWS::Region"}]},
		"DevInUSEast1": {"Fn::And": [{"Condition": "IsDev"}, {"Condition": "InUSEast1"}]},
		"ProdAndUSEast1": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "InUSEast1"}]},
		"ProdOrUSEast1": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]},
		"MemoryIs128": {"Fn::Equals": [{"Ref": "Memory"}, 128]},
		"ZonesMatch": {"Fn::Equals": [{"Ref": "Zones"}, ["x", "y", "z"]]},
		"SubInCondition": {"Fn::Equals": [{"Fn::Sub": "${Env}-${AWS::Region}"}, {"Fn::Join": ["-", ["dev", {"Fn::Select": [0, ["us-east-1"]]}]]}]}
	},
	"Resources": {
		"Table": {"Type": "AWS::DynamoDB::Table"},
		"DB": {"Type": "AWS::RDS::DBInstance"},
		"Broken": {"Type": "AWS::SQS::Queue"},
		"ProdOnly": {"Type": "AWS::SQS::Queue", "Condition": "IsProd"},
		"Fn": {"Type": "AWS::Lambda::Function"}
	}
}`

var errNotProvisioned = errors.New("not provisioned")

// stubState answers Ref and Fn::GetAtt the way the emulator's provisioner would.
func stubRef(id string) (any, error) {
	if id == "Broken" {
		return nil, errNotProvisioned
	}
	return "phys-" + id, nil
}

func stubGetAtt(id, attr string) (any, error) {
	switch id + "." + attr {
	case "DB.Endpoint.Address":
		return "db.internal", nil
	case "Table.Count":
		return 3, nil // not a JSON type on purpose: the resolver normalizes it
	case "Table.Ports":
		return []string{"80", "443"}, nil
	case "Broken.Arn":
		return nil, errNotProvisioned
	}
	return "arn:aws:test:us-east-1:123456789012:" + id + "/" + attr, nil
}

func newResolver(t testing.TB, template string, params map[string]any) *cfn.Resolver {
	t.Helper()
	r, err := cfn.NewResolver(parse(t, template), cfn.Resolver{
		StackName:  "Bakery",
		Region:     "us-east-1",
		AccountID:  "123456789012",
		Parameters: params,
		Ref:        stubRef,
		GetAtt:     stubGetAtt,
	})
	require.NoError(t, err)
	return r
}

func fromJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

const propPath = "Fn.Properties.P"

func TestResolve(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)
	tests := []struct {
		name  string
		value string // JSON
		want  string // JSON
	}{
		{"literals are copied", `{"a": [1, "b", true, null, {"c": 2.5}]}`, `{"a": [1, "b", true, null, {"c": 2.5}]}`},
		{"Condition key is not an intrinsic in properties", `{"Condition": {"StringEquals": {"k": "v"}}}`, `{"Condition": {"StringEquals": {"k": "v"}}}`},

		{"Ref string parameter", `{"Ref": "Env"}`, `"dev"`},
		{"Ref number parameter is a string", `{"Ref": "Memory"}`, `"128"`},
		{"Ref comma-delimited list is trimmed", `{"Ref": "Zones"}`, `["x", "y", "z"]`},
		{"Ref List<Number> gives strings", `{"Ref": "Ports"}`, `["80", "443"]`},
		{"Ref resource", `{"Ref": "Table"}`, `"phys-Table"`},
		{"Ref AWS::AccountId", `{"Ref": "AWS::AccountId"}`, `"123456789012"`},
		{"Ref AWS::Region", `{"Ref": "AWS::Region"}`, `"us-east-1"`},
		{"Ref AWS::Partition", `{"Ref": "AWS::Partition"}`, `"aws"`},
		{"Ref AWS::URLSuffix", `{"Ref": "AWS::URLSuffix"}`, `"amazonaws.com"`},
		{"Ref AWS::StackName", `{"Ref": "AWS::StackName"}`, `"Bakery"`},
		{"Ref AWS::NotificationARNs", `{"Ref": "AWS::NotificationARNs"}`, `[]`},
		{"Ref AWS::NoValue alone is null", `{"Ref": "AWS::NoValue"}`, `null`},
		{"AWS::NoValue removes a key", `{"A": {"Ref": "AWS::NoValue"}, "B": 1}`, `{"B": 1}`},
		{"AWS::NoValue removes a list element", `["a", {"Ref": "AWS::NoValue"}, "b"]`, `["a", "b"]`},

		{"GetAtt list form", `{"Fn::GetAtt": ["Table", "Arn"]}`, `"arn:aws:test:us-east-1:123456789012:Table/Arn"`},
		{"GetAtt string form", `{"Fn::GetAtt": "Table.StreamArn"}`, `"arn:aws:test:us-east-1:123456789012:Table/StreamArn"`},
		{"GetAtt dotted attribute, string form", `{"Fn::GetAtt": "DB.Endpoint.Address"}`, `"db.internal"`},
		{"GetAtt dotted attribute, list form", `{"Fn::GetAtt": ["DB", "Endpoint.Address"]}`, `"db.internal"`},
		{"GetAtt attribute from Ref", `{"Fn::GetAtt": ["Table", {"Ref": "AttrName"}]}`, `"arn:aws:test:us-east-1:123456789012:Table/Arn"`},
		{"GetAtt answer normalized to JSON types", `[{"Fn::GetAtt": "Table.Count"}, {"Fn::GetAtt": "Table.Ports"}]`, `[3, ["80", "443"]]`},

		{"Sub pseudo parameters and parameters", `{"Fn::Sub": "${AWS::StackName}-${Env}-${AWS::Region}"}`, `"Bakery-dev-us-east-1"`},
		{"Sub resource and attribute", `{"Fn::Sub": "${Table}|${Table.Arn}|${DB.Endpoint.Address}"}`,
			`"phys-Table|arn:aws:test:us-east-1:123456789012:Table/Arn|db.internal"`},
		{"Sub escaping", `{"Fn::Sub": "${!Literal} costs $5 {Env} ${!Env}${Env}"}`, `"${Literal} costs $5 {Env} ${Env}dev"`},
		{"Sub number parameter and number attribute", `{"Fn::Sub": "${Memory}MB x${Table.Count}"}`, `"128MB x3"`},
		{"Sub variable map", `{"Fn::Sub": ["${Name}:${Size}:${AWS::AccountId}:${Env}", {"Name": {"Ref": "Table"}, "Size": 5, "Env": "shadowed"}]}`,
			`"phys-Table:5:123456789012:shadowed"`},
		{"Sub without variables", `{"Fn::Sub": "plain"}`, `"plain"`},

		{"Join", `{"Fn::Join": ["-", ["a", 1, 2.5, true, {"Ref": "Env"}]]}`, `"a-1-2.5-true-dev"`},
		{"Join drops AWS::NoValue", `{"Fn::Join": [",", ["a", {"Fn::If": ["IsProd", "b", {"Ref": "AWS::NoValue"}]}, "c"]]}`, `"a,c"`},
		{"Join a list parameter", `{"Fn::Join": ["+", {"Ref": "Zones"}]}`, `"x+y+z"`},
		{"Join an empty list", `{"Fn::Join": ["+", []]}`, `""`},
		{"Join whole numbers without .0", `{"Fn::Join": ["", [128.0, 1e6]]}`, `"1281000000"`},

		{"Select literal list", `{"Fn::Select": [1, ["a", "b", "c"]]}`, `"b"`},
		{"Select string index", `{"Fn::Select": ["2", ["a", "b", "c"]]}`, `"c"`},
		{"Select index from a Number parameter", `{"Fn::Select": [{"Ref": "Index"}, {"Ref": "Zones"}]}`, `"y"`},
		{"Select from GetAZs", `{"Fn::Select": [0, {"Fn::GetAZs": ""}]}`, `"us-east-1a"`},
		{"Select an object", `{"Fn::Select": [0, [{"k": {"Ref": "Env"}}]]}`, `{"k": "dev"}`},

		{"Split", `{"Fn::Split": ["|", "a|b||c"]}`, `["a", "b", "", "c"]`},
		{"Split a resolved string", `{"Fn::Split": [":", {"Fn::GetAtt": ["Table", "Arn"]}]}`,
			`["arn", "aws", "test", "us-east-1", "123456789012", "Table/Arn"]`},
		{"Select of Split", `{"Fn::Select": [5, {"Fn::Split": [":", {"Fn::Sub": "${Table.Arn}"}]}]}`, `"Table/Arn"`},

		{"If false branch", `{"Fn::If": ["IsProd", "big", "small"]}`, `"small"`},
		{"If true branch", `{"Fn::If": ["IsDev", {"Ref": "Env"}, "no"]}`, `"dev"`},
		{"If AWS::NoValue removes a key", `{"A": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}, "B": 2}`, `{"B": 2}`},
		{"If AWS::NoValue removes a list element", `["x", {"Fn::If": ["IsProd", "y", {"Ref": "AWS::NoValue"}]}]`, `["x"]`},
		{"If keeps the taken branch with AWS::NoValue around", `{"A": {"Fn::If": ["IsDev", "kept", {"Ref": "AWS::NoValue"}]}}`, `{"A": "kept"}`},
		{"If does not resolve the other branch", `{"Fn::If": ["IsDev", "ok", {"Ref": "ProdOnly"}]}`, `"ok"`},
		{"nested If", `{"Fn::If": ["IsProd", "p", {"Fn::If": ["InUSEast1", "use1", "other"]}]}`, `"use1"`},

		{"FindInMap", `{"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}`, `"128"`},
		{"FindInMap number value", `{"Fn::FindInMap": ["Sizes", "prod", "Memory"]}`, `1024`},
		{"FindInMap list value", `{"Fn::FindInMap": ["Sizes", "dev", "Subnets"]}`, `["s1", "s2"]`},

		{"Base64", `{"Fn::Base64": "hello"}`, `"aGVsbG8="`},
		{"Base64 of Sub", `{"Fn::Base64": {"Fn::Sub": "#!/bin/sh\necho ${Env}"}}`, `"IyEvYmluL3NoCmVjaG8gZGV2"`},

		{"GetAZs current region", `{"Fn::GetAZs": ""}`, `["us-east-1a", "us-east-1b", "us-east-1c"]`},
		{"GetAZs Ref region", `{"Fn::GetAZs": {"Ref": "AWS::Region"}}`, `["us-east-1a", "us-east-1b", "us-east-1c"]`},
		{"GetAZs other region", `{"Fn::GetAZs": "eu-west-1"}`, `["eu-west-1a", "eu-west-1b", "eu-west-1c"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.Resolve(propPath, fromJSON(t, tt.value))
			require.NoError(t, err)
			assert.Equal(t, fromJSON(t, tt.want), got)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)
	tests := []struct {
		name    string
		value   string // JSON
		wantErr string
	}{
		{"Ref unknown name", `{"Ref": "Tabel"}`, `Fn.Properties.P: Ref: "Tabel" is not a parameter, pseudo parameter or resource`},
		{"Ref unknown pseudo parameter", `{"Ref": "AWS::Regoin"}`, `Fn.Properties.P: Ref: "AWS::Regoin" is not a parameter`},
		{"Ref not a string", `{"Ref": ["Table"]}`, `Fn.Properties.P: Ref expects a name, got list of 1`},
		{"Ref resource whose condition is false", `{"Ref": "ProdOnly"}`,
			`Fn.Properties.P: Ref ProdOnly: resource ProdOnly is not created because condition "IsProd" is false`},
		{"Ref callback error", `{"Ref": "Broken"}`, `Fn.Properties.P: Ref Broken: not provisioned`},
		{"error path through objects and lists", `{"Env": {"Vars": [{"X": {"Ref": "Nope"}}]}}`,
			`Fn.Properties.P.Env.Vars[0].X: Ref: "Nope" is not a parameter`},
		{"error path through function arguments", `{"Fn::Join": ["", ["a", {"Ref": "Nope"}]]}`,
			`Fn.Properties.P.Fn::Join[1][1]: Ref: "Nope" is not a parameter`},

		{"GetAtt unknown resource", `{"Fn::GetAtt": ["Tabel", "Arn"]}`, `Fn.Properties.P: Fn::GetAtt: unknown resource "Tabel"`},
		{"GetAtt without attribute", `{"Fn::GetAtt": "Table"}`, `Fn.Properties.P: Fn::GetAtt expects "LogicalID.Attribute" or [LogicalID, Attribute], got string "Table"`},
		{"GetAtt wrong arity", `{"Fn::GetAtt": ["Table"]}`, `Fn.Properties.P: Fn::GetAtt expects "LogicalID.Attribute" or [LogicalID, Attribute], got list of 1`},
		{"GetAtt attribute resolves to a list", `{"Fn::GetAtt": ["Table", {"Ref": "Zones"}]}`, `Fn.Properties.P: Fn::GetAtt expects an attribute name, got list of 3`},
		{"GetAtt callback error is wrapped", `{"Fn::GetAtt": "Broken.Arn"}`, `Fn.Properties.P: Fn::GetAtt Broken.Arn: not provisioned`},
		{"GetAtt resource whose condition is false", `{"Fn::GetAtt": "ProdOnly.Arn"}`, `resource ProdOnly is not created because condition "IsProd" is false`},

		{"Sub unknown variable", `{"Fn::Sub": "${Tabel}"}`, `Fn.Properties.P: Ref: "Tabel" is not a parameter`},
		{"Sub unknown resource attribute", `{"Fn::Sub": "${Tabel.Arn}"}`, `Fn.Properties.P: Fn::Sub: unknown resource "Tabel"`},
		{"Sub unterminated", `{"Fn::Sub": "a ${Env"}`, `Fn.Properties.P: Fn::Sub: unterminated ${ in "${Env"`},
		{"Sub empty variable", `{"Fn::Sub": "${}"}`, `Fn.Properties.P: Fn::Sub: empty variable ${}`},
		{"Sub list value", `{"Fn::Sub": "${Zones}"}`, `Fn.Properties.P: Fn::Sub: ${Zones} is list of 3, expected a string`},
		{"Sub not a string", `{"Fn::Sub": 5}`, `Fn.Properties.P: Fn::Sub expects a string or [string, {variables}], got number 5`},
		{"Sub variable map error path", `{"Fn::Sub": ["${A}", {"A": {"Ref": "Nope"}}]}`, `Fn.Properties.P.Fn::Sub[1].A: Ref: "Nope"`},

		{"Join not a list", `{"Fn::Join": "abc"}`, `Fn.Properties.P: Fn::Join expects [delimiter, [values]], got string "abc"`},
		{"Join values not a list", `{"Fn::Join": [",", "abc"]}`, `Fn.Properties.P: Fn::Join expects a list, got string "abc"`},
		{"Join delimiter not a string", `{"Fn::Join": [1, ["a"]]}`, `Fn.Properties.P: Fn::Join expects a string delimiter, got number 1`},
		{"Join nested list", `{"Fn::Join": [",", ["a", ["b"]]]}`, `Fn.Properties.P: Fn::Join: element 1 is list of 1, expected a string`},
		{"Join null", `{"Fn::Join": [",", [null]]}`, `Fn.Properties.P: Fn::Join: element 0 is null, expected a string`},

		{"Select out of range", `{"Fn::Select": [3, ["a", "b"]]}`, `Fn.Properties.P: Fn::Select: index 3 is out of range for a list of 2`},
		{"Select negative index", `{"Fn::Select": [-1, ["a"]]}`, `Fn.Properties.P: Fn::Select expects a non-negative integer index, got number -1`},
		{"Select fractional index", `{"Fn::Select": [0.5, ["a"]]}`, `Fn.Properties.P: Fn::Select expects a non-negative integer index, got number 0.5`},
		{"Select from a string", `{"Fn::Select": [0, "abc"]}`, `Fn.Properties.P: Fn::Select expects a list, got string "abc"`},
		{"Select wrong arity", `{"Fn::Select": [0]}`, `Fn.Properties.P: Fn::Select expects [index, [values]], got list of 1`},

		{"Split empty delimiter", `{"Fn::Split": ["", "abc"]}`, `Fn.Properties.P: Fn::Split expects a non-empty string delimiter, got string ""`},
		{"Split a list", `{"Fn::Split": [",", ["a"]]}`, `Fn.Properties.P: Fn::Split expects a string to split, got list of 1`},

		{"If unknown condition", `{"Fn::If": ["IsStaging", 1, 2]}`, `Fn.Properties.P: Fn::If: condition "IsStaging" is not declared in Conditions`},
		{"If wrong arity", `{"Fn::If": ["IsProd", 1]}`, `Fn.Properties.P: Fn::If expects [condition, value if true, value if false], got list of 2`},
		{"If error in the taken branch", `{"Fn::If": ["IsDev", {"Ref": "Nope"}, 1]}`, `Fn.Properties.P.Fn::If[1]: Ref: "Nope"`},

		{"FindInMap unknown map", `{"Fn::FindInMap": ["Size", "dev", "Memory"]}`, `Fn.Properties.P: Fn::FindInMap: mapping "Size" is not declared in Mappings`},
		{"FindInMap unknown top key", `{"Fn::FindInMap": ["Sizes", "test", "Memory"]}`, `Fn.Properties.P: Fn::FindInMap: mapping "Sizes" has no key "test"`},
		{"FindInMap unknown second key", `{"Fn::FindInMap": ["Sizes", "prod", "Cpu"]}`, `Fn.Properties.P: Fn::FindInMap: mapping "Sizes" has no key "Cpu" under "prod"`},
		{"FindInMap default value", `{"Fn::FindInMap": ["Sizes", "prod", "Cpu", {"DefaultValue": 1}]}`, `Fn.Properties.P: Fn::FindInMap expects [map name, top-level key, second-level key], got list of 4`},

		{"Base64 of a list", `{"Fn::Base64": ["a"]}`, `Fn.Properties.P: Fn::Base64 expects a string, got list of 1`},
		{"GetAZs of a list", `{"Fn::GetAZs": ["a"]}`, `Fn.Properties.P: Fn::GetAZs expects a region name or "", got list of 1`},

		{"ImportValue", `{"Fn::ImportValue": "Shared-VpcId"}`, `Fn.Properties.P: Fn::ImportValue: cross-stack imports are not supported by the emulator`},
		{"Cidr", `{"Fn::Cidr": ["10.0.0.0/16", 6, 5]}`, `Fn.Properties.P: Fn::Cidr is not supported by the emulator`},
		{"Transform", `{"Fn::Transform": {"Name": "AWS::Include"}}`, `Fn.Properties.P: Fn::Transform is not supported by the emulator`},
		{"ToJsonString", `{"Fn::ToJsonString": {"a": 1}}`, `Fn.Properties.P: Fn::ToJsonString is not supported by the emulator`},
		{"Length", `{"Fn::Length": [1, 2]}`, `Fn.Properties.P: Fn::Length is not supported by the emulator`},
		{"Equals outside Conditions", `{"Fn::Equals": ["a", "a"]}`, `Fn.Properties.P: Fn::Equals can only be used in Conditions`},
		{"dynamic reference", `"{{resolve:ssm:/bakery/table}}"`, `Fn.Properties.P: dynamic reference string "{{resolve:ssm:/bakery/table}}" is not supported by the emulator`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := r.Resolve(propPath, fromJSON(t, tt.value))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestResolveWrapsCallbackErrors(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)
	for _, v := range []string{`{"Ref": "Broken"}`, `{"Fn::GetAtt": "Broken.Arn"}`, `{"Fn::Sub": "${Broken.Arn}"}`} {
		_, err := r.Resolve(propPath, fromJSON(t, v))
		assert.ErrorIs(t, err, errNotProvisioned, v)
	}
}

func TestResolveDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)
	in := fromJSON(t, `{"A": {"Ref": "AWS::NoValue"}, "B": [{"Ref": "Env"}], "C": {"Fn::FindInMap": ["Sizes", "dev", "Subnets"]}}`)
	out, err := r.Resolve(propPath, in)
	require.NoError(t, err)
	assert.Equal(t, fromJSON(t, `{"A": {"Ref": "AWS::NoValue"}, "B": [{"Ref": "Env"}], "C": {"Fn::FindInMap": ["Sizes", "dev", "Subnets"]}}`), in)

	// Changing a result must not change the template's mappings or parameters.
	out.(map[string]any)["C"].([]any)[0] = "changed"
	again, err := r.Resolve(propPath, map[string]any{"Fn::FindInMap": []any{"Sizes", "dev", "Subnets"}})
	require.NoError(t, err)
	assert.Equal(t, []any{"s1", "s2"}, again)
}

func TestResolveNormalizesGoValues(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)
	got, err := r.Resolve(propPath, map[string]any{
		"Int":     256,
		"Strings": []string{"a", "b"},
		"Map":     map[string]string{"k": "v"},
		"Join":    map[string]any{"Fn::Join": []any{"-", []any{1, int64(2), float32(2.5)}}},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"Int": 256.0, "Strings": []any{"a", "b"}, "Map": map[string]any{"k": "v"}, "Join": "1-2-2.5",
	}, got)
}

func TestPseudoParameters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		resolver   cfn.Resolver
		wantPart   string
		wantSuffix string
	}{
		{"commercial", cfn.Resolver{StackName: "S", Region: "eu-west-1", AccountID: "000000000000"}, "aws", "amazonaws.com"},
		{"china", cfn.Resolver{StackName: "S", Region: "cn-north-1", AccountID: "000000000000"}, "aws-cn", "amazonaws.com.cn"},
		{"gov cloud", cfn.Resolver{StackName: "S", Region: "us-gov-west-1", AccountID: "000000000000"}, "aws-us-gov", "amazonaws.com"},
		{"explicit", cfn.Resolver{StackName: "S", Region: "eu-west-1", AccountID: "000000000000", Partition: "p", URLSuffix: "u"}, "p", "u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := cfn.NewResolver(parse(t, `{"Resources": {"A": {"Type": "T"}}}`), tt.resolver)
			require.NoError(t, err)
			got, err := r.Resolve("P", fromJSON(t, `[{"Ref": "AWS::Partition"}, {"Ref": "AWS::URLSuffix"}, {"Ref": "AWS::Region"}]`))
			require.NoError(t, err)
			assert.Equal(t, []any{tt.wantPart, tt.wantSuffix, tt.resolver.Region}, got)
		})
	}

	t.Run("stack id is an ARN stable across runs", func(t *testing.T) {
		t.Parallel()
		r1 := newResolver(t, resolveTemplate, nil)
		r2 := newResolver(t, resolveTemplate, nil)
		id1, err := r1.Resolve("P", map[string]any{"Ref": "AWS::StackId"})
		require.NoError(t, err)
		id2, err := r2.Resolve("P", map[string]any{"Ref": "AWS::StackId"})
		require.NoError(t, err)
		assert.Equal(t, id1, id2)
		assert.Regexp(t, regexp.MustCompile(`^arn:aws:cloudformation:us-east-1:123456789012:stack/Bakery/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`), id1)
	})
}

func TestNewResolverErrors(t *testing.T) {
	t.Parallel()
	params := `"Parameters": {
		"Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "ConstraintDescription": "dev or prod"},
		"Name": {"Type": "String", "Default": "x", "AllowedPattern": "[a-z]+", "MinLength": 1, "MaxLength": 5},
		"Memory": {"Type": "Number", "Default": 128, "MinValue": 128, "MaxValue": 10240},
		"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-1"}
	}`
	withParams := `{` + params + `, "Resources": {"A": {"Type": "T"}}}`
	tests := []struct {
		name     string
		template string
		resolver cfn.Resolver
		wantErr  string
	}{
		{"no stack name", withParams, cfn.Resolver{Region: "r", AccountID: "a"}, "new resolver: StackName is required"},
		{"no region", withParams, cfn.Resolver{StackName: "s", AccountID: "a"}, "new resolver: Region is required"},
		{"no account", withParams, cfn.Resolver{StackName: "s", Region: "r"}, "new resolver: AccountID is required"},
		{"missing parameter without default", withParams, cfn.Resolver{}, "new resolver: parameter Env has no value and no default"},
		{"undeclared parameter", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Stage": "x"}},
			`new resolver: parameter "Stage" is not declared in the template`},
		{"value not allowed", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "test"}},
			`new resolver: parameter Env: value "test" is not one of the allowed values ["dev" "prod"] (dev or prod)`},
		{"pattern", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Name": "Abc"}},
			`new resolver: parameter Name: value "Abc" does not match AllowedPattern "[a-z]+"`},
		{"pattern is anchored", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Name": "ab1"}},
			`parameter Name: value "ab1" does not match AllowedPattern "[a-z]+"`},
		{"max length", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Name": "abcdef"}},
			`parameter Name: value "abcdef" is longer than MaxLength 5`},
		{"not a number", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Memory": "lots"}},
			`parameter Memory: value "lots" is not a number`},
		{"below min value", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Memory": 64}},
			`parameter Memory: value 64 is less than MinValue 128`},
		{"list for a string", withParams, cfn.Resolver{Parameters: map[string]any{"Env": []string{"dev"}}},
			`parameter Env: expected a string for type String, got list of 1`},
		{"object for a list", withParams, cfn.Resolver{Parameters: map[string]any{"Env": "dev", "Subnets": map[string]any{}}},
			`parameter Subnets: expected a list or a comma-separated string for type List<AWS::EC2::Subnet::Id>, got object`},
		{"condition cycle", `{"Conditions": {"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: condition cycle: A -> B -> A"},
		{"condition refers to undeclared condition", `{"Conditions": {"A": {"Fn::Not": [{"Condition": "B"}]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, `new resolver: Conditions.A.Fn::Not[0].Condition: condition "B" is not declared in Conditions`},
		{"condition refers to a resource", `{"Conditions": {"A": {"Fn::Equals": [{"Ref": "R"}, "x"]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Equals[0]: Ref: conditions can refer only to parameters and pseudo parameters, not to resource R"},
		{"condition uses GetAtt", `{"Conditions": {"A": {"Fn::Equals": [{"Fn::GetAtt": "R.Arn"}, "x"]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Equals[0]: Fn::GetAtt R.Arn: conditions can refer only to parameters and pseudo parameters"},
		{"condition uses If", `{"Conditions": {"A": {"Fn::Equals": [{"Fn::If": ["A", "x", "y"]}, "x"]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Equals[0]: Fn::If cannot be used in Conditions"},
		{"And with one condition", `{"Conditions": {"A": {"Fn::And": [{"Fn::Equals": ["a", "a"]}]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::And: expected a list of 2 to 10 conditions, got list of 1"},
		{"Not with two conditions", `{"Conditions": {"A": {"Fn::Not": [{"Fn::Equals": ["a", "a"]}, {"Fn::Equals": ["a", "a"]}]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Not: expected a list of 1 to 1 conditions, got list of 2"},
		{"Equals with one value", `{"Conditions": {"A": {"Fn::Equals": ["a"]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Equals: expected [value, value], got list of 1"},
		{"not a condition function", `{"Conditions": {"A": {"Fn::Or": ["true", {"Fn::Equals": ["a", "a"]}]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, `new resolver: Conditions.A.Fn::Or[0]: expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition), got string "true"`},
		{"comparing AWS::NoValue", `{"Conditions": {"A": {"Fn::Equals": [{"Ref": "AWS::NoValue"}, ""]}}, "Resources": {"R": {"Type": "T"}}}`,
			cfn.Resolver{}, "new resolver: Conditions.A.Fn::Equals: AWS::NoValue cannot be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.resolver
			if r.StackName == "" && r.Region == "" && r.AccountID == "" {
				r.StackName, r.Region, r.AccountID = "Bakery", "us-east-1", "123456789012"
			}
			_, err := cfn.NewResolver(parse(t, tt.template), r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParameters(t *testing.T) {
	t.Parallel()
	tmpl := parse(t, `{"Parameters": {
		"Env": {"Type": "String", "Default": "dev"},
		"Memory": {"Type": "Number", "Default": 128},
		"Ratio": {"Type": "Number", "Default": "0.5"},
		"Zones": {"Type": "CommaDelimitedList", "Default": " a , b "},
		"Ports": {"Type": "List<Number>", "Default": "80", "AllowedValues": [80, 443]},
		"Version": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}
	}, "Resources": {"A": {"Type": "T"}}}`)

	given := map[string]any{"Memory": 1024, "Ports": []string{"80", "443"}}
	r, err := cfn.NewResolver(tmpl, cfn.Resolver{StackName: "S", Region: "us-east-1", AccountID: "123456789012", Parameters: given})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"Env":     "dev",
		"Memory":  "1024",
		"Ratio":   "0.5",
		"Zones":   []any{"a", "b"},
		"Ports":   []any{"80", "443"},
		"Version": "/cdk-bootstrap/hnb659fds/version",
	}, r.Parameters)
	assert.Equal(t, map[string]any{"Memory": 1024, "Ports": []string{"80", "443"}}, given, "the caller's map is not modified")

	_, err = cfn.NewResolver(tmpl, cfn.Resolver{StackName: "S", Region: "us-east-1", AccountID: "123456789012",
		Parameters: map[string]any{"Ports": "80,8080"}})
	assert.EqualError(t, err, `new resolver: parameter Ports: value "8080" is not one of the allowed values ["80" "443"]`)
}

func TestConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, region string
		want        map[string]bool
	}{
		{"dev", "us-east-1", map[string]bool{
			"IsProd": false, "IsDev": true, "InUSEast1": true, "DevInUSEast1": true, "ProdAndUSEast1": false,
			"ProdOrUSEast1": true, "MemoryIs128": true, "ZonesMatch": true, "SubInCondition": true,
		}},
		{"prod", "eu-west-1", map[string]bool{
			"IsProd": true, "IsDev": false, "InUSEast1": false, "DevInUSEast1": false, "ProdAndUSEast1": false,
			"ProdOrUSEast1": true, "MemoryIs128": true, "ZonesMatch": true, "SubInCondition": false,
		}},
		{"prod", "us-east-1", map[string]bool{
			"IsProd": true, "IsDev": false, "InUSEast1": true, "DevInUSEast1": false, "ProdAndUSEast1": true,
			"ProdOrUSEast1": true, "MemoryIs128": true, "ZonesMatch": true, "SubInCondition": false,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.env+" in "+tt.region, func(t *testing.T) {
			t.Parallel()
			r, err := cfn.NewResolver(parse(t, resolveTemplate), cfn.Resolver{
				StackName: "S", Region: tt.region, AccountID: "123456789012", Parameters: map[string]any{"Env": tt.env},
			})
			require.NoError(t, err)
			got := map[string]bool{}
			for name := range tt.want {
				got[name], err = r.Condition(name)
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)

			include, err := r.Include(&cfn.Resource{LogicalID: "ProdOnly", Condition: "IsProd"})
			require.NoError(t, err)
			assert.Equal(t, tt.want["IsProd"], include)
		})
	}

	r := newResolver(t, resolveTemplate, nil)
	_, err := r.Condition("IsStaging")
	assert.EqualError(t, err, `condition "IsStaging" is not declared in Conditions`)
	_, err = r.Include(&cfn.Resource{LogicalID: "Q", Condition: "IsStaging"})
	assert.EqualError(t, err, `resource Q: condition "IsStaging" is not declared in Conditions`)
	ok, err := r.Include(&cfn.Resource{LogicalID: "Q"})
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestProperties(t *testing.T) {
	t.Parallel()
	r := newResolver(t, resolveTemplate, nil)

	props, err := r.Properties(&cfn.Resource{LogicalID: "Fn", Properties: map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{"TABLE_NAME": map[string]any{"Ref": "Nope"}}},
	}})
	assert.Nil(t, props)
	assert.EqualError(t, err, `Fn.Properties.Environment.Variables.TABLE_NAME: Ref: "Nope" is not a parameter, pseudo parameter or resource`)

	props, err = r.Properties(&cfn.Resource{LogicalID: "Fn"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{}, props)

	props, err = r.Properties(&cfn.Resource{LogicalID: "Fn", Properties: map[string]any{"TableName": map[string]any{"Ref": "Table"}}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"TableName": "phys-Table"}, props)
}

func TestZeroResolver(t *testing.T) {
	t.Parallel()
	var r cfn.Resolver
	_, err := r.Resolve("P", "x")
	assert.EqualError(t, err, "the resolver was not created by NewResolver")
	_, err = r.Condition("C")
	assert.Error(t, err)
	_, err = r.Outputs()
	assert.Error(t, err)
}

func TestResolverWithoutCallbacks(t *testing.T) {
	t.Parallel()
	r, err := cfn.NewResolver(parse(t, resolveTemplate), cfn.Resolver{StackName: "S", Region: "us-east-1", AccountID: "123456789012"})
	require.NoError(t, err)
	_, err = r.Resolve("P", map[string]any{"Ref": "Table"})
	assert.EqualError(t, err, "P: Ref Table: the resolver has no Ref function")
	_, err = r.Resolve("P", map[string]any{"Fn::GetAtt": "Table.Arn"})
	assert.EqualError(t, err, "P: Fn::GetAtt Table.Arn: the resolver has no GetAtt function")
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	const template = `{
		"Parameters": {"Env": {"Type": "String", "Default": "dev"}},
		"Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
		"Resources": {"Table": {"Type": "T"}},
		"Outputs": {
			"TableName": {"Value": {"Ref": "Table"}},
			"Memory": {"Value": 128},
			"ProdOnly": {"Value": "p", "Condition": "IsProd"}
		}
	}`
	for _, env := range []string{"dev", "prod"} {
		r := newResolver(t, template, map[string]any{"Env": env})
		got, err := r.Outputs()
		require.NoError(t, err)
		want := map[string]string{"TableName": "phys-Table", "Memory": "128"}
		if env == "prod" {
			want["ProdOnly"] = "p"
		}
		assert.Equal(t, want, got, env)
	}

	r := newResolver(t, `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"Azs": {"Value": {"Fn::GetAZs": ""}}}}`, nil)
	_, err := r.Outputs()
	assert.EqualError(t, err, "Outputs.Azs.Value: expected a string, got list of 3")
}
