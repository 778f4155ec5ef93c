package jsonpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyTemplate(t *testing.T) {
	t.Parallel()
	ctx := js(t, `{"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run", "Name": "run",
		"StartTime": "2019-03-26T20:14:13.192Z"}, "Map": {"Item": {"Index": 0, "Value": "x"}}}`)
	vs := vars(t, `{"productName": "product1", "order": {"numItems": 3}}`)
	tests := []struct {
		name, input, tmpl, want string
	}{
		// paramsPage: key-value pairs with static values and paths.
		{"docs parameters", `{"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small",
			"material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}}`,
			`{"comment": "Selecting what I care about.", "MyDetails": {"size.$": "$.product.details.size",
			"exists.$": "$.product.availability", "StaticValue": "foo"}}`,
			`{"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}}`},
		// paramsPage: ResultSelector on an EMR createCluster.sync result.
		{"docs result selector", `{"resourceType": "elasticmapreduce", "resource": "createCluster.sync",
			"output": {"SdkHttpMetadata": {"HttpStatusCode": 200}, "SdkResponseMetadata": {"RequestId": "1234-5678-9012"},
			"ClusterId": "AKIAIOSFODNN7EXAMPLE"}}`,
			`{"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}`,
			`{"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"}`},
		// paramsPage: flattening an array of arrays in ResultSelector.
		{"docs flatten", `[[1, 2], [3, 4]]`, `{"flattenArray.$": "$[*][*]"}`, `{"flattenArray": [1, 2, 3, 4]}`},
		// contextPage: "Execution.$": "$$.Execution.Id" and friends.
		{"docs context", `{}`, `{"MessageBody": {"Message": "Hello", "Execution.$": "$$.Execution.Id"},
			"startTime.$": "$$.Execution.StartTime", "execName.$": "$$.Execution.Name"}`,
			`{"MessageBody": {"Message": "Hello", "Execution": "arn:aws:states:us-east-1:123456789012:execution:sm:run"},
			"startTime": "2019-03-26T20:14:13.192Z", "execName": "run"}`},
		// contextPage: Map state ItemSelector with $$.Map.Item.
		{"docs map item", `{}`, `{"ContextIndex.$": "$$.Map.Item.Index", "ContextValue.$": "$$.Map.Item.Value"}`,
			`{"ContextIndex": 0, "ContextValue": "x"}`},
		// intrinsicPage: "KeyId.$": "States.Array($.Id)" and the Parameters example for States.Array.
		{"docs intrinsic", `{"Id": 123456}`, `{"BuildId.$": "States.Array($.Id)"}`, `{"BuildId": [123456]}`},
		{"docs Array payload", `{"someJson": {"random": "abcdefg"}, "zebra": "stripe"}`,
			`{"foo.$": "States.Array('Foo', 2022, $.someJson, null)"}`, `{"foo": ["Foo", 2022, {"random": "abcdefg"}, null]}`},
		// variablesPage: $name in a JSONPath payload template.
		{"docs variables", `{}`, `{"name.$": "$productName", "count.$": "$order.numItems"}`, `{"name": "product1", "count": 3}`},
		{"arrays walked", `{"a": 1}`, `{"list": [{"x.$": "$.a"}, "plain", 2, [{"y.$": "$.a"}]]}`, `{"list": [{"x": 1}, "plain", 2, [{"y": 1}]]}`},
		{"literal dollar kept without suffix", `{"a": 1}`, `{"p": "$.a"}`, `{"p": "$.a"}`},
		{"whole input", `{"a": 1}`, `{"all.$": "$"}`, `{"all": {"a": 1}}`},
		{"empty template", `{"a": 1}`, `{}`, `{}`},
		{"scalar template", `{"a": 1}`, `"fixed"`, `"fixed"`},
		{"null result kept", `{"a": null}`, `{"v.$": "$.a"}`, `{"v": null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := js(t, tt.tmpl)
			require.NoError(t, ValidateTemplate(tmpl))
			got, err := ApplyTemplate(tmpl, js(t, tt.input), ctx, vs)
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
			assert.Equal(t, js(t, tt.tmpl), tmpl, "the template must not change")
		})
	}
}

func TestApplyTemplateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, tmpl string
		want              *Error
	}{
		// AWS history text (Glue StartJobRun): "The JSONPath '$.JobName' specified for the field
		// 'JobName.$' could not be found in the input '{}'".
		{"path not found", `{}`, `{"JobName.$": "$.JobName"}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'"}},
		{"nested field", `{"a": 1}`, `{"outer": {"value.$": "$.no_such_jsonpath"}}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"}},
		{"context not found", `{"a": 1}`, `{"value.$": "$$.Execution.Input.no_such_jsonpath"}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"}},
		{"variable not defined", `{}`, `{"v.$": "$undefinedVar"}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$undefinedVar' specified for the field 'v.$' could not be found in the input '{}'"}},
		{"intrinsic argument not found", `{}`, `{"v.$": "States.Format('{}', $.x)"}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$.x' specified for the field 'v.$' could not be found in the input '{}'"}},
		{"input rendered compactly", `{"b": [1, 2], "a": "x"}`, `{"v.$": "$.x"}`,
			&Error{Name: ErrRuntime, Cause: "The JSONPath '$.x' specified for the field 'v.$' could not be found in the input '{\"a\":\"x\",\"b\":[1,2]}'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ApplyTemplate(js(t, tt.tmpl), js(t, tt.input), js(t, `{"Execution": {"Input": {}}}`), nil)
			assert.Equal(t, tt.want, err)
		})
	}
	t.Run("intrinsic failure", func(t *testing.T) {
		_, err := ApplyTemplate(js(t, `{"v.$": "States.ArrayLength($.a)"}`), js(t, `{"a": 1}`), nil, nil)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, ErrIntrinsicFailure, e.Name)
	})
	t.Run("value not a string", func(t *testing.T) {
		_, err := ApplyTemplate(js(t, `{"v.$": 1}`), js(t, `{}`), nil, nil)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, ErrRuntime, e.Name)
	})
}

func TestValidateTemplate(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`{"v.$": 1}`,
		`{"v.$": "not a path"}`,
		`{"v.$": "$.a["}`,
		`{"o": {"v.$": "States.Nope()"}}`,
		`{"l": [{"v.$": "States.Format('{}')"}]}`,
	} {
		t.Run(bad, func(t *testing.T) {
			t.Parallel()
			assert.Error(t, ValidateTemplate(js(t, bad)))
		})
	}
}

// BenchmarkApplyTemplate measures a typical Task Parameters block: a Lambda invoke payload with
// input paths, a context path, a nested object and an intrinsic.
func BenchmarkApplyTemplate(b *testing.B) {
	tmpl := js(b, `{"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:charge",
		"Payload": {"orderId.$": "$.order.id", "amount.$": "$.order.total", "customer": {"id.$": "$.customer.id",
		"email.$": "$.customer.email"}, "execution.$": "$$.Execution.Id",
		"message.$": "States.Format('order {} for {}', $.order.id, $.customer.id)", "source": "bakery"}}`)
	input := js(b, `{"order": {"id": "o-123", "total": 42.5, "items": [{"sku": "croissant", "qty": 2}]},
		"customer": {"id": "c-9", "email": "emily@example.com"}}`)
	ctx := js(b, `{"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ApplyTemplate(tmpl, input, ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
