package jsonpath

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The pages these tests come from:
//   - https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-example.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
//   - https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

const pathsDoc = `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true},
	"jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]}`

func TestSelect(t *testing.T) {
	t.Parallel()
	store := `{"store": {"book": [
		{"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
		{"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
		{"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99}],
		"bicycle": {"color": "red", "price": 19.95}}, "a b": {"c.d": 1}, "abc": {"def ghi": 2}}`
	tests := []struct {
		name, doc, path, want string
	}{
		// pathsPage: the reference path examples.
		{"docs foo", pathsDoc, "$.foo", `123`},
		{"docs bar", pathsDoc, "$.bar", `["a", "b", "c"]`},
		{"docs car.cdr", pathsDoc, "$.car.cdr", `true`},
		// pathsPage (2023 edition): filter example.
		{"docs filter", pathsDoc, "$.jar[?(@.a >= 5)]", `[{"a": 5}, {"a": 7}]`},
		// pathsPage: square brackets for names that need them, `$.abc.['def ghi']`.
		{"docs dot bracket", store, "$.abc.['def ghi']", `2`},
		{"bracket name", store, "$['a b']['c.d']", `1`},
		{"double quoted name", store, `$["a b"]["c.d"]`, `1`},
		// paramsPage: InputPath examples.
		{"docs inputpath", `{"comment": "x", "dataset1": {"val1": 1}, "dataset2": {"val1": "a", "val2": "b", "val3": "c"}}`,
			"$.dataset2", `{"val1": "a", "val2": "b", "val3": "c"}`},
		{"docs slice", `{"a": [1, 2, 3, 4]}`, "$.a[0:2]", `[1, 2]`},
		// paramsPage: flattening an array of arrays with $[*][*].
		{"docs flatten", `[[1, 2], [3], [4, 5]]`, "$[*][*]", `[1, 2, 3, 4, 5]`},
		// pathsPage: $ is the whole input.
		{"root", `{"a": 1}`, "$", `{"a": 1}`},
		{"root scalar", `"x"`, "$", `"x"`},
		{"index", pathsDoc, "$.bar[1]", `"b"`},
		{"negative index", pathsDoc, "$.bar[-1]", `"c"`},
		{"index then field", pathsDoc, "$.jar[3].a", `7`},
		{"null value", `{"a": null}`, "$.a", `null`},
		{"union of indexes", pathsDoc, "$.bar[0,2]", `["a", "c"]`},
		{"union of names", `{"a": 1, "b": 2, "c": 3}`, "$['a','c']", `[1, 3]`},
		{"wildcard array", pathsDoc, "$.jar[*].a", `[1, 5, 2, 7, 3]`},
		{"wildcard object in key order", `{"o": {"b": 2, "a": 1}}`, "$.o.*", `[1, 2]`},
		{"slice open end", pathsDoc, "$.bar[1:]", `["b", "c"]`},
		{"slice open start", pathsDoc, "$.bar[:2]", `["a", "b"]`},
		{"slice negative", pathsDoc, "$.bar[-2:]", `["b", "c"]`},
		{"slice past end", pathsDoc, "$.bar[1:10]", `["b", "c"]`},
		{"deep scan", store, "$..author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville"]`},
		{"deep scan price", store, "$.store..price", `[19.95, 8.95, 12.99, 8.99]`},
		{"deep scan index", store, "$..book[2].title", `["Moby Dick"]`},
		{"filter less than", store, "$.store.book[?(@.price < 10)].title", `["Sayings", "Moby Dick"]`},
		{"filter string equality", store, "$.store.book[?(@.category == 'fiction')].author", `["Evelyn Waugh", "Herman Melville"]`},
		{"filter double quotes", store, `$.store.book[?(@.category == "reference")].title`, `["Sayings"]`},
		{"filter existence", store, "$.store.book[?(@.isbn)].title", `["Moby Dick"]`},
		{"filter negated existence", store, "$.store.book[?(!@.isbn)].title", `["Sayings", "Sword"]`},
		{"filter and", store, "$.store.book[?(@.price > 8.96 && @.category == 'fiction')].title", `["Sword", "Moby Dick"]`},
		{"filter or", store, "$.store.book[?(@.price > 12 || @.author == 'Nigel Rees')].title", `["Sayings", "Sword"]`},
		{"filter parens", store, "$.store.book[?((@.price > 12 || @.price < 9) && @.category != 'reference')].title", `["Sword", "Moby Dick"]`},
		{"filter regex", store, "$.store.book[?(@.author =~ /.*Waugh/)].title", `["Sword"]`},
		{"filter regex flag", store, "$.store.book[?(@.author =~ /.*waugh/i)].title", `["Sword"]`},
		{"filter against root", store, "$.store.book[?(@.price < $.store.bicycle.price)].price", `[8.95, 12.99, 8.99]`},
		{"filter on scalars", `{"n": [1, 5, 9]}`, "$.n[?(@ > 4)]", `[5, 9]`},
		{"filter no match", store, "$.store.book[?(@.price > 100)]", `[]`},
		{"filter number equality ignores form", `{"n": [{"v": 1.0}, {"v": 2}]}`, "$.n[?(@.v == 1)].v", `[1.0]`},
		{"filter null literal", `{"n": [{"v": null}, {"v": 2}]}`, "$.n[?(@.v == null)]", `[{"v": null}]`},
		{"filter boolean literal", `{"n": [{"v": true}, {"v": false}]}`, "$.n[?(@.v == true)]", `[{"v": true}]`},
		{"indefinite missing leaf skipped", `{"a": [{"b": 1}, {}, {"b": 3}]}`, "$.a[*].b", `[1, 3]`},
		{"indefinite nothing", `{"a": []}`, "$.a[*]", `[]`},
		{"names with underscore and digits", `{"a_1": {"B2": 3}}`, "$.a_1.B2", `3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Select(js(t, tt.doc), tt.path)
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
		})
	}
}

func TestSelectNoMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, path, msg, invalid string
	}{
		// AWS history text for OutputPath: "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']".
		{"missing leaf", `{"a": 1}`, "$.NoSuchOutputPath", "No results for path: $['NoSuchOutputPath']",
			"Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"},
		// AWS history text: "Invalid path '$.no.such.result.path' : Missing property in path $['no']".
		{"missing intermediate", `{"a": 1}`, "$.no.such.result.path", "Missing property in path $['no']",
			"Invalid path '$.no.such.result.path' : Missing property in path $['no']"},
		{"leaf under existing", `{"a": {"b": 1}}`, "$.a.c", "No results for path: $['a']['c']", ""},
		{"index out of range", `{"a": [1]}`, "$.a[3]", "No results for path: $['a'][3]", ""},
		{"field of a scalar", `{"a": "s"}`, "$.a.b", "No results for path: $['a']['b']", ""},
		{"index of an object", `{"a": {}}`, "$.a[0]", "No results for path: $['a'][0]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Select(js(t, tt.doc), tt.path)
			var pe *PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.msg, pe.Error())
			assert.Equal(t, tt.path, pe.Path)
			if tt.invalid != "" {
				assert.Equal(t, &Error{Name: ErrRuntime, Cause: tt.invalid}, pe.InvalidPath())
			}
		})
	}
}

