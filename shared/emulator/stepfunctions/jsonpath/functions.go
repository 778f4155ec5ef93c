package jsonpath

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// spec describes one intrinsic function: its argument count (max -1 for any number), an
// optional definition-time check of literal arguments, and its implementation.
type spec struct {
	min, max int
	check    func(*call) error
	fn       func(name string, args []value) (any, error)
}

func (s spec) arity() string {
	switch {
	case s.max < 0:
		return fmt.Sprintf("at least %d argument(s)", s.min)
	case s.min == s.max:
		return fmt.Sprintf("exactly %d argument(s)", s.min)
	}
	return fmt.Sprintf("%d to %d arguments", s.min, s.max)
}

// Limits from the intrinsic functions page.
const (
	maxRangeItems   = 1000
	maxBase64Chars  = 10000
	maxHashChars    = 10000
	minMathAddValue = math.MinInt32
	maxMathAddValue = math.MaxInt32
)

var functions map[string]spec

func init() {
	functions = map[string]spec{
		"States.Format":         {min: 1, max: -1, check: checkFormat, fn: fnFormat},
		"States.StringToJson":   {min: 1, max: 1, check: literalKinds(kString), fn: fnStringToJSON},
		"States.JsonToString":   {min: 1, max: 1, fn: fnJSONToString},
		"States.Array":          {min: 0, max: -1, fn: fnArray},
		"States.ArrayPartition": {min: 2, max: 2, check: literalKinds(kArray, kNumber), fn: fnArrayPartition},
		"States.ArrayContains":  {min: 2, max: 2, check: literalKinds(kArray, kAny), fn: fnArrayContains},
		"States.ArrayRange":     {min: 3, max: 3, check: literalKinds(kNumber, kNumber, kNumber), fn: fnArrayRange},
		"States.ArrayGetItem":   {min: 2, max: 2, check: literalKinds(kArray, kNumber), fn: fnArrayGetItem},
		"States.ArrayLength":    {min: 1, max: 1, check: literalKinds(kArray), fn: fnArrayLength},
		"States.ArrayUnique":    {min: 1, max: 1, check: literalKinds(kArray), fn: fnArrayUnique},
		"States.Base64Encode":   {min: 1, max: 1, check: literalKinds(kString), fn: fnBase64Encode},
		"States.Base64Decode":   {min: 1, max: 1, check: literalKinds(kString), fn: fnBase64Decode},
		"States.Hash":           {min: 2, max: 2, check: checkHash, fn: fnHash},
		"States.JsonMerge":      {min: 3, max: 3, check: checkJSONMerge, fn: fnJSONMerge},
		"States.MathRandom":     {min: 2, max: 3, check: literalKinds(kNumber, kNumber, kNumber), fn: fnMathRandom},
		"States.MathAdd":        {min: 2, max: 2, check: literalKinds(kNumber, kNumber), fn: fnMathAdd},
		"States.StringSplit":    {min: 2, max: 2, check: literalKinds(kString, kString), fn: fnStringSplit},
		"States.UUID":           {min: 0, max: 0, fn: fnUUID},
	}
}

type kind uint8

const (
	kAny kind = iota
	kString
	kNumber
	kArray
	kBool
)

func (k kind) String() string {
	return [...]string{"any value", "a string", "a number", "an array", "a boolean"}[k]
}

// literalKinds rejects, at definition time, literal arguments of the wrong type. Arrays can
// only come from paths or nested calls, so a literal where an array is expected is an error.
func literalKinds(kinds ...kind) func(*call) error {
	return func(c *call) error {
		for i, a := range c.args {
			if i >= len(kinds) || a.path != nil || a.call != nil {
				continue
			}
			if !isKind(a.literal, kinds[i]) {
				return fmt.Errorf("%s: argument %d must be %s, got %s", c.name, i+1, kinds[i], describe(a.literal))
			}
		}
		return nil
	}
}

