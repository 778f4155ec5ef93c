package cfn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

func logicalIDs(resources []*cfn.Resource) []string {
	ids := make([]string, len(resources))
	for i, r := range resources {
		ids[i] = r.LogicalID
	}
	return ids
}

func TestOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resources string
		want      []string
	}{
		{
			name:      "independent resources sorted by logical id",
			resources: `{"C": {"Type": "T"}, "A": {"Type": "T"}, "B": {"Type": "T"}}`,
			want:      []string{"A", "B", "C"},
		},
		{
			name:      "Ref puts the target first",
			resources: `{"Alpha": {"Type": "T", "Properties": {"Q": {"Ref": "Zeta"}}}, "Zeta": {"Type": "T"}}`,
			want:      []string{"Zeta", "Alpha"},
		},
		{
			name: "GetAtt in both forms",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["Z", "Arn"]}}},
				"B": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": "Y.Endpoint.Address"}}},
				"Y": {"Type": "T"}, "Z": {"Type": "T"}}`,
			want: []string{"Y", "B", "Z", "A"},
		},
		{
			name: "Sub variables, attributes and the variable map",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${Y}/${Z.Arn}/${!Literal}/${AWS::Region}"}}},
				"B": {"Type": "T", "Properties": {"X": {"Fn::Sub": ["${Name}-${Other}", {"Name": "literal", "Other": {"Ref": "Y"}}]}}},
				"Y": {"Type": "T"}, "Z": {"Type": "T"}}`,
			want: []string{"Y", "B", "Z", "A"},
		},
		{
			name: "DependsOn as string and list",
			resources: `{
				"A": {"Type": "T", "DependsOn": "C"},
				"B": {"Type": "T", "DependsOn": ["C", "A"]},
				"C": {"Type": "T"}}`,
			want: []string{"C", "A", "B"},
		},
		{
			name: "both branches of Fn::If and nested functions",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": {"Fn::If": ["C", {"Ref": "Z"}, {"Fn::Join": ["", [{"Ref": "Y"}]]}]}}},
				"Y": {"Type": "T"}, "Z": {"Type": "T"}}`,
			want: []string{"Y", "Z", "A"},
		},
		{
			name: "parameters and pseudo parameters are not dependencies",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": [{"Ref": "Env"}, {"Ref": "AWS::StackName"}, {"Fn::Sub": "${Env}-${AWS::AccountId}"}]}},
				"B": {"Type": "T"}}`,
			want: []string{"A", "B"},
		},
		{
			name: "diamond",
			resources: `{
				"Top": {"Type": "T", "Properties": {"L": {"Ref": "Left"}, "R": {"Ref": "Right"}}},
				"Left": {"Type": "T", "Properties": {"B": {"Ref": "Base"}}},
				"Right": {"Type": "T", "Properties": {"B": {"Ref": "Base"}}},
				"Base": {"Type": "T"}}`,
			want: []string{"Base", "Left", "Right", "Top"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := parse(t, `{"Parameters": {"Env": {"Type": "String"}}, "Conditions": {"C": {"Fn::Equals": ["a", "a"]}},
				"Resources": `+tt.resources+`}`)
			order, err := tmpl.Order()
			require.NoError(t, err)
			assert.Equal(t, tt.want, logicalIDs(order))
		})
	}
}

func TestOrderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resources string
		wantErr   string
	}{
		{
			name: "cycle",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": {"Ref": "B"}}},
				"B": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["C", "Arn"]}}},
				"C": {"Type": "T", "DependsOn": "A"},
				"D": {"Type": "T"}}`,
			wantErr: "dependency cycle: A -> B -> C -> A (each depends on the next)",
		},
		{
			name: "cycle reached from outside",
			resources: `{
				"A": {"Type": "T", "Properties": {"X": {"Ref": "B"}}},
				"B": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${C}"}}},
				"C": {"Type": "T", "Properties": {"X": {"Ref": "B"}}}}`,
			wantErr: "dependency cycle: B -> C -> B",
		},
		{
			name:      "self reference",
			resources: `{"A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": "A.Arn"}}}}`,
			wantErr:   "dependency cycle: A -> A",
		},
		{
			name:      "unknown Ref",
			resources: `{"Bakery": {"Type": "T", "Properties": {"Environment": {"Variables": {"TABLE": {"Ref": "Tabel"}}}}}}`,
			wantErr:   `resource Bakery: Bakery.Properties.Environment.Variables.TABLE: Ref references unknown resource or parameter "Tabel"`,
		},
		{
			name:      "unknown GetAtt",
			resources: `{"Bakery": {"Type": "T", "Properties": {"Role": {"Fn::GetAtt": ["BakeryRole", "Arn"]}}}}`,
			wantErr:   `resource Bakery: Bakery.Properties.Role: Fn::GetAtt references unknown resource "BakeryRole"`,
		},
		{
			name:      "unknown Sub variable in a list",
			resources: `{"Bakery": {"Type": "T", "Properties": {"Layers": ["x", {"Fn::Sub": "${Layer.Arn}"}]}}}`,
			wantErr:   `resource Bakery: Bakery.Properties.Layers[1]: Fn::Sub references unknown resource or parameter "Layer"`,
		},
		{
			name:      "unknown pseudo parameter",
			resources: `{"Bakery": {"Type": "T", "Properties": {"X": {"Ref": "AWS::Regoin"}}}}`,
			wantErr:   `Ref references unknown resource or parameter "AWS::Regoin"`,
		},
		{
			name:      "unknown DependsOn",
			resources: `{"Bakery": {"Type": "T", "DependsOn": ["Nope"]}}`,
			wantErr:   `resource Bakery: DependsOn names unknown resource "Nope"`,
		},
		{
			name:      "malformed GetAtt",
			resources: `{"Bakery": {"Type": "T", "Properties": {"Role": {"Fn::GetAtt": "Role"}}}}`,
			wantErr:   `Bakery.Properties.Role: Fn::GetAtt expects "LogicalID.Attribute" or [LogicalID, Attribute], got string "Role"`,
		},
		{
			name:      "malformed Sub",
			resources: `{"Bakery": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${Oops"}}}}`,
			wantErr:   `Bakery.Properties.X: Fn::Sub: unterminated ${ in "${Oops"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := parse(t, `{"Resources": `+tt.resources+`}`)
			_, err := tmpl.Order()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
