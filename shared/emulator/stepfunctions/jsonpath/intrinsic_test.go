package jsonpath

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallIntrinsic(t *testing.T) {
	t.Parallel()
	const nine = `{"inputArray": [1,2,3,4,5,6,7,8,9], "lookingFor": 5, "index": 5}`
	tests := []struct {
		name, input, expr, want string
	}{
		// intrinsicPage, States.Array.
		{"docs Array", `{"Id": 123456}`, "States.Array($.Id)", `[123456]`},
		{"Array mixed", `{"someJson": {"random": "abcdefg"}, "zebra": "stripe"}`,
			"States.Array('Foo', 2022, $.someJson, null)", `["Foo", 2022, {"random": "abcdefg"}, null]`},
		{"Array empty", `{}`, "States.Array()", `[]`},
		{"Array booleans", `{}`, "States.Array(true, false)", `[true, false]`},
		// intrinsicPage, States.ArrayPartition.
		{"docs ArrayPartition", `{"inputArray": [1,2,3,4,5,6,7,8,9]}`, "States.ArrayPartition($.inputArray,4)", `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"ArrayPartition empty", `{"a": []}`, "States.ArrayPartition($.a, 2)", `[]`},
		{"ArrayPartition larger chunk", `{"a": [0, 1]}`, "States.ArrayPartition($.a, 5)", `[[0, 1]]`},
		{"ArrayPartition rounds size", `{"a": [0, 1, 2]}`, "States.ArrayPartition($.a, 1.6)", `[[0, 1], [2]]`},
		// intrinsicPage, States.ArrayContains.
		{"docs ArrayContains", nine, "States.ArrayContains($.inputArray, $.lookingFor)", `true`},
		{"ArrayContains missing", nine, "States.ArrayContains($.inputArray, 10)", `false`},
		{"ArrayContains object", `{"a": [{"1": 2, "2": []}], "v": {"2": [], "1": 2}}`, "States.ArrayContains($.a, $.v)", `true`},
		{"ArrayContains array", `{"a": [[1, 2, 3], 2], "v": [1, 2, 3]}`, "States.ArrayContains($.a, $.v)", `true`},
		{"ArrayContains null", `{"a": [[1, 2, 3], 2]}`, "States.ArrayContains($.a, null)", `false`},
		{"ArrayContains string", `{"a": ["x", "y"]}`, "States.ArrayContains($.a, 'y')", `true`},
		{"ArrayContains numeric form", `{"a": [1.0]}`, "States.ArrayContains($.a, 1)", `true`},
		// intrinsicPage, States.ArrayRange.
		{"docs ArrayRange", `{}`, "States.ArrayRange(1, 9, 2)", `[1,3,5,7,9]`},
		{"ArrayRange end not reached", `{}`, "States.ArrayRange(0, 10, 3)", `[0, 3, 6, 9]`},
		{"ArrayRange step past end", `{}`, "States.ArrayRange(1, 9, 9)", `[1]`},
		{"ArrayRange descending", `{}`, "States.ArrayRange(5, 1, -2)", `[5, 3, 1]`},
		{"ArrayRange wrong direction", `{}`, "States.ArrayRange(5, 1, 2)", `[]`},
		{"ArrayRange rounds", `{}`, "States.ArrayRange(0.6, 3.4, 1)", `[1, 2, 3]`},
		{"ArrayRange 1000 items", `{}`, "States.ArrayLength(States.ArrayRange(1, 1000, 1))", `1000`},
		// intrinsicPage, States.ArrayGetItem.
		{"docs ArrayGetItem", nine, "States.ArrayGetItem($.inputArray, $.index)", `6`},
		{"ArrayGetItem literal", nine, "States.ArrayGetItem($.inputArray, 0)", `1`},
		// intrinsicPage, States.ArrayLength.
		{"docs ArrayLength", nine, "States.ArrayLength($.inputArray)", `9`},
		{"ArrayLength empty", `{"a": []}`, "States.ArrayLength($.a)", `0`},
		// intrinsicPage, States.ArrayUnique.
		{"docs ArrayUnique", `{"inputArray": [1,2,3,3,3,3,3,3,4]}`, "States.ArrayUnique($.inputArray)", `[1,2,3,4]`},
		{"ArrayUnique mixed", `{"a": [null, null, true, true, 1, 1, "x", "x", [], [], {"a": 1}, {"a": 1}, {"a": 2}]}`,
			"States.ArrayUnique($.a)", `[null, true, 1, "x", [], {"a": 1}, {"a": 2}]`},
		// intrinsicPage, States.Base64Encode / Base64Decode.
		{"docs Base64Encode", `{"input": "Data to encode"}`, "States.Base64Encode($.input)", `"RGF0YSB0byBlbmNvZGU="`},
		// The page prints "Decoded data" for this example; the string encoded is "Data to encode".
		{"docs Base64Decode", `{"base64": "RGF0YSB0byBlbmNvZGU="}`, "States.Base64Decode($.base64)", `"Data to encode"`},
		{"Base64Encode empty", `{"s": ""}`, "States.Base64Encode($.s)", `""`},
		{"Base64Decode empty", `{"s": ""}`, "States.Base64Decode($.s)", `""`},
		{"Base64 round trip unicode", `{"s": "crème brûlée"}`, "States.Base64Decode(States.Base64Encode($.s))", `"crème brûlée"`},
		// intrinsicPage, States.Hash. The page's SHA-1 example drops a digit; this is the full digest.
		{"docs Hash SHA-1", `{"Data": "input data", "Algorithm": "SHA-1"}`, "States.Hash($.Data, $.Algorithm)", `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"Hash MD5", `{"Data": "input data"}`, "States.Hash($.Data, 'MD5')", `"812f45842bc6d66ee14572ce20db8e86"`},
		{"Hash SHA-256", `{"Data": "input data"}`, "States.Hash($.Data, 'SHA-256')", `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"Hash SHA-384", `{"Data": "input data"}`, "States.Hash($.Data, 'SHA-384')", `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{"Hash SHA-512", `{"Data": "input data"}`, "States.Hash($.Data, 'SHA-512')", `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		// intrinsicPage, States.JsonMerge.
		{"docs JsonMerge", `{"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}`,
			"States.JsonMerge($.json1, $.json2, false)", `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}`},
		{"JsonMerge from StringToJson", `{"o": {"k": "v"}}`,
			`States.JsonMerge(States.StringToJson('{"in_literal": "false"}'), $.o, false)`, `{"in_literal": "false", "k": "v"}`},
		// intrinsicPage, States.StringToJson / JsonToString.
		{"docs StringToJson", `{"escapedJsonString": "{\"foo\": \"bar\"}"}`, "States.StringToJson($.escapedJsonString)", `{"foo": "bar"}`},
		{"StringToJson number", `{"s": "1.1"}`, "States.StringToJson($.s)", `1.1`},
		{"StringToJson negative zero", `{"s": "-0"}`, "States.StringToJson($.s)", `0`},
		{"StringToJson empty is null", `{"s": ""}`, "States.StringToJson($.s)", `null`},
		{"StringToJson blank is null", `{"s": "  "}`, "States.StringToJson($.s)", `null`},
		{"StringToJson array", `{"s": "[1, 2, \"x\"]"}`, "States.StringToJson($.s)", `[1, 2, "x"]`},
		{"docs JsonToString", `{"unescapedJson": {"foo": "bar"}}`, "States.JsonToString($.unescapedJson)", `"{\"foo\":\"bar\"}"`},
		{"JsonToString string", `{"s": "HelloWorld"}`, "States.JsonToString($.s)", `"\"HelloWorld\""`},
		{"JsonToString null", `{"s": null}`, "States.JsonToString($.s)", `"null"`},
		{"JsonToString array", `{"s": [1, 2, "x"]}`, "States.JsonToString($.s)", `"[1,2,\"x\"]"`},
		{"JsonToString no html escaping", `{"s": "<a&b>"}`, "States.JsonToString($.s)", `"\"<a&b>\""`},
		// intrinsicPage, States.MathAdd, and its rounding of non-integers to the nearest integer.
		{"docs MathAdd", `{"value1": 111, "step": -1}`, "States.MathAdd($.value1, $.step)", `110`},
		{"MathAdd rounds half up", `{}`, "States.MathAdd(1.49, 1.5)", `3`},
		{"MathAdd rounds both", `{}`, "States.MathAdd(1.5, 1.51)", `4`},
		{"MathAdd negative half", `{}`, "States.MathAdd(-1.5, 0)", `-1`},
		{"MathAdd negative rounding", `{}`, "States.MathAdd(-1.51, 0)", `-2`},
		{"MathAdd minus half", `{}`, "States.MathAdd(-0.5, 0.5)", `1`},
		{"MathAdd limits", `{}`, "States.MathAdd(2147483647, -2147483648)", `-1`},
		// intrinsicPage, States.StringSplit: single and multiple delimiting characters.
		{"docs StringSplit", `{"inputString": "1,2,3,4,5", "splitter": ","}`, "States.StringSplit($.inputString, $.splitter)", `["1","2","3","4","5"]`},
		{"docs StringSplit many delimiters", `{"inputString": "This.is+a,test=string", "splitter": ".+,="}`,
			"States.StringSplit($.inputString, $.splitter)", `["This","is","a","test","string"]`},
		{"StringSplit drops empty pieces", `{}`, "States.StringSplit(', , ,', ',')", `[" ", " "]`},
		{"StringSplit only delimiters", `{}`, "States.StringSplit(',,,,', ',')", `[]`},
		{"StringSplit no delimiter found", `{}`, "States.StringSplit(' ', ',')", `[" "]`},
		{"StringSplit newline", "{\"s\": \"a\\nb\"}", "States.StringSplit($.s, '\n')", `["a", "b"]`},
		// intrinsicPage, States.Format.
		{"docs Format literal", `{"name": "Arnav", "template": "Hello, my name is {}."}`, "States.Format('Hello, my name is {}.', $.name)", `"Hello, my name is Arnav."`},
		{"docs Format path template", `{"name": "Arnav", "template": "Hello, my name is {}."}`, "States.Format($.template, $.name)", `"Hello, my name is Arnav."`},
		{"Format no placeholders", `{}`, "States.Format('plain')", `"plain"`},
		{"Format null", `{"v": null}`, "States.Format('v={}.', $.v)", `"v=null."`},
		{"Format number", `{"v": 1.1}`, "States.Format('v={}', $.v)", `"v=1.1"`},
		{"Format boolean", `{"v": true}`, "States.Format('v={}', $.v)", `"v=true"`},
		{"Format object", `{"v": {"Arg1": 1, "Arg2": []}}`, "States.Format('v={}', $.v)", `"v={Arg1=1, Arg2=[]}"`},
		{"Format array", `{"v": [1, "x", null]}`, "States.Format('v={}', $.v)", `"v=[1, x, null]"`},
		{"Format string with braces json", `{"v": "{\"a\": 1}"}`, "States.Format('v={}', $.v)", `"v={\"a\": 1}"`},
		{"Format two", `{"fst": "a", "snd": 2}`, "States.Format('fst={} and snd={}.', $.fst, $.snd)", `"fst=a and snd=2."`},
		// intrinsicPage, reserved characters: \' \{ \} \\ in literals.
		{"escaped quote", `{}`, `States.Format('it\'s')`, `"it's"`},
		{"escaped braces are not placeholders", `{"v": 1}`, `States.Format('\{\} {}', $.v)`, `"{} 1"`},
		{"escaped backslash", `{}`, `States.Format('a\\b')`, `"a\\b"`},
		{"lone brace", `{"v": 1}`, `States.Format('{ {}', $.v)`, `"{ 1"`},
		// intrinsicPage: the nested calls on an ARN ("myArn.$"). The page's format string has three
		// {} for two arguments, which its own States.Format rule rejects (see the failure test), so
		// this case uses two.
		{"docs nested myArn", `{"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe.v1/1.0.0"}}`,
			"States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
			`"1.0"`},
		{"nested arithmetic", `{"n": "a-b-c"}`, "States.ArrayGetItem(States.StringSplit($.n, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($.n, '-')), -1))", `"c"`},
		// intrinsicPage: bracket notation for names with other characters, $.abc.['def ghi'].
		{"bracket path argument", `{"abc": {"def ghi": "x"}}`, "States.Format('{}', $.abc.['def ghi'])", `"x"`},
		{"bracket path with comma", `{"a,b": "x"}`, "States.Array($['a,b'], 1)", `["x", 1]`},
		{"filter path argument", `{"a": [{"x": 1}, {"x": 5}]}`, "States.ArrayLength($.a[?(@.x > 1)])", `1`},
		{"whole input", `{"a": 1}`, "States.JsonToString($)", `"{\"a\":1}"`},
		{"spaces around arguments", `{"a": [1]}`, "States.ArrayLength(  $.a  )", `1`},
		{"negative literal", `{}`, "States.MathAdd(-3, -4)", `-7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, ValidateIntrinsic(tt.expr))
			got, err := CallIntrinsic(tt.expr, js(t, tt.input), nil, nil)
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
		})
	}
}

func TestCallIntrinsicContextAndVariables(t *testing.T) {
	t.Parallel()
	ctx := js(t, `{"Execution": {"Name": "run-1", "Input": {"FunctionInput": "a,b"}}, "StateMachine": {"Id": "arn:sm", "Name": "my-machine"}}`)
	vs := vars(t, `{"greeting": "hi", "order": {"items": [1, 2, 3]}}`)
	tests := []struct {
		name, expr, want string
	}{
		// contextPage with intrinsicPage: context paths as arguments.
		{"context argument", "States.Format('fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)", `"fst=run-1 and snd={Id=arn:sm, Name=my-machine}."`},
		{"context split", "States.StringSplit($$.Execution.Input.FunctionInput, ',')", `["a", "b"]`},
		{"nested on context", "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", `"my"`},
		// variablesPage: $name references in JSONPath states.
		{"variable argument", "States.Format('{} there', $greeting)", `"hi there"`},
		{"variable path", "States.ArrayLength($order.items)", `3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CallIntrinsic(tt.expr, map[string]any{}, ctx, vs)
			require.NoError(t, err)
			assert.Equal(t, js(t, tt.want), got)
		})
	}
}

func TestCallIntrinsicFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, expr, errName, cause string
	}{
		// intrinsicPage, States.Format: as many remaining arguments as there are {}.
		{"Format too few", `{"v": "{} {}"}`, "States.Format($.v, 1)", ErrIntrinsicFailure, "placeholder"},
		{"Format too many", `{"v": "x"}`, "States.Format($.v, 1)", ErrIntrinsicFailure, "placeholder"},
		{"Format template not a string", `{"v": 1}`, "States.Format($.v)", ErrIntrinsicFailure, "must be a string"},
		// intrinsicPage, ArrayPartition input validation.
		{"ArrayPartition not an array", `{"a": "x"}`, "States.ArrayPartition($.a, 2)", ErrIntrinsicFailure, "must be an array"},
		{"ArrayPartition zero", `{"a": [1]}`, "States.ArrayPartition($.a, 0)", ErrIntrinsicFailure, "positive"},
		{"ArrayPartition negative", `{"a": [1], "n": -2}`, "States.ArrayPartition($.a, $.n)", ErrIntrinsicFailure, "positive"},
		{"ArrayContains not an array", `{"a": {}}`, "States.ArrayContains($.a, 1)", ErrIntrinsicFailure, "must be an array"},
		// intrinsicPage, ArrayRange input validation: non-zero step, at most 1000 items.
		{"ArrayRange zero step", `{"s": 0}`, "States.ArrayRange(1, 9, $.s)", ErrIntrinsicFailure, "zero"},
		{"ArrayRange too long", `{"e": 1001}`, "States.ArrayRange(1, $.e, 1)", ErrIntrinsicFailure, "1000"},
		{"ArrayRange not a number", `{"e": "9"}`, "States.ArrayRange(1, $.e, 1)", ErrIntrinsicFailure, "must be a number"},
		{"ArrayGetItem out of range", `{"a": [1, 2]}`, "States.ArrayGetItem($.a, 2)", ErrIntrinsicFailure, "out of bounds"},
		{"ArrayGetItem negative", `{"a": [1, 2], "i": -1}`, "States.ArrayGetItem($.a, $.i)", ErrIntrinsicFailure, "out of bounds"},
		{"ArrayGetItem fraction", `{"a": [1, 2], "i": 0.5}`, "States.ArrayGetItem($.a, $.i)", ErrIntrinsicFailure, "integer"},
		{"ArrayLength of object", `{"a": {}}`, "States.ArrayLength($.a)", ErrIntrinsicFailure, "must be an array"},
		{"ArrayUnique of string", `{"a": "abc"}`, "States.ArrayUnique($.a)", ErrIntrinsicFailure, "must be an array"},
		// intrinsicPage, Base64: up to 10,000 characters.
		{"Base64Encode too long", `{"s": "` + strings.Repeat("a", 10001) + `"}`, "States.Base64Encode($.s)", ErrIntrinsicFailure, "10000"},
		{"Base64Decode too long", `{"s": "` + strings.Repeat("A", 10004) + `"}`, "States.Base64Decode($.s)", ErrIntrinsicFailure, "10000"},
		{"Base64Decode invalid", `{"s": "!!!"}`, "States.Base64Decode($.s)", ErrIntrinsicFailure, "Base64"},
		{"Base64Encode number", `{"s": 1}`, "States.Base64Encode($.s)", ErrIntrinsicFailure, "must be a string"},
		// intrinsicPage, Hash: 10,000 characters, five algorithms.
		{"Hash too long", `{"s": "` + strings.Repeat("a", 10001) + `"}`, "States.Hash($.s, 'MD5')", ErrIntrinsicFailure, "10000"},
		{"Hash bad algorithm", `{"alg": "SHA-999"}`, "States.Hash('x', $.alg)", ErrIntrinsicFailure, "unsupported algorithm"},
		{"Hash lower case algorithm", `{"alg": "sha-1"}`, "States.Hash('x', $.alg)", ErrIntrinsicFailure, "unsupported algorithm"},
		// intrinsicPage, JsonMerge: shallow only, the flag must be false.
		{"JsonMerge deep", `{"a": {}, "b": {}, "d": true}`, "States.JsonMerge($.a, $.b, $.d)", ErrIntrinsicFailure, "deep merging"},
		{"JsonMerge not objects", `{"a": [], "b": {}}`, "States.JsonMerge($.a, $.b, false)", ErrIntrinsicFailure, "must be an object"},
		{"JsonMerge flag not boolean", `{"a": {}, "b": {}, "d": "false"}`, "States.JsonMerge($.a, $.b, $.d)", ErrIntrinsicFailure, "must be a boolean"},
		{"StringToJson invalid", `{"s": "{nope"}`, "States.StringToJson($.s)", ErrIntrinsicFailure, "not valid JSON"},
		{"StringToJson two values", `{"s": "1 2"}`, "States.StringToJson($.s)", ErrIntrinsicFailure, "more than one"},
		{"StringToJson not a string", `{"s": {}}`, "States.StringToJson($.s)", ErrIntrinsicFailure, "must be a string"},
		// intrinsicPage, MathAdd: integers in -2147483648..2147483647.
		{"MathAdd too large", `{"n": 2147483648}`, "States.MathAdd($.n, 1)", ErrIntrinsicFailure, "range"},
		{"MathAdd string", `{"n": "1"}`, "States.MathAdd($.n, 1)", ErrIntrinsicFailure, "must be a number"},
		{"MathRandom empty range", `{}`, "States.MathRandom(5, 5)", ErrIntrinsicFailure, "greater than"},
		{"StringSplit not a string", `{"s": 1}`, "States.StringSplit($.s, ',')", ErrIntrinsicFailure, "must be a string"},
		// ASL: a path argument that matches nothing fails the state with States.Runtime.
		{"missing path argument", `{"a": 1}`, "States.Format('{}', $.nope)", ErrRuntime, "The JSONPath '$.nope' could not be found in the input '{\"a\":1}'"},
		{"missing nested path argument", `{}`, "States.ArrayLength(States.Array($.x))", ErrRuntime, "'$.x'"},
		{"syntax error at run time", `{}`, "States.Format('x", ErrIntrinsicFailure, "unterminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := CallIntrinsic(tt.expr, js(t, tt.input), nil, nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.errName, e.Name)
			assert.Contains(t, e.Cause, tt.cause)
		})
	}
}

