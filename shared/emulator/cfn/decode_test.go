package cfn_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

// upper decodes itself from a JSON string, as a service's enum type might.
type upper string

func (u *upper) UnmarshalText(b []byte) error {
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

type common struct {
	Description string `json:"Description"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type functionProps struct {
	common
	FunctionName string          `json:"FunctionName"`
	MemorySize   int             `json:"MemorySize"`
	Timeout      *int            `json:"Timeout"`
	Reserved     *uint16         `json:"ReservedConcurrentExecutions"`
	Enabled      bool            `json:"Enabled"`
	Ratio        float64         `json:"Ratio"`
	Architecture upper           `json:"Architecture"`
	Layers       []string        `json:"Layers"`
	Tags         []tag           `json:"Tags"`
	Raw          json.RawMessage `json:"Raw"`
	Anything     any             `json:"Anything"`
	Environment  *struct {
		Variables map[string]string `json:"Variables"`
	} `json:"Environment"`
	Sizes    map[string]int `json:"Sizes"`
	Internal string         `json:"-"`
	Quoted   int            `json:"Quoted,string"`
	Untagged string
}

var function = &cfn.Resource{LogicalID: "Bakery", Type: "AWS::Lambda::Function"}

func TestDecode(t *testing.T) {
	t.Parallel()
	timeout := 10
	reserved := uint16(5)
	tests := []struct {
		name  string
		props string // JSON
		want  functionProps
	}{
		{"empty", `{}`, functionProps{}},
		{"plain types", `{"FunctionName": "f", "MemorySize": 256, "Timeout": 10, "Enabled": true, "Ratio": 0.5}`,
			functionProps{FunctionName: "f", MemorySize: 256, Timeout: &timeout, Enabled: true, Ratio: 0.5}},
		{"strings to numbers and booleans", `{"MemorySize": "256", "Timeout": "10", "ReservedConcurrentExecutions": "5", "Enabled": "True", "Ratio": "0.5"}`,
			functionProps{MemorySize: 256, Timeout: &timeout, Reserved: &reserved, Enabled: true, Ratio: 0.5}},
		{"numbers and booleans to strings", `{"FunctionName": 128, "Description": false, "Layers": [1, 2.5], "Tags": [{"Key": "n", "Value": 3}]}`,
			functionProps{FunctionName: "128", common: common{Description: "false"}, Layers: []string{"1", "2.5"}, Tags: []tag{{"n", "3"}}}},
		{"nested map of strings", `{"Environment": {"Variables": {"TABLE": "t", "SIZE": 10, "DEBUG": true}}}`,
			functionProps{Environment: &struct {
				Variables map[string]string `json:"Variables"`
			}{Variables: map[string]string{"TABLE": "t", "SIZE": "10", "DEBUG": "true"}}}},
		{"map of numbers from strings", `{"Sizes": {"a": "1", "b": 2}}`, functionProps{Sizes: map[string]int{"a": 1, "b": 2}}},
		{"text unmarshaler gets a string", `{"Architecture": "arm64"}`, functionProps{Architecture: "ARM64"}},
		{"text unmarshaler gets a number as a string", `{"Architecture": 64}`, functionProps{Architecture: "64"}},
		{"raw message and any pass through", `{"Raw": {"a": [1]}, "Anything": {"b": "2"}}`,
			functionProps{Raw: json.RawMessage(`{"a":[1]}`), Anything: map[string]any{"b": "2"}}},
		{"json string option", `{"Quoted": "7"}`, functionProps{Quoted: 7}},
		{"json string option from a number", `{"Quoted": 7}`, functionProps{Quoted: 7}},
		{"field without tag", `{"Untagged": "u"}`, functionProps{Untagged: "u"}},
		{"embedded struct", `{"Description": "d"}`, functionProps{common: common{Description: "d"}}},
		{"null", `{"Timeout": null, "Environment": null}`, functionProps{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got functionProps
			require.NoError(t, cfn.Decode(function, fromJSON(t, tt.props).(map[string]any), &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		props   string // JSON
		wantErr string
	}{
		{"unknown property", `{"FunctionName": "f", "SnapStart": {"ApplyOn": "PublishedVersions"}}`,
			`resource Bakery (AWS::Lambda::Function): property "SnapStart" is not supported by the emulator`},
		{"unknown nested property", `{"Environment": {"Variables": {}, "KmsKeyArn": "k"}}`,
			`resource Bakery (AWS::Lambda::Function): property "Environment.KmsKeyArn" is not supported by the emulator`},
		{"unknown property in a list element", `{"Tags": [{"Key": "k", "Value": "v"}, {"Key": "k", "Vaule": "v"}]}`,
			`resource Bakery (AWS::Lambda::Function): property "Tags[1].Vaule" is not supported by the emulator`},
		{"names are case-sensitive", `{"memorySize": 128}`,
			`resource Bakery (AWS::Lambda::Function): property "memorySize" is not supported by the emulator`},
		{"ignored field is not a property", `{"Internal": "x"}`,
			`resource Bakery (AWS::Lambda::Function): property "Internal" is not supported by the emulator`},
		{"object where a map is expected", `{"Environment": {"Variables": ["A=1"]}}`,
			`resource Bakery (AWS::Lambda::Function): property "Environment.Variables": expected object, got list of 1`},
		{"list in a map of strings", `{"Environment": {"Variables": {"A": ["1"]}}}`,
			`resource Bakery (AWS::Lambda::Function): property "Environment.Variables.A": expected string, got list of 1`},
		{"word for a number", `{"MemorySize": "lots"}`,
			`resource Bakery (AWS::Lambda::Function): property "MemorySize": expected integer, got string "lots"`},
		{"fraction for an integer", `{"MemorySize": 1.5}`,
			`resource Bakery (AWS::Lambda::Function): property "MemorySize": expected integer, got number 1.5`},
		{"negative for an unsigned integer", `{"ReservedConcurrentExecutions": -1}`,
			`property "ReservedConcurrentExecutions": expected non-negative integer that fits uint16, got number -1`},
		{"overflow", `{"ReservedConcurrentExecutions": "70000"}`,
			`property "ReservedConcurrentExecutions": expected non-negative integer, got string "70000"`},
		{"word for a boolean", `{"Enabled": "yes"}`, `property "Enabled": expected boolean, got string "yes"`},
		{"word for a float", `{"Ratio": "half"}`, `property "Ratio": expected number, got string "half"`},
		{"object for a string", `{"FunctionName": {"Ref": "X"}}`, `property "FunctionName": expected string, got Ref function`},
		{"string for a list", `{"Layers": "arn"}`, `property "Layers": expected list, got string "arn"`},
		{"string for a struct", `{"Environment": "x"}`, `property "Environment": expected object, got string "x"`},
		{"nested list element", `{"Tags": [{"Key": ["k"]}]}`, `property "Tags[0].Key": expected string, got list of 1`},
		{"list for a text unmarshaler", `{"Architecture": ["arm64"]}`, `property "Architecture": expected string, got list of 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got functionProps
			err := cfn.Decode(function, fromJSON(t, tt.props).(map[string]any), &got)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestDecodeTargets(t *testing.T) {
	t.Parallel()
	props := map[string]any{"A": "1"}

	var m map[string]any
	require.NoError(t, cfn.Decode(function, props, &m))
	assert.Equal(t, props, m)

	var ints map[string]int
	require.NoError(t, cfn.Decode(function, props, &ints))
	assert.Equal(t, map[string]int{"A": 1}, ints)

	var s struct{ A string }
	require.NoError(t, cfn.Decode(function, nil, &s), "a resource without properties")

	assert.EqualError(t, cfn.Decode(function, props, s),
		"resource Bakery (AWS::Lambda::Function): decode needs a non-nil pointer, got struct { A string }")
	var nilPtr *struct{ A string }
	assert.Error(t, cfn.Decode(function, props, nilPtr))

	var withChan struct{ A chan int }
	err := cfn.Decode(function, props, &withChan)
	assert.ErrorContains(t, err, `property "A": the emulator's Go type chan int cannot hold a property`)
}
