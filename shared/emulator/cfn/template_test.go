package cfn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

func parse(t testing.TB, template string) *cfn.Template {
	t.Helper()
	tmpl, err := cfn.Parse([]byte(template))
	require.NoError(t, err)
	return tmpl
}

func TestParse(t *testing.T) {
	t.Parallel()
	tmpl := parse(t, `{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description": "orders",
		"Metadata": {"owner": "bakery"},
		"Parameters": {
			"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"], "Description": "stage"},
			"Memory": {"Type": "Number", "Default": 128, "MinValue": "64", "NoEcho": "true"}
		},
		"Mappings": {"Sizes": {"dev": {"Memory": "128", "Subnets": ["a", "b"]}}},
		"Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
		"Rules": {"R": {"Assertions": []}},
		"Resources": {
			"Queue": {
				"Type": "AWS::SQS::Queue",
				"Properties": {"DelaySeconds": 5},
				"Metadata": {"aws:cdk:path": "Stack/Queue/Resource"},
				"DependsOn": "Table",
				"Condition": "IsProd",
				"DeletionPolicy": "Delete",
				"UpdateReplacePolicy": "Retain",
				"UpdatePolicy": {"x": 1},
				"CreationPolicy": {"y": 2}
			},
			"Table": {"Type": "AWS::DynamoDB::Table", "DependsOn": ["Other"]},
			"Other": {"Type": "AWS::SNS::Topic"}
		},
		"Outputs": {
			"QueueUrl": {"Value": {"Ref": "Queue"}, "Description": "url", "Condition": "IsProd",
				"Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Queue"}}}
		}
	}`)

	assert.Equal(t, "2010-09-09", tmpl.AWSTemplateFormatVersion)
	assert.Equal(t, "orders", tmpl.Description)
	assert.Equal(t, map[string]any{"owner": "bakery"}, tmpl.Metadata)
	assert.Equal(t, cfn.Parameter{Type: "String", Default: "dev", AllowedValues: []any{"dev", "prod"}, Description: "stage"},
		tmpl.Parameters["Env"])
	minValue := 64.0
	assert.Equal(t, cfn.Parameter{Type: "Number", Default: 128.0, MinValue: &minValue, NoEcho: true}, tmpl.Parameters["Memory"])
	assert.Equal(t, []any{"a", "b"}, tmpl.Mappings["Sizes"]["dev"]["Subnets"])
	assert.Contains(t, tmpl.Conditions, "IsProd")
	assert.Contains(t, tmpl.Rules, "R")

	q := tmpl.Resources["Queue"]
	require.NotNil(t, q)
	assert.Equal(t, &cfn.Resource{
		LogicalID:           "Queue",
		Type:                "AWS::SQS::Queue",
		Properties:          map[string]any{"DelaySeconds": 5.0},
		Metadata:            map[string]any{"aws:cdk:path": "Stack/Queue/Resource"},
		DependsOn:           []string{"Table"},
		Condition:           "IsProd",
		DeletionPolicy:      "Delete",
		UpdateReplacePolicy: "Retain",
		UpdatePolicy:        map[string]any{"x": 1.0},
		CreationPolicy:      map[string]any{"y": 2.0},
	}, q)
	assert.Equal(t, "Stack/Queue/Resource", q.CDKPath())
	assert.Equal(t, []string{"Other"}, tmpl.Resources["Table"].DependsOn)
	assert.Empty(t, tmpl.Resources["Table"].CDKPath())

	out := tmpl.Outputs["QueueUrl"]
	assert.Equal(t, map[string]any{"Ref": "Queue"}, out.Value)
	assert.Equal(t, "url", out.Description)
	assert.Equal(t, "IsProd", out.Condition)
	require.NotNil(t, out.Export)
	assert.Equal(t, map[string]any{"Fn::Sub": "${AWS::StackName}-Queue"}, out.Export.Name)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		template string
		wantErr  string
	}{
		{"empty", "  \n", "parse template: input is empty"},
		{"yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n", "YAML templates are not supported"},
		{"yaml document marker", "---\nResources: {}\n", "YAML templates are not supported"},
		{"syntax error with line", "{\n \"Resources\": {\n  \"A\": {,}\n }\n}", "parse template: line 3, column 9: invalid character ','"},
		{"unknown section", `{"Resources": {"A": {"Type": "T"}}, "Resorces": {}}`, `parse template: unknown section "Resorces"`},
		{"transform", `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "T"}}}`,
			"parse template: the Transform section (AWS::Serverless-2016-10-31) is not supported"},
		{"no resources", `{"Description": "x"}`, "parse template: the Resources section is missing or empty"},
		{"resources not an object", `{"Resources": []}`, "parse template: Resources must be an object, got list of 0"},
		{"bad logical id", `{"Resources": {"My-Queue": {"Type": "T"}}}`, `parse template: resource logical ID "My-Queue" must be alphanumeric`},
		{"missing type", `{"Resources": {"A": {"Properties": {}}}}`, "parse template: resource A: the Type attribute is required"},
		{"unknown attribute", `{"Resources": {"A": {"Type": "T", "Propertes": {}}}}`, `parse template: resource A: unknown resource attribute "Propertes"`},
		{"properties not an object", `{"Resources": {"A": {"Type": "T", "Properties": [1]}}}`, "parse template: resource A: Properties must be an object, got list of 1"},
		{"depends on number", `{"Resources": {"A": {"Type": "T", "DependsOn": [1]}}}`, "parse template: resource A: DependsOn[0] must be a string, got number 1"},
		{"undeclared condition", `{"Resources": {"A": {"Type": "T", "Condition": "IsProd"}}}`,
			`parse template: resource A: condition "IsProd" is not declared in Conditions`},
		{"output undeclared condition", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Value": "v", "Condition": "C"}}}`,
			`parse template: output O: condition "C" is not declared in Conditions`},
		{"output without value", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Description": "d"}}}`,
			"parse template: output O: Value is required"},
		{"output unknown attribute", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Value": "v", "Valeu": "v"}}}`,
			`parse template: output O: unknown attribute "Valeu"`},
		{"parameter without type", `{"Parameters": {"P": {"Default": "x"}}, "Resources": {"A": {"Type": "T"}}}`,
			"parse template: parameter P: Type is required"},
		{"parameter bad attribute type", `{"Parameters": {"P": {"Type": "String", "MinLength": "many"}}, "Resources": {"A": {"Type": "T"}}}`,
			`parse template: parameter P: MinLength: expected integer, got string "many"`},
		{"parameter and resource share a name", `{"Parameters": {"A": {"Type": "String"}}, "Resources": {"A": {"Type": "T"}}}`,
			`parse template: "A" is both a parameter and a resource`},
		{"mapping not nested", `{"Mappings": {"M": {"k": "v"}}, "Resources": {"A": {"Type": "T"}}}`,
			"parse template: Mappings.M.k must be an object, got string \"v\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := cfn.Parse([]byte(tt.template))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParseAcceptsByteOrderMark(t *testing.T) {
	t.Parallel()
	tmpl, err := cfn.Parse([]byte("\xef\xbb\xbf{\"Resources\": {\"A\": {\"Type\": \"T\"}}}"))
	require.NoError(t, err)
	assert.Equal(t, "T", tmpl.Resources["A"].Type)
}
