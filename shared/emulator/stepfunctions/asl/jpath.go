package asl

// This file is the interpreter's door to JSONPath, payload templates and intrinsic functions,
// which the jsonpath package implements; it turns that package's errors into Failures.

import (
	"errors"
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

type varLookup = func(name string) (any, bool)

// pathFailure converts a jsonpath error into the Failure an execution reports.
func pathFailure(err error) error {
	if err == nil {
		return nil
	}
	var je *jsonpath.Error
	if errors.As(err, &je) {
		return &Failure{Name: je.Name, Cause: je.Cause}
	}
	var pe *jsonpath.PathError
	if errors.As(err, &pe) {
		f := pe.InvalidPath()
		return &Failure{Name: f.Name, Cause: f.Cause}
	}
	return &Failure{Name: ErrRuntime, Cause: err.Error()}
}

// jpValid checks a Path: on the input, the context object ("$$") or a variable ("$name").
func jpValid(path string) error { return jsonpath.Validate(path) }

// jpReference reports whether path is a Reference Path, as ResultPath requires.
func jpReference(path string) bool { return jsonpath.ValidPath(path) == nil }

// jpSelect applies path to doc.
func jpSelect(doc any, path string) (any, error) {
	if path == "$" {
		return doc, nil
	}
	v, err := jsonpath.Select(doc, path)
	return v, pathFailure(err)
}

// jpSelectAny selects from the input ("$…"), the context object ("$$…") or a variable ("$name…").
func jpSelectAny(input, ctxObj any, vars varLookup, path string) (any, error) {
	if path == "$" {
		return input, nil
	}
	v, err := jsonpath.Resolve(path, input, ctxObj, vars)
	return v, pathFailure(err)
}

// jpSelectField is jpSelectAny for a named field, whose not-found cause names the field.
func jpSelectField(input, ctxObj any, vars varLookup, path, field string) (any, error) {
	v, err := jsonpath.SelectField(path, field, input, ctxObj, vars)
	return v, pathFailure(err)
}

// jpSet returns a copy of doc with value placed at the reference path.
func jpSet(doc any, path string, value any) (any, error) {
	if path == "$" {
		return value, nil
	}
	v, err := jsonpath.Set(doc, path, value)
	return v, pathFailure(err)
}

// jpApplyTemplate evaluates a Payload Template.
func jpApplyTemplate(tmpl, input, ctxObj any, vars varLookup) (any, error) {
	v, err := jsonpath.ApplyTemplate(tmpl, input, ctxObj, vars)
	return v, pathFailure(err)
}

func jpIsIntrinsic(s string) bool { return jsonpath.IsIntrinsic(s) }

func jpValidateIntrinsic(expr string) error { return jsonpath.ValidateIntrinsic(expr) }

func jpCallIntrinsic(expr string, input, ctxObj any, vars varLookup) (any, error) {
	v, err := jsonpath.CallIntrinsic(expr, input, ctxObj, vars)
	switch {
	case err == nil:
		return v, nil
	case errors.As(err, new(*jsonpath.Error)), errors.As(err, new(*jsonpath.PathError)):
		return nil, pathFailure(err)
	}
	return nil, &Failure{Name: ErrIntrinsicFailure, Cause: fmt.Sprintf("%s: %v", expr, err)}
}