func isKind(v any, k kind) bool {
	switch k {
	case kString:
		_, ok := v.(string)
		return ok
	case kNumber:
		_, ok := Number(v)
		return ok
	case kArray:
		_, ok := v.([]any)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	}
	return true
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if _, ok := Number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func argErr(name string, i int, want kind, got any) error {
	return intrinsicErr("Invalid arguments in %s: argument %d must be %s, got %s (%s)",
		name, i+1, want, describe(got), Compact(got))
}

// Number reads a JSON number in any of the representations that reach the interpreter:
// json.Number (documents are decoded with UseNumber), float64, int and int64. The asl package
// uses it too.
func Number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// javaRound rounds half up, like java.lang.Math.round: 2.5 → 3, -2.5 → -2. AWS rounds
// non-integer arguments this way (recorded MathAdd results: 1.5 → 2, -1.5 → -1).
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

// intArg reads argument i as an integer, rounding non-integers to the nearest integer as the
// intrinsic functions page documents for the numeric functions.
func intArg(name string, args []value, i int) (int64, error) {
	f, ok := Number(args[i].v)
	if !ok {
		return 0, argErr(name, i, kNumber, args[i].v)
	}
	r := javaRound(f)
	if r > math.MaxInt64/2 || r < math.MinInt64/2 {
		return 0, intrinsicErr("Invalid arguments in %s: argument %d is out of range", name, i+1)
	}
	return int64(r), nil
}

func num(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func parseNumber(s string) (json.Number, error) {
	n := json.Number(s)
	if _, err := n.Float64(); err != nil {
		return "", fmt.Errorf("bad number %q", s)
	}
	return n, nil
}

func checkFormat(c *call) error {
	a := c.args[0]
	if a.path != nil || a.call != nil {
		return nil
	}
	if a.str == nil {
		return fmt.Errorf("States.Format: argument 1 must be a string, got %s", describe(a.literal))
	}
	if len(a.str.holes) != len(c.args)-1 {
		return fmt.Errorf("States.Format: the format string has %d placeholder(s) but %d argument(s) follow it",
			len(a.str.holes), len(c.args)-1)
	}
	return nil
}

func fnFormat(name string, args []value) (any, error) {
	tmpl, ok := args[0].v.(string)
	if !ok {
		return nil, argErr(name, 0, kString, args[0].v)
	}
	var holes []int
	if args[0].lit != nil {
		holes = args[0].lit.holes
	} else {
		for i := 0; ; {
			j := strings.Index(tmpl[i:], "{}")
			if j < 0 {
				break
			}
			holes = append(holes, i+j)
			i += j + 2
		}
	}
	if len(holes) != len(args)-1 {
		return nil, intrinsicErr("Invalid arguments in %s: the format string has %d placeholder(s) but %d argument(s) follow it",
			name, len(holes), len(args)-1)
	}
	var b strings.Builder
	last := 0
	for i, h := range holes {
		b.WriteString(tmpl[last:h])
		formatValue(&b, args[i+1].v)
		last = h + 2
	}
	b.WriteString(tmpl[last:])
	return b.String(), nil
}

// formatValue renders a value the way States.Format does on AWS, which is Java's toString of
// the decoded JSON: strings bare, objects as {a=1, b=[]}, arrays as [1, x].
func formatValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteString(string(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			formatValue(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			formatValue(b, x[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, x)
	}
}

func fnStringToJSON(name string, args []value) (any, error) {
	s, ok := args[0].v.(string)
	if !ok {
		return nil, argErr(name, 0, kString, args[0].v)
	}
	// AWS returns null for an empty or blank string rather than failing.
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, intrinsicErr("Invalid arguments in %s: the string is not valid JSON: %v", name, err)
	}
	if dec.More() {
		return nil, intrinsicErr("Invalid arguments in %s: the string holds more than one JSON value", name)
	}
	return normalizeNumbers(v), nil
}

// normalizeNumbers turns -0 into 0, as AWS prints it.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if x == "-0" {
			return json.Number("0")
		}
	case []any:
		for i := range x {
			x[i] = normalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeNumbers(x[k])
		}
	}
	return v
}

func fnJSONToString(_ string, args []value) (any, error) {
	return Compact(args[0].v), nil
}

func fnArray(_ string, args []value) (any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.v
	}
	return out, nil
}

func arrayArg(name string, args []value, i int) ([]any, error) {
	a, ok := args[i].v.([]any)
	if !ok {
		return nil, argErr(name, i, kArray, args[i].v)
	}
	return a, nil
}

func fnArrayPartition(name string, args []value) (any, error) {
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	size, err := intArg(name, args, 1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, intrinsicErr("Invalid arguments in %s: the chunk size must be a positive integer, got %d", name, size)
	}
	out := make([]any, 0, (len(a)+int(size)-1)/int(size))
	for i := 0; i < len(a); i += int(size) {
		end := min(i+int(size), len(a))
		out = append(out, append([]any(nil), a[i:end]...))
	}
	return out, nil
}