func TestSelectBadSyntax(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", "a.b", "$.", "$.a[", "$.a[x]", "$.a[?(@.b > )]", "$['a", "$.a b", "$.a[1:2:3]", "$.a[?@.b]"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			_, err := Select(map[string]any{}, path)
			require.Error(t, err)
			assert.False(t, errors.As(err, new(*PathError)), "a syntax error is not a no-match")
			assert.Error(t, Validate(path))
		})
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := js(t, `{"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run", "Name": "run",
		"Input": {"key": "value"}, "StartTime": "2019-03-26T20:14:13.192Z"},
		"State": {"Name": "Test", "RetryCount": 3}, "Map": {"Item": {"Index": 2, "Value": {"x": 1}}}}`)
	in := js(t, `{"a": 1}`)
	vs := vars(t, `{"productName": "product1", "count": 42, "order": {"numItems": 3, "items": ["x", "y"]}}`)
	tests := []struct {
		name, path, want string
	}{
		// contextPage: "$$.Execution.Id" and friends.
		{"docs execution id", "$$.Execution.Id", `"arn:aws:states:us-east-1:123456789012:execution:sm:run"`},
		{"docs execution start time", "$$.Execution.StartTime", `"2019-03-26T20:14:13.192Z"`},
		{"docs execution name", "$$.Execution.Name", `"run"`},
		{"docs retry count", "$$.State.RetryCount", `3`},
		{"docs map item index", "$$.Map.Item.Index", `2`},
		{"docs map item value", "$$.Map.Item.Value", `{"x": 1}`},
		{"whole context", "$$.Execution.Input", `{"key": "value"}`},
		{"input", "$.a", `1`},
		// variablesPage: "To reference a variable, prepend the name with a dollar sign ($), for example, $productName."
		{"docs variable", "$productName", `"product1"`},
		{"variable number", "$count", `42`},
		{"variable field", "$order.numItems", `3`},
		{"variable index", "$order.items[1]", `"y"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(tt.path, in, ctx, vs)
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
		})
	}
	t.Run("SelectContext", func(t *testing.T) {
		got, err := SelectContext(in, ctx, "$$.State.Name")
		require.NoError(t, err)
		assert.Equal(t, "Test", got)
		got, err = SelectContext(in, ctx, "$.a")
		require.NoError(t, err)
		assert.Equal(t, js(t, "1"), got)
	})
	t.Run("undefined variable", func(t *testing.T) {
		_, err := Resolve("$nope", in, ctx, vs)
		assert.ErrorAs(t, err, new(*PathError))
		_, err = Resolve("$nope", in, ctx, nil)
		assert.ErrorAs(t, err, new(*PathError))
	})
	t.Run("Select refuses the context object", func(t *testing.T) {
		_, err := Select(in, "$$.Execution.Id")
		assert.Error(t, err)
	})
	t.Run("SelectField names the field", func(t *testing.T) {
		// AWS history text: "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the
		// field 'value.$' could not be found in the input '…'".
		_, err := SelectField("$$.Execution.Input.no_such_jsonpath", "value.$", in, ctx, nil)
		assert.Equal(t, &Error{Name: ErrRuntime, Cause: "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"}, err)
	})
}

func TestSet(t *testing.T) {
	t.Parallel()
	lambdaInput := `{"comment": "This is a test of the input and output of a Task state.",
		"details": "Default example", "who": "AWS Step Functions"}`
	tests := []struct {
		name, doc, path, value, want string
	}{
		// resultPath: "$" replaces the input with the result.
		{"docs replace", lambdaInput, "$", `"Hello, AWS Step Functions!"`, `"Hello, AWS Step Functions!"`},
		// resultPath: "$.taskresult" adds the result to the input.
		{"docs include", lambdaInput, "$.taskresult", `"Hello, AWS Step Functions!"`,
			`{"comment": "This is a test of the input and output of a Task state.", "details": "Default example",
			"who": "AWS Step Functions", "taskresult": "Hello, AWS Step Functions!"}`},
		// resultPath: "$.comment" overwrites an existing node.
		{"docs overwrite", lambdaInput, "$.comment", `"Hello, AWS Step Functions!"`,
			`{"comment": "Hello, AWS Step Functions!", "details": "Default example", "who": "AWS Step Functions"}`},
		// examplePage: "ResultPath": "$.lambdaresult" nested under existing input.
		{"docs nested create", `{"a": {"b": 1}}`, "$.a.c.d", `{"x": 1}`, `{"a": {"b": 1, "c": {"d": {"x": 1}}}}`},
		{"create from empty", `{}`, "$.x.y", `1`, `{"x": {"y": 1}}`},
		{"bracket name", `{}`, "$['a b']", `1`, `{"a b": 1}`},
		{"index in array", `{"a": [1, 2]}`, "$.a[1]", `{"r": true}`, `{"a": [1, {"r": true}]}`},
		{"field under index", `{"a": [{"b": 1}]}`, "$.a[0].c", `2`, `{"a": [{"b": 1, "c": 2}]}`},
		{"null value", `{"a": 1}`, "$.b", `null`, `{"a": 1, "b": null}`},
		{"replace scalar leaf", `{"a": "s"}`, "$.a", `{"n": 1}`, `{"a": {"n": 1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := js(t, tt.doc)
			before := js(t, tt.doc)
			got, err := Set(doc, tt.path, js(t, tt.value))
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
			assert.Equal(t, before, doc, "Set must not modify its input")
		})
	}
}

func TestSetFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, path string
	}{
		// resultPath / ASL spec: a ResultPath that cannot be applied is States.ResultPathMatchFailure.
		{"input is a string", `"hello"`, "$.a"},
		{"input is null", `null`, "$.a"},
		{"through a scalar", `{"a": 1}`, "$.a.b"},
		{"through an array by name", `{"a": [1]}`, "$.a.b"},
		{"index out of range", `{"a": [1]}`, "$.a[5]"},
		{"index on object", `{"a": {}}`, "$.a[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Set(js(t, tt.doc), tt.path, "r")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, ErrResultPathMatchFailure, e.Name)
			assert.Contains(t, e.Cause, tt.path)
		})
	}
}

func TestValidPath(t *testing.T) {
	t.Parallel()
	// pathsPage: reference paths use only dot and bracket notation naming single nodes; the
	// operators @ , : ? * are not supported.
	for _, ok := range []string{"$", "$.a", "$.a.b", "$['a b'].c", "$.a[0]", "$.a[0].b", "$.abc.['def ghi']"} {
		t.Run("valid "+ok, func(t *testing.T) {
			t.Parallel()
			assert.NoError(t, ValidPath(ok))
		})
	}
	for _, bad := range []string{"$.a[*]", "$..a", "$.a[0,1]", "$.a[0:1]", "$.a[?(@.b)]", "$['a','b']", "$$.Execution", "$var", "a", ""} {
		t.Run("invalid "+bad, func(t *testing.T) {
			t.Parallel()
			assert.Error(t, ValidPath(bad))
			_, err := Set(map[string]any{}, bad, 1)
			assert.Error(t, err)
		})
	}
}