func TestMathRandom(t *testing.T) {
	t.Parallel()
	// intrinsicPage: start inclusive, end exclusive; non-integers rounded; a seed gives identical numbers.
	t.Run("docs range", func(t *testing.T) {
		for range 200 {
			got, err := CallIntrinsic("States.MathRandom($.start, $.end)", js(t, `{"start": 1, "end": 999}`), nil, nil)
			require.NoError(t, err)
			n, ok := Number(got)
			require.True(t, ok)
			assert.GreaterOrEqual(t, n, 1.0)
			assert.Less(t, n, 999.0)
		}
	})
	t.Run("end exclusive", func(t *testing.T) {
		for range 50 {
			got, err := CallIntrinsic("States.MathRandom(3, 4)", nil, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, js(t, "3"), got)
		}
	})
	t.Run("rounded bounds", func(t *testing.T) {
		got, err := CallIntrinsic("States.MathRandom(2.5, 3.6)", nil, nil, nil)
		require.NoError(t, err)
		assert.Equal(t, js(t, "3"), got)
	})
	t.Run("seeded is repeatable", func(t *testing.T) {
		a, err := CallIntrinsic("States.MathRandom(0, 1000000, 7)", nil, nil, nil)
		require.NoError(t, err)
		b, err := CallIntrinsic("States.MathRandom(0, 1000000, 7)", nil, nil, nil)
		require.NoError(t, err)
		assert.Equal(t, a, b)
	})
}

