// Package transform implements what EventBridge does to an event before a target gets it:
// the InputTransformer (InputPathsMap and InputTemplate) and InputPath, as the user guide
// describes them at
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html.
//
// New checks an InputPathsMap and template as PutTargets does (at most 100 paths, keys of
// [A-Za-z0-9_-], no reserved names, paths in the supported JSONPath subset: $, .name, [n],
// .* and [*]). Apply fills the template: a placeholder standing as a JSON value receives the
// value as JSON (strings quoted, objects and arrays as JSON, a path that finds nothing as
// null); a placeholder inside a quoted string receives it unescaped (strings without quotes,
// objects and arrays with their inner quotes removed, nothing for a missing path). The
// template's own text, whitespace included, is kept; the output need not be JSON.
// Reserved variables: <aws.events.rule-arn>, <aws.events.rule-name>,
// <aws.events.event.ingestion-time> (RFC 3339, UTC), <aws.events.event> (the event without
// its detail field, as the guide now documents) and <aws.events.event.json> (the whole event);
// the last two only as JSON values.
//
// Limitations:
//   - The wording of validation errors is this package's own; AWS's exact ValidationException
//     messages for InputPathsMap are not documented.
//   - Placeholders with names that are not defined are left in the output as text.
//   - A placeholder is "inside a string" when an odd number of unescaped double quotes
//     precede it; a template that is not JSON at all (no quotes) therefore gets quoted
//     strings, as the guide's "For strings, quotes are required" implies.
//   - Target-specific rendering (the CloudWatch Logs example in the guide, where strings lose
//     their quotes) is not modelled.
//   - Path wildcards collect matches into an array; filters, slices and recursive descent are
//     not supported (EventBridge does not document them either).
package transform
