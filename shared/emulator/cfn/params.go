package cfn

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parameterValues applies defaults to the given parameter values and validates them. Values come
// out as CloudFormation's Ref returns them: a string, or a list of strings for list types (Number
// parameters too are strings).
func parameterValues(t *Template, given map[string]any) (map[string]any, error) {
	for _, name := range sortedKeys(given) {
		if _, ok := t.Parameters[name]; !ok {
			return nil, fmt.Errorf("parameter %q is not declared in the template", name)
		}
	}
	out := make(map[string]any, len(t.Parameters))
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		v, ok := given[name]
		if !ok || v == nil {
			if p.Default == nil {
				return nil, fmt.Errorf("parameter %s has no value and no default", name)
			}
			v = p.Default
		}
		val, err := parameterValue(p, v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		out[name] = val
	}
	return out, nil
}

// isListParameter reports whether a parameter type makes Ref return a list. SSM parameter types
// are not: their value is the SSM parameter's name, which the emulator does not look up.
func isListParameter(typ string) bool {
	return typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
}

func parameterValue(p Parameter, v any) (any, error) {
	n, err := normalize(v)
	if err != nil {
		return nil, err
	}
	if !isListParameter(p.Type) {
		s, ok := scalarString(n)
		if !ok {
			return nil, fmt.Errorf("expected a string for type %s, got %s", p.Type, describe(n))
		}
		return s, checkParameter(p, s, p.Type == "Number")
	}
	var items []string
	switch n := n.(type) {
	case string:
		// CloudFormation trims the spaces around each member of a comma-delimited list.
		for item := range strings.SplitSeq(n, ",") {
			items = append(items, strings.TrimSpace(item))
		}
	case []any:
		for i, e := range n {
			s, ok := scalarString(e)
			if !ok {
				return nil, fmt.Errorf("element %d: expected a string, got %s", i, describe(e))
			}
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("expected a list or a comma-separated string for type %s, got %s", p.Type, describe(n))
	}
	out := make([]any, len(items))
	for i, s := range items {
		if err := checkParameter(p, s, p.Type == "List<Number>"); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// checkParameter validates one value (or one member of a list) against the declaration.
func checkParameter(p Parameter, s string, number bool) error {
	fail := func(format string, args ...any) error {
		err := fmt.Errorf(format, args...)
		if p.ConstraintDescription != "" {
			err = fmt.Errorf("%w (%s)", err, p.ConstraintDescription)
		}
		return err
	}
	var f float64
	if number {
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return fail("value %q is not a number", s)
		}
	}
	if len(p.AllowedValues) > 0 {
		allowed := make([]string, 0, len(p.AllowedValues))
		for _, a := range p.AllowedValues {
			if as, ok := scalarString(a); ok {
				allowed = append(allowed, as)
			}
		}
		if !slices.Contains(allowed, s) {
			return fail("value %q is not one of the allowed values %q", s, allowed)
		}
	}
	if p.AllowedPattern != "" {
		re, err := regexp.Compile("^(?:" + p.AllowedPattern + ")$")
		if err != nil {
			return fmt.Errorf("AllowedPattern %q: %w", p.AllowedPattern, err)
		}
		if !re.MatchString(s) {
			return fail("value %q does not match AllowedPattern %q", s, p.AllowedPattern)
		}
	}
	n := utf8.RuneCountInString(s)
	if p.MinLength != nil && n < *p.MinLength {
		return fail("value %q is shorter than MinLength %d", s, *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return fail("value %q is longer than MaxLength %d", s, *p.MaxLength)
	}
	if number && p.MinValue != nil && f < *p.MinValue {
		return fail("value %s is less than MinValue %s", s, formatNumber(*p.MinValue))
	}
	if number && p.MaxValue != nil && f > *p.MaxValue {
		return fail("value %s is greater than MaxValue %s", s, formatNumber(*p.MaxValue))
	}
	return nil
}