func TestUUID(t *testing.T) {
	t.Parallel()
	// intrinsicPage: States.UUID returns a version 4 UUID.
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, err := CallIntrinsic("States.UUID()", nil, nil, nil)
	require.NoError(t, err)
	b, err := CallIntrinsic("States.UUID()", nil, nil, nil)
	require.NoError(t, err)
	assert.Regexp(t, v4, a)
	assert.NotEqual(t, a, b)
}

func TestIsIntrinsic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"States.Array($.Id)", true},
		{"States.UUID()", true},
		{" States.Format('x') ", true},
		{"$.a", false},
		{"$$.Execution.Id", false},
		{"States.", false},
		{"States.Format", false},
		{"Foo.Bar()", false},
		{"States.Format('x') + 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, IsIntrinsic(tt.s))
		})
	}
}

func TestValidateIntrinsic(t *testing.T) {
	t.Parallel()
	nest := func(n int) string {
		return strings.Repeat("States.Array(", n) + "1" + strings.Repeat(")", n)
	}
	// intrinsicPage: up to 10 nested intrinsic functions in a field.
	require.NoError(t, ValidateIntrinsic(nest(10)))
	tests := []struct {
		name, expr, msg string
	}{
		{"eleven nested", nest(11), "nested"},
		{"unknown function", "States.Nope(1)", "unknown intrinsic function"},
		{"missing parenthesis", "States.Array(1", "missing ')'"},
		{"trailing text", "States.Array(1) x", "unexpected"},
		// intrinsicPage: an open escape backslash is an error.
		{"open escape", `States.Format('a\b')`, "open escape"},
		{"unterminated string", "States.Format('abc)", "unterminated"},
		{"Format placeholders", "States.Format('{} {}', 1)", "placeholder"},
		// intrinsicPage: the myArn example as printed, three {} for two arguments.
		{"docs myArn as printed", "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))", "placeholder"},
		{"Format literal not string", "States.Format(1)", "must be a string"},
		{"UUID with argument", "States.UUID(1)", "exactly 0"},
		{"MathAdd arity", "States.MathAdd(1)", "exactly 2"},
		{"MathRandom arity", "States.MathRandom(1, 2, 3, 4)", "2 to 3"},
		{"ArrayLength literal", "States.ArrayLength('abc')", "must be an array"},
		{"MathAdd string literal", "States.MathAdd('1', 2)", "must be a number"},
		{"Hash unknown literal algorithm", "States.Hash('x', 'SHA-3')", "unsupported algorithm"},
		{"JsonMerge deep literal", "States.JsonMerge($.a, $.b, true)", "deep merging"},
		{"JsonMerge literal object", "States.JsonMerge('a', $.b, false)", "must be an object"},
		{"bad path", "States.Array($.a[)", "path"},
		{"bad argument", "States.Array(foo)", "unexpected argument"},
		{"missing argument", "States.Array(1,)", "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateIntrinsic(tt.expr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
