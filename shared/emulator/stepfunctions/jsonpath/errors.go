package jsonpath

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ASL error names this package reports.
const (
	ErrRuntime                = "States.Runtime"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrQueryEvaluation        = "States.QueryEvaluationError"
)

// Error is an ASL runtime error: Name is the error name a Catch or Retry matches on, Cause the
// text AWS puts in the execution history. The interpreter prefixes Cause with the state's name.
type Error struct{ Name, Cause string }

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// PathError reports a path that matched nothing. Its message follows the Jayway JsonPath texts
// Step Functions quotes: "No results for path: $['a']['b']" when the last step is missing,
// "Missing property in path $['a']" when an earlier one is.
type PathError struct {
	Path    string // the path as written
	At      string // the normalized path up to and including the step that failed
	Missing bool   // an intermediate step was missing (rather than the leaf)
}

func (e *PathError) Error() string {
	if e.Missing {
		return "Missing property in path " + e.At
	}
	return "No results for path: " + e.At
}

// InvalidPath is the cause Step Functions gives when InputPath, OutputPath or a *Path field of a
// state (TimeoutSecondsPath…) matches nothing: "Invalid path '$.x' : No results for path: $['x']".
func (e *PathError) InvalidPath() *Error {
	return &Error{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s' : %s", e.Path, e.Error())}
}

// ForField is the cause Step Functions gives when a payload template field ("x.$"), ItemsPath,
// ErrorPath or CausePath matches nothing:
// "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{...}'".
func (e *PathError) ForField(field string, input any) *Error {
	return fieldNotFound(e.Path, field, input)
}

func fieldNotFound(path, field string, input any) *Error {
	return &Error{Name: ErrRuntime, Cause: fmt.Sprintf(
		"The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
		path, field, Compact(input))}
}

// Compact renders v as compact JSON the way Step Functions prints inputs in causes and in
// States.JsonToString: no spaces, no HTML escaping.
func Compact(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func intrinsicErr(format string, args ...any) *Error {
	return &Error{Name: ErrIntrinsicFailure, Cause: fmt.Sprintf(format, args...)}
}
