package jsonpath

import (
	"errors"
	"fmt"
	"strings"
)

// ApplyTemplate builds a Parameters, ResultSelector or ItemSelector payload from its template.
// A key ending in ".$" loses the suffix and takes the value its string selects: a path on the
// input ("$…"), the context object ("$$…") or a variable ("$name…"), or an intrinsic function
// call. Other values are copied; objects and arrays are walked. A path that matches nothing
// is States.Runtime with the field named, an intrinsic that fails is States.IntrinsicFailure.
func ApplyTemplate(tmpl any, input, ctxObj any, vars func(name string) (any, bool)) (any, error) {
	return applyTemplate(tmpl, input, ctxObj, vars)
}

func applyTemplate(tmpl any, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				val, err := resolveField(k, v, input, ctxObj, vars)
				if err != nil {
					return nil, err
				}
				out[name] = val
				continue
			}
			val, err := applyTemplate(v, input, ctxObj, vars)
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			val, err := applyTemplate(v, input, ctxObj, vars)
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return tmpl, nil
}

// resolveField evaluates the value of one "key.$" field.
func resolveField(field string, v any, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	expr, ok := v.(string)
	if !ok {
		return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf(
			"The value for the field '%s' must be a STRING that contains a JSONPath or an intrinsic function", field)}
	}
	var val any
	var err error
	if IsIntrinsic(expr) {
		val, err = callIntrinsic(expr, input, ctxObj, vars)
	} else {
		val, err = Resolve(expr, input, ctxObj, vars)
		if err != nil && !errors.As(err, new(*PathError)) {
			err = &Error{Name: ErrRuntime, Cause: fmt.Sprintf("The field '%s' has an invalid JSONPath '%s': %v", field, expr, err)}
		}
	}
	var pe *PathError
	if errors.As(err, &pe) {
		return nil, pe.ForField(field, input)
	}
	return val, err
}

// ValidateTemplate checks a payload template the way a state machine definition is checked:
// every "key.$" value must be a string holding a valid path or intrinsic function call.
func ValidateTemplate(tmpl any) error {
	switch t := tmpl.(type) {
	case map[string]any:
		for k, v := range t {
			if strings.HasSuffix(k, ".$") {
				s, ok := v.(string)
				if !ok {
					return fmt.Errorf("field %q must be a string holding a path or an intrinsic function", k)
				}
				var err error
				if IsIntrinsic(s) {
					err = ValidateIntrinsic(s)
				} else {
					err = Validate(s)
				}
				if err != nil {
					return fmt.Errorf("field %q: %w", k, err)
				}
				continue
			}
			if err := ValidateTemplate(v); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range t {
			if err := ValidateTemplate(v); err != nil {
				return err
			}
		}
	}
	return nil
}
