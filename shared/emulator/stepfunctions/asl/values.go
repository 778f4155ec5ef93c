package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/jsonvalue"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

// maxPayload is the 256 KiB limit on state input, output and results
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
const maxPayload = 256 * 1024

// decode parses JSON the way the jsonpath package expects its documents: numbers as json.Number.
func decode(b []byte) (any, error) {
	if v, ok := jsonvalue.Parse(b); ok {
		return v, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// encode marshals v compactly and without HTML escaping, as Step Functions prints payloads.
// The interpreter's own JSON types are written directly, which is most of the cost of
// recording history; anything else goes through encoding/json.
func encode(v any) []byte {
	b, ok := appendJSON(make([]byte, 0, 256), v)
	if ok {
		return b
	}
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// EncodeJSON is encode for the service integrations: the JSON Step Functions hands to a
// service, compact, object keys sorted, HTML characters unescaped as in the payloads of an
// execution's history (encoding/json's Marshal escaped them as \u003c…, the same JSON value).
func EncodeJSON(v any) []byte { return encode(v) }

// appendJSON appends v as encoding/json would (object keys sorted), reporting false for a
// type it does not know.
func appendJSON(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, x), true
	case string:
		return appendString(b, x), true
	case json.Number:
		if x == "" {
			return append(b, '0'), true
		}
		return append(b, x...), true
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = appendJSON(b, x[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSON(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
	return b, false
}

// dataLimitExceeded is the failure of a state whose result or output is over maxPayload.
func dataLimitExceeded(state string) *Failure {
	return &Failure{Name: ErrDataLimitExceeded, Cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", state)}
}

// encodedLen is len(encode(v)) without building it: what a size limit needs when no history
// keeps the payload.
func encodedLen(v any) int {
	if n, ok := jsonLen(v); ok {
		return n
	}
	return len(encode(v))
}

// jsonLen is the length appendJSON writes for v, false where appendJSON reports false.
func jsonLen(v any) (int, bool) {
	switch x := v.(type) {
	case nil:
		return len("null"), true
	case bool:
		if x {
			return len("true"), true
		}
		return len("false"), true
	case string:
		return stringLen(x), true
	case json.Number:
		return max(len(x), 1), true
	case map[string]any:
		n := 2 + max(len(x)-1, 0) // braces, commas
		for k, e := range x {
			en, ok := jsonLen(e)
			if !ok {
				return 0, false
			}
			n += stringLen(k) + 1 + en
		}
		return n, true
	case []any:
		n := 2 + max(len(x)-1, 0)
		for _, e := range x {
			en, ok := jsonLen(e)
			if !ok {
				return 0, false
			}
			n += en
		}
		return n, true
	}
	return 0, false
}

// stringLen is the length appendString writes for s.
func stringLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				n++
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			default:
				n += 6 // \u00XX
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// appendString quotes s the way encoding/json does with HTML escaping off.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func encodeString(v any) string { return string(encode(v)) }

// toNumber returns f as json.Number, integral values without a fraction.
func toNumber(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}

// toJSONata converts json.Number to float64, the number type the JSONata library works with.
// Objects and arrays without a number anywhere inside are handed over as they are, not copied:
// the interpreter never changes a value in place (jsonpath.Set copies along its path,
// integrations copy what they amend) and the library builds its results anew (its transform
// operator clones first), so the two may share them. A DynamoDB item's {"S": …} members are
// most of what this leaves uncopied.
func toJSONata(v any) any {
	c, _ := jsonataValue(v)
	return c
}

// jsonataValue is toJSONata, reporting whether v had to change.
func jsonataValue(v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f, true
	case map[string]any:
		m, changed, _ := rebuildMap(x, func(_ string, e any) (any, bool, error) {
			c, changed := jsonataValue(e)
			return c, changed, nil
		})
		return m, changed
	case []any:
		a, changed, _ := rebuildSlice(x, func(e any) (any, bool, error) {
			c, changed := jsonataValue(e)
			return c, changed, nil
		})
		return a, changed
	}
	return v, false
}

// rebuildMap returns x with each member replaced by what f makes of it, copying x at the
// first member f changes and not at all when it changes none: the conversions and template
// evaluations share what they leave as it is (see toJSONata). The first error ends it.
func rebuildMap(x map[string]any, f func(k string, e any) (any, bool, error)) (map[string]any, bool, error) {
	var m map[string]any
	for k, e := range x {
		c, changed, err := f(k, e)
		if err != nil {
			return nil, false, err
		}
		if !changed {
			continue
		}
		if m == nil {
			m = maps.Clone(x)
		}
		m[k] = c
	}
	if m == nil {
		return x, false, nil
	}
	return m, true, nil
}

// rebuildSlice is rebuildMap for an array.
func rebuildSlice(x []any, f func(e any) (any, bool, error)) ([]any, bool, error) {
	var a []any
	for i, e := range x {
		c, changed, err := f(e)
		if err != nil {
			return nil, false, err
		}
		if !changed {
			continue
		}
		if a == nil {
			a = slices.Clone(x)
		}
		a[i] = c
	}
	if a == nil {
		return x, false, nil
	}
	return a, true, nil
}

// fromJSONata converts a JSONata result back to the interpreter's representation by a JSON
// round trip, which also turns the library's Go types (ints, typed slices) into plain JSON ones.
func fromJSONata(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("the number %v cannot be represented in JSON", x)
		}
		return toNumber(x), nil
	case map[string]any, []any:
		// The common result, plain JSON values, converted in place of the round trip (which
		// gives the same value).
		if out, ok := plainFromJSONata(x); ok {
			return out, nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decode(b)
}

// plainFromJSONata converts v when it holds only nil, valid UTF-8 strings, booleans, float64s
// that encoding/json writes in plain decimal, map[string]any and []any; ok is false for
// anything else (the library's ints and typed slices, invalid UTF-8, NaN), which the JSON round
// trip handles or refuses. It also takes the interpreter's own values (json.Number, which the
// library never returns) as toJSONata would hand them to the library: plainFromJSONata(v) is
// then plainFromJSONata(toJSONata(v)) in one copy instead of two. Objects and arrays that need
// no change (strings, booleans, nulls and integers already written as toNumber writes them) are
// kept, not copied, as toJSONata keeps them.
func plainFromJSONata(v any) (any, bool) {
	c, _, ok := plainValue(v)
	return c, ok
}

// errNotPlain ends plainValue's walk at a member it leaves to the JSON round trip.
var errNotPlain = errors.New("not a plain JSON value")

// plainValue is plainFromJSONata, also reporting whether v had to change.
func plainValue(v any) (out any, changed, ok bool) {
	switch x := v.(type) {
	case nil, bool:
		return x, false, true
	case json.Number:
		if canonicalInteger(string(x)) {
			return x, false, true
		}
		f, err := x.Float64()
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, false, false // toJSONata makes it 0: left to the round trip, which does too
		}
		c, ok := plainFromJSONata(f)
		return c, true, ok
	case string:
		return x, false, utf8.ValidString(x)
	case float64:
		// encoding/json writes these with an exponent, or as -0: left to the round trip.
		if a := math.Abs(x); math.IsNaN(x) || math.IsInf(x, 0) || a >= 1e21 || a != 0 && a < 1e-6 || a == 0 && math.Signbit(x) {
			return nil, false, false
		}
		return toNumber(x), true, true
	case map[string]any:
		m, changed, err := rebuildMap(x, func(k string, e any) (any, bool, error) {
			c, changed, ok := plainValue(e)
			if !ok || !utf8.ValidString(k) {
				return nil, false, errNotPlain
			}
			return c, changed, nil
		})
		if err != nil {
			return nil, false, false
		}
		return m, changed, true
	case []any:
		a, changed, err := rebuildSlice(x, func(e any) (any, bool, error) {
			c, changed, ok := plainValue(e)
			if !ok {
				return nil, false, errNotPlain
			}
			return c, changed, nil
		})
		if err != nil {
			return nil, false, false
		}
		return a, changed, true
	}
	return nil, false, false
}

// canonicalInteger reports whether s is an integer as toNumber writes it: an optional minus,
// no leading zero, at most 15 digits (exact in a float64), and not "-0".
func canonicalInteger(s string) bool {
	digits := s
	if len(s) > 0 && s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && (len(digits) > 1 || len(s) > 1) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// jsonType names v's JSON type for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := jsonpath.Number(v); ok {
		return "number"
	}
	return "unknown"
}

func isJSONataString(s string) bool {
	return strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") && len(s) >= 4
}
