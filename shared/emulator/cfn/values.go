package cfn

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// noValueType marks a value that resolved to AWS::NoValue; the enclosing object or list drops it.
type noValueType struct{}

var noValue any = noValueType{}

// formatNumber writes a number the way CloudFormation does in strings: 128, not 128.0 or 1.28e+02.
func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// scalarString converts a resolved string, number or boolean to a string.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return formatNumber(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// describe names a value's JSON type, with the value itself when it is short, for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case noValueType:
		return "AWS::NoValue"
	case string:
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		return fmt.Sprintf("string %q", v)
	case float64:
		return "number " + formatNumber(v)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case []any:
		return fmt.Sprintf("list of %d", len(v))
	case map[string]any:
		if fn, _, ok := intrinsic(v); ok {
			return fn + " function"
		}
		return "object"
	}
	return fmt.Sprintf("Go value of type %T", v)
}

// normalize converts a value from outside the package (a Ref or Fn::GetAtt answer, a parameter
// value, hand-built properties) to plain JSON types, copying maps and slices.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, float64:
		return v, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = e
		}
		return out, nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %q: %w", v, err)
		}
		return f, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	}
	// Anything else (structs, typed slices and maps) goes through JSON, as it would on the wire.
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("convert %T to JSON: %w", v, err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("convert %T to JSON: %w", v, err)
	}
	return out, nil
}
