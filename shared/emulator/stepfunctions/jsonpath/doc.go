// Package jsonpath is the JSONPath layer of the Step Functions emulator: the paths, reference
// paths, payload templates and intrinsic functions of states whose QueryLanguage is JSONPath.
// It works on JSON decoded with encoding/json's UseNumber (map[string]any, []any, string,
// json.Number, bool, nil) and imports nothing from the interpreter.
//
// Select, SelectContext and Resolve apply a path to the state input, the context object ($$)
// or a workflow variable ($name). Paths follow Jayway JsonPath, which Step Functions uses: a
// definite path (names and single indexes) yields one node or a *PathError whose text is
// Jayway's ("No results for path: $['a']", "Missing property in path $['a']"); an indefinite
// path (wildcards, slices, deep scan, filters, unions) yields the list of its matches. Set is
// ResultPath, ValidPath checks a reference path. ApplyTemplate builds Parameters,
// ResultSelector and ItemSelector payloads; CallIntrinsic evaluates the States.* functions.
//
// Errors that an execution reports are *Error values carrying the ASL error name and the cause
// texts AWS writes in the execution history, without the "An error occurred while executing
// the state 'X' (entered at the event id #N). " prefix, which the interpreter adds:
// PathError.InvalidPath for InputPath and OutputPath, PathError.ForField (and SelectField) for
// template fields, ItemsPath, ErrorPath and CausePath.
//
// Limitations:
//   - Objects are Go maps, so member order is lost: wildcards and deep scans over objects, the
//     object text States.Format and States.JsonToString produce and JsonMerge results list
//     members in key order, where AWS keeps the input's order.
//   - Filters support comparisons (== != < <= > >=), =~ with /regex/, existence, && || ! and
//     parentheses on @ and $ paths; Jayway's in, nin, subsetof, anyof, noneof, size, empty and
//     path functions such as length() are not supported; slices take no step.
//   - States.MathRandom with a seed is deterministic, but not the same sequence as AWS's.
//   - The intrinsic failure causes (States.IntrinsicFailure) and the ResultPath failure cause
//     are this package's wording; AWS's exact texts for those are not documented.
//   - States.Hash accepts only a string to hash.
//   - Payload-size limits (256 KiB) are the interpreter's to enforce.
package jsonpath
