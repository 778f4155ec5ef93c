// Package vtl renders API Gateway REST API mapping templates: the Velocity Template Language
// (Apache Velocity 1.7, which API Gateway runs) with API Gateway's $input, $util, $context and
// $stageVariables. Parse a template once, then Render it for each request:
//
//	t, err := vtl.Parse("POST /orders", text)
//	out, err := t.Render(vtl.Input{Body: body, Path: map[string]string{"id": "42"}})
//
// Render returns the text and the $context.requestOverride / $context.responseOverride values
// the template set, for the caller to apply.
//
// The dialect, with where each rule comes from:
//   - Velocity 1.7 (https://velocity.apache.org/engine/1.7/user-guide.html and its grammar):
//     $ref, $!ref, ${ref}, $!{ref}; properties, methods and [index] on references; #set, #if,
//     #elseif, #else, #foreach with $foreach.hasNext/index/count/first/last, $velocityCount and $velocityHasNext,
//     #break, #stop, #define, #macro, ## and #* *# comments, #[[ ]]# text; ranges, list and map
//     literals; arithmetic, comparison and logical operators (also and/or/not, eq/ne/lt/gt/le/ge).
//     Identifiers may contain '-' ($a-1 is one name), as in 1.7. A reference without a value
//     prints as written; $!ref prints nothing. A #set whose right side is null leaves the
//     variable unchanged. Only #set swallows the spaces before it on its line; the line break
//     after a directive's closing parenthesis, #else and #end is swallowed. In string literals a
//     doubled quote stands for one and a backslash is an ordinary character, except that a
//     double-quoted literal turns \uXXXX into its character before it interpolates (1.7's
//     ASTStringLiteral.unescape; a \u without four hex digits fails to parse). Integers divide as integers; a division by zero is null; + with a
//     string concatenates, a null side standing as its source text ("x" + $nope is "x$nope"). A range [n..m] needs numbers at both ends, else it is null. In #if, null and false are false and everything else (even "") true.
//     == compares numbers by value and objects of different types by their toString.
//   - $input (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
//     body, json(path), path(path), params(), params(name) looking in path, then query string,
//     then headers (case-sensitively, as the known-issues page says), "" when absent. An empty
//     payload reads as {} (LocalStack measured this against AWS for $input.body:
//     https://github.com/localstack/localstack/pull/12413; the engine applies it to json and
//     path too).
//   - Java rendering: a map from $input.path or a literal prints as {key=value, k2=v2}; a list
//     from $input.path or $util.parseJson prints as compact JSON (json-smart's JSONArray), other
//     lists as [a, b] (https://github.com/localstack/localstack/pull/12379 observed both on AWS).
//     JSON integers print without a fraction, other numbers as Java's Double.toString (249.99,
//     1.0, 1.0E7), following the petstore example's output.
//   - $util: escapeJavaScript as Apache Commons Lang's (quotes, backslash and '/' escaped,
//     characters below 0x20 and above 0x7F as \uXXXX or their short escapes, DEL kept), parseJson, urlEncode/urlDecode as Java's URLEncoder/URLDecoder,
//     base64Encode/base64Decode over UTF-8.
//   - Overrides are final (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html):
//     setting one twice is an *OverrideError.
//
// Limitations:
//   - Velocity macros bind arguments by value (Velocity 1.7 passes them by name) and #macro may
//     be used before its definition; #include, #parse, #evaluate and #literal are not supported.
//   - Java methods are the common String, List, Map, Number and Boolean ones; reflection
//     ($x.class), static calls and String.format are not. Java regular expressions run on Go's
//     RE2, so back-references and look-around fail with an error. String.split returns a list
//     that prints as [a, b] where Java would print an array's identity.
//   - JSONPath is the subset $, .name, ['name'], [n], [*], .*, ..name, slices [a:b] and index
//     lists [a,b] of Jayway JsonPath (which the reference page names); filters, slice steps,
//     multi-name selectors and functions such as length() are rejected with an error. A missing path is null for $input.path and "null" for $input.json
//     (AWS's answer here is not documented).
//   - $input.json and $input.path share one parse of the payload per Render, so a template that
//     changes what $input.path returned sees the change in a later call. A payload that starts
//     like JSON but does not parse is a *BodyError; other text reads as one string, as
//     json-smart's permissive mode does.
//   - Multi-value headers and query strings are not modelled; $input.params() lists each map's
//     keys in sorted order, not the order the client sent them.
//   - No limits on template size, loop iterations or output length.
package vtl