func fnArrayContains(name string, args []value) (any, error) {
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if equal(e, args[1].v) {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(name string, args []value) (any, error) {
	var n [3]int64
	for i := range n {
		v, err := intArg(name, args, i)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, intrinsicErr("Invalid arguments in %s: the step must not be zero", name)
	}
	count := int64(0)
	if (step > 0 && start <= end) || (step < 0 && start >= end) {
		count = (end-start)/step + 1
	}
	if count > maxRangeItems {
		return nil, intrinsicErr("Invalid arguments in %s: the range has %d elements, more than the limit of %d",
			name, count, maxRangeItems)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = num(start + int64(i)*step)
	}
	return out, nil
}

func fnArrayGetItem(name string, args []value) (any, error) {
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	f, ok := Number(args[1].v)
	if !ok || f != math.Trunc(f) {
		return nil, intrinsicErr("Invalid arguments in %s: the index must be an integer, got %s", name, Compact(args[1].v))
	}
	if f < 0 || f >= float64(len(a)) {
		return nil, intrinsicErr("Invalid arguments in %s: index %s is out of bounds for an array of length %d",
			name, Compact(args[1].v), len(a))
	}
	return a[int(f)], nil
}

func fnArrayLength(name string, args []value) (any, error) {
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	return num(int64(len(a))), nil
}

func fnArrayUnique(name string, args []value) (any, error) {
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(a))
next:
	for _, e := range a {
		for _, seen := range out {
			if equal(seen, e) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func stringArg(name string, args []value, i, limit int) (string, error) {
	s, ok := args[i].v.(string)
	if !ok {
		return "", argErr(name, i, kString, args[i].v)
	}
	if limit > 0 && utf8.RuneCountInString(s) > limit {
		return "", intrinsicErr("Invalid arguments in %s: the input has %d characters, more than the limit of %d",
			name, utf8.RuneCountInString(s), limit)
	}
	return s, nil
}

func fnBase64Encode(name string, args []value) (any, error) {
	s, err := stringArg(name, args, 0, maxBase64Chars)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(name string, args []value) (any, error) {
	s, err := stringArg(name, args, 0, maxBase64Chars)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, intrinsicErr("Invalid arguments in %s: the input is not valid Base64: %v", name, err)
	}
	return string(b), nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func checkHash(c *call) error {
	if err := literalKinds(kString, kString)(c); err != nil {
		return err
	}
	if a := c.args[1]; a.str != nil {
		if _, ok := hashes[a.str.text]; !ok {
			return fmt.Errorf("States.Hash: unsupported algorithm %q (MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", a.str.text)
		}
	}
	return nil
}

func fnHash(name string, args []value) (any, error) {
	s, err := stringArg(name, args, 0, maxHashChars)
	if err != nil {
		return nil, err
	}
	alg, ok := args[1].v.(string)
	if !ok {
		return nil, argErr(name, 1, kString, args[1].v)
	}
	h, ok := hashes[alg]
	if !ok {
		return nil, intrinsicErr("Invalid arguments in %s: unsupported algorithm %q (MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", name, alg)
	}
	sum := h()
	sum.Write([]byte(s))
	return hex.EncodeToString(sum.Sum(nil)), nil
}

func checkJSONMerge(c *call) error {
	if err := literalKinds(kAny, kAny, kBool)(c); err != nil {
		return err
	}
	for i := 0; i < 2; i++ {
		if a := c.args[i]; a.path == nil && a.call == nil {
			return fmt.Errorf("States.JsonMerge: argument %d must be an object, got %s", i+1, describe(a.literal))
		}
	}
	if a := c.args[2]; a.path == nil && a.call == nil && a.literal == true {
		return fmt.Errorf("States.JsonMerge: deep merging is not supported; the third argument must be false")
	}
	return nil
}

func fnJSONMerge(name string, args []value) (any, error) {
	var objs [2]map[string]any
	for i := range objs {
		m, ok := args[i].v.(map[string]any)
		if !ok {
			return nil, intrinsicErr("Invalid arguments in %s: argument %d must be an object, got %s", name, i+1, describe(args[i].v))
		}
		objs[i] = m
	}
	deep, ok := args[2].v.(bool)
	if !ok {
		return nil, argErr(name, 2, kBool, args[2].v)
	}
	if deep {
		return nil, intrinsicErr("Invalid arguments in %s: deep merging is not supported; the third argument must be false", name)
	}
	out := make(map[string]any, len(objs[0])+len(objs[1]))
	for _, m := range objs {
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func fnMathRandom(name string, args []value) (any, error) {
	start, err := intArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	end, err := intArg(name, args, 1)
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, intrinsicErr("Invalid arguments in %s: the end (%d) must be greater than the start (%d)", name, end, start)
	}
	var r *mrand.Rand
	if len(args) == 3 {
		seed, err := intArg(name, args, 2)
		if err != nil {
			return nil, err
		}
		r = mrand.New(mrand.NewPCG(uint64(seed), 0))
	} else {
		r = mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64()))
	}
	// start is inclusive and end exclusive, as documented.
	return num(start + r.Int64N(end-start)), nil
}

func fnMathAdd(name string, args []value) (any, error) {
	var sum int64
	for i := range 2 {
		n, err := intArg(name, args, i)
		if err != nil {
			return nil, err
		}
		if n < minMathAddValue || n > maxMathAddValue {
			return nil, intrinsicErr("Invalid arguments in %s: argument %d (%d) is outside the range -2147483648 to 2147483647",
				name, i+1, n)
		}
		sum += n
	}
	return num(sum), nil
}

func fnStringSplit(name string, args []value) (any, error) {
	s, err := stringArg(name, args, 0, 0)
	if err != nil {
		return nil, err
	}
	delims, err := stringArg(name, args, 1, 0)
	if err != nil {
		return nil, err
	}
	// Every character of the second argument is a delimiter and empty pieces are dropped
	// (AWS: ",,,," splits into []).
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnUUID(string, []value) (any, error) { return uuid.New(), nil }
