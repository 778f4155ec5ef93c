// Package pattern implements Amazon EventBridge's event-pattern language: Compile checks a
// pattern as PutRule does and Match tells whether an event matches it.
//
// The language is the one the EventBridge user guide documents
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
// eb-create-pattern-operators.html): exact strings, numbers, booleans and null; nested
// objects; prefix and suffix (also with equals-ignore-case); equals-ignore-case; wildcard;
// anything-but over a value, a list, prefix, suffix, equals-ignore-case or wildcard; numeric
// ranges; exists; cidr for IPv4 and IPv6; and $or. Fields of a pattern are ANDed, the values
// in a field's array are ORed, and an array in the event matches if any element does.
// Where the guide is silent the package follows event-ruler (github.com/aws/event-ruler), the
// engine EventBridge matches with: its error wording, anything-but letting values of another
// type through, and array consistency (fields of one pattern object must be found in the same
// element of an event array).
//
// Events are decoded values as encoding/json makes them; ParseEvent decodes with UseNumber so
// that numbers keep their text, and MatchValue also accepts float64. Numbers always compare
// numerically: 3.0 equals 3 and 3e2 equals 300. A compiled Pattern is immutable and may be
// shared between goroutines.
//
// Invalid patterns give an *InvalidPatternError whose Error() is the message AWS returns with
// InvalidEventPatternException: "Event pattern is not valid. Reason: ...".
//
// Limitations:
//   - AWS appends the parser's position ("at [Source: ...; line: 1, column: 40]") to the
//     reason; this package does not. JSON syntax errors carry Go's wording, not Jackson's.
//   - Wildcard complexity: EventBridge refuses wildcard patterns it judges too complex
//     ("Rule is too complex") by a measure AWS does not publish; this package never does.
//     It only caps $or expansion at 10,000 alternatives, a number of its own.
//   - exists:false is checked against the whole enclosing object (or, for a pattern object
//     made only of absences, every element of an enclosing array); event-ruler decides it
//     against the fields matched so far in key order, which can differ in corner cases with
//     arrays.
//   - Keys containing dots are not joined with nested keys: {"a.b": [1]} does not match
//     {"a": {"b": 1}} as it happens to in event-ruler.
//   - Numbers in events are compared as float64 (about 15 significant digits); numeric
//     ranges ignore event numbers outside ±5.0e9 as the documented limits imply, while exact
//     numeric values compare at any size.
//   - Case-insensitive comparisons use Unicode simple case folding.
package pattern
