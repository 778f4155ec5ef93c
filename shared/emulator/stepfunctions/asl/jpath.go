package asl

// This file is the interpreter's only door to JSONPath, Payload Templates and intrinsic
// functions. Until the jsonpath package lands it holds a minimal implementation on ojg; then
// these functions become one-line calls into shared/emulator/stepfunctions/jsonpath.

import (
	"fmt"
	"strings"

	"github.com/ohler55/ojg/jp"
)

type varLookup func(name string) (any, bool)

func jpValid(path string) error {
	if !strings.HasPrefix(path, "$") {
		return fmt.Errorf("path must start with '$'")
	}
	_, err := jp.ParseString(path)
	return err
}

// jpReference reports whether path is a Reference Path: only named fields and indexes, as
// ResultPath requires.
func jpReference(path string) bool {
	x, err := jp.ParseString(path)
	if err != nil {
		return false
	}
	for _, f := range x {
		switch f.(type) {
		case jp.Root, jp.Child, jp.Nth, jp.Bracket:
		default:
			return false
		}
	}
	return true
}

func jpDefinite(x jp.Expr) bool {
	for _, f := range x {
		switch f.(type) {
		case jp.Root, jp.Child, jp.Nth, jp.Bracket, jp.At:
		default:
			return false
		}
	}
	return true
}

// jpSelect applies path to doc. A definite path that matches nothing is an error; an
// indefinite one yields a (possibly empty) list.
func jpSelect(doc any, path string) (any, error) {
	if path == "$" {
		return doc, nil
	}
	x, err := jp.ParseString(path)
	if err != nil {
		return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': %v", path, err)}
	}
	res := x.Get(doc)
	if jpDefinite(x) {
		if len(res) == 0 {
			return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s' : No results for path: %s", path, x.String())}
		}
		return res[0], nil
	}
	if res == nil {
		res = []any{}
	}
	return res, nil
}

// jpSelectAny selects from the input ("$…"), the context object ("$$…") or a variable ("$name…").
func jpSelectAny(input, ctxObj any, vars varLookup, path string) (any, error) {
	switch {
	case strings.HasPrefix(path, "$$"):
		return jpSelect(ctxObj, path[1:])
	case path == "$" || strings.HasPrefix(path, "$.") || strings.HasPrefix(path, "$["):
		return jpSelect(input, path)
	case strings.HasPrefix(path, "$"):
		name, rest := path[1:], ""
		if i := strings.IndexAny(name, ".["); i >= 0 {
			name, rest = name[:i], name[i:]
		}
		if vars == nil {
			return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The variable '$%s' is not defined", name)}
		}
		v, ok := vars(name)
		if !ok {
			return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The variable '$%s' is not defined", name)}
		}
		return jpSelect(v, "$"+rest)
	}
	return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s'", path)}
}

// jpSet returns a copy of doc with value placed at the reference path.
func jpSet(doc any, path string, value any) (any, error) {
	if path == "$" {
		return value, nil
	}
	x, err := jp.ParseString(path)
	if err != nil {
		return nil, err
	}
	root := deepCopy(doc)
	if _, ok := root.(map[string]any); !ok {
		return nil, &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, encodeString(doc))}
	}
	cur := root
	frags := x[1:]
	for i, f := range frags {
		last := i == len(frags)-1
		switch k := f.(type) {
		case jp.Child:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, encodeString(doc))}
			}
			if last {
				m[string(k)] = value
				return root, nil
			}
			next, ok := m[string(k)].(map[string]any)
			if !ok {
				if _, exists := m[string(k)]; exists && m[string(k)] != nil {
					return nil, &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, encodeString(doc))}
				}
				next = map[string]any{}
				m[string(k)] = next
			}
			cur = next
		case jp.Nth:
			a, ok := cur.([]any)
			if !ok || int(k) < 0 || int(k) >= len(a) {
				return nil, &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, encodeString(doc))}
			}
			if last {
				a[k] = value
				return root, nil
			}
			cur = a[k]
		default:
			return nil, &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, encodeString(doc))}
		}
	}
	return root, nil
}

// jpApplyTemplate evaluates a Payload Template: fields whose name ends in ".$" take the value
// of the path or intrinsic function they name.
func jpApplyTemplate(tmpl, input, ctxObj any, vars varLookup) (any, error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			if strings.HasSuffix(k, ".$") {
				s, _ := v.(string)
				var (
					r   any
					err error
				)
				if jpIsIntrinsic(s) {
					r, err = jpCallIntrinsic(s, input, ctxObj, vars)
				} else {
					r, err = jpSelectAny(input, ctxObj, vars, s)
					if err != nil {
						if f, ok := err.(*Failure); ok && f.Name == ErrRuntime {
							err = &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", s, k, encodeString(input))}
						}
					}
				}
				if err != nil {
					return nil, err
				}
				out[strings.TrimSuffix(k, ".$")] = r
				continue
			}
			r, err := jpApplyTemplate(v, input, ctxObj, vars)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			r, err := jpApplyTemplate(v, input, ctxObj, vars)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return tmpl, nil
}

func jpIsIntrinsic(s string) bool {
	return strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")")
}

func jpValidateIntrinsic(expr string) error {
	_, err := parseIntrinsic(expr)
	return err
}

func jpCallIntrinsic(expr string, input, ctxObj any, vars varLookup) (any, error) {
	call, err := parseIntrinsic(expr)
	if err != nil {
		return nil, &Failure{Name: ErrIntrinsicFailure, Cause: err.Error()}
	}
	return call.eval(input, ctxObj, vars)
}
