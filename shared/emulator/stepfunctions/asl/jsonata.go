package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"

	jsonata "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jtypes"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/textcache"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// The functions Step Functions adds to JSONata
// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html). They are
// registered with the library's package-level registry because its per-expression registry
// would have to be rebuilt, by reflection, on every evaluation.
func init() {
	err := jsonata.RegisterExts(map[string]jsonata.Extension{
		"partition": {Func: jsonataPartition},
		"range":     {Func: jsonataRange},
		"hash":      {Func: jsonataHash},
		"random":    {Func: jsonataRandom},
		"uuid":      {Func: uuid.New},
		"parse":     {Func: jsonataParse},
		// $eval is not available in Step Functions; $parse replaces it.
		"eval": {Func: func(string) (any, error) {
			return nil, errors.New("the function $eval is not supported by Step Functions")
		}},
	})
	if err != nil {
		panic(fmt.Sprintf("register step functions jsonata functions: %v", err))
	}
}

func jsonataPartition(arr []any, size float64) ([][]any, error) {
	n := int(size)
	if n <= 0 || float64(n) != size {
		return nil, errors.New("$partition: the chunk size must be a positive integer")
	}
	out := [][]any{}
	for i := 0; i < len(arr); i += n {
		out = append(out, arr[i:min(i+n, len(arr))])
	}
	return out, nil
}

func jsonataRange(start, end float64, step jtypes.OptionalFloat64) ([]float64, error) {
	st := 1.0
	if step.IsSet() {
		st = step.Float64
	}
	if st == 0 || start != math.Trunc(start) || end != math.Trunc(end) || st != math.Trunc(st) {
		return nil, errors.New("$range: start, end and step must be integers and step non-zero")
	}
	out := []float64{}
	for v := start; (st > 0 && v <= end) || (st < 0 && v >= end); v += st {
		out = append(out, v)
		if len(out) > 1000 {
			return nil, errors.New("$range: the range must not have more than 1000 items")
		}
	}
	return out, nil
}

func jsonataHash(data, algorithm string) (string, error) {
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return "", fmt.Errorf("$hash: unsupported algorithm %q, use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", algorithm)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func jsonataRandom(seed jtypes.OptionalFloat64) float64 {
	if seed.IsSet() {
		return rand.New(rand.NewPCG(uint64(int64(seed.Float64)), 0)).Float64()
	}
	return rand.Float64()
}

func jsonataParse(s string) (any, error) {
	v, err := decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("$parse: %w", err)
	}
	return toJSONata(v), nil
}

func jsonataBody(s string) string {
	return strings.TrimSpace(s[2 : len(s)-2])
}

// compileCheck reports whether a "{% %}" string holds a valid expression.
func compileCheck(s string) error {
	body := jsonataBody(s)
	if body == "" {
		return errors.New("the expression is empty")
	}
	_, err := jsonata.Compile(body)
	return err
}

// jsonataMu serialises evaluations: the library sets the name and context of its shared
// built-in function values on every call (callable.go SetName/SetContext), a data race when
// two expressions run at once. github.com/xiatechs/jsonata-go does the same.
var jsonataMu sync.Mutex

// jsonataLibraryOnly turns the quick evaluator off: the tests that compare it with the
// library set it.
var jsonataLibraryOnly bool

// jsonataEnv is what a JSONata expression of a state sees: $states and the variables in scope.
type jsonataEnv struct {
	states map[string]any
	vars   *scope
	// converted keeps what a template's expressions were handed ("states.input", "$x"), so
	// that several expressions reading $states.input convert it once.
	converted map[string]any
}

// convert is toJSONata(v) for the value named key, once per env.
func (env *jsonataEnv) convert(key string, v any) any {
	if c, ok := env.converted[key]; ok {
		return c
	}
	c := toJSONata(v)
	if env.converted == nil {
		env.converted = map[string]any{}
	}
	env.converted[key] = c
	return c
}

// compiledJSONata is a parsed expression kept for every evaluation of the same text, with
// the variables it names (found by scanning the text), so that an evaluation converts and
// registers only those instead of every variable in scope and all of $states.
type compiledJSONata struct {
	e *jsonata.Expr
	// names are the "$name" references other than $states; states the members of $states
	// the expression reads ($states.input …), or nil when it reads $states as a whole.
	names     []string
	states    []string
	allStates bool
	// registered are the names ever registered on e: the library keeps a registered
	// variable, so one that is out of scope now is registered again as undefined.
	registered map[string]bool
	// path is set when the whole expression is a variable followed by field names
	// ("$order.customer.email", "$states.input.item_id"): see evalPath.
	path []string
	// concat is set when the expression joins string literals and such paths with "&", or is
	// $string of one path ("'ITEM#' & $states.input.item_id", "$string($order.total)"): see
	// evalConcat.
	concat []concatTerm
	// quick is set when the quick evaluator takes the expression (jsonata_quick.go); quickOff
	// once a variable named like a function it calls has been in scope.
	quick    *quickExpr
	quickOff atomic.Bool
}

// concatTerm is a string literal (path nil) or a simple path of a concatenation.
type concatTerm struct {
	lit  string
	path []string
}

// jsonataCache holds compiled expressions by their text. A definition has a fixed number of
// them; the cap only guards against a caller that generates texts without end.
var jsonataCache = textcache.Cache[*compiledJSONata]{MaxEntries: 10_000}

func compileJSONata(body string) (*compiledJSONata, error) {
	if c, ok := jsonataCache.Load(body); ok {
		return c, nil
	}
	e, err := jsonata.Compile(body)
	if err != nil {
		return nil, err
	}
	c := &compiledJSONata{e: e, registered: map[string]bool{}, path: simplePath(body), concat: simpleConcat(body), quick: compileQuick(body)}
	c.names, c.states, c.allStates = jsonataRefs(body)
	return jsonataCache.Store(body, c), nil
}

// jsonataRefs lists the variables an expression's text names: "$x" anywhere (a string
// literal that happens to hold one only costs a conversion), apart from "$$" and $states,
// whose members are listed when every use of $states is followed by ".member".
func jsonataRefs(body string) (names, states []string, allStates bool) {
	seen := map[string]bool{}
	for i := 0; i < len(body); i++ {
		if body[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(body) && isJSONataNameByte(body[j]) {
			j++
		}
		name := body[i+1 : j]
		i = j - 1
		switch {
		case name == "":
		case name == "states":
			member := ""
			if j < len(body) && body[j] == '.' {
				k := j + 1
				for k < len(body) && isJSONataNameByte(body[k]) {
					k++
				}
				member = body[j+1 : k]
			}
			if member == "" {
				allStates = true
			} else if !seen["states."+member] {
				seen["states."+member] = true
				states = append(states, member)
			}
		case !seen[name]:
			seen[name] = true
			names = append(names, name)
		}
	}
	return names, states, allStates
}

func isJSONataNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// simplePath splits an expression that is only a variable and field names ("$a", "$a.b.c",
// "$states.input.id") into its names, the variable's first; it returns nil for anything else
// ("$$", quoted names, predicates, indexes, functions, operators, spaces).
func simplePath(body string) []string {
	if len(body) < 2 || body[0] != '$' {
		return nil
	}
	names := strings.Split(body[1:], ".")
	for _, n := range names {
		if n == "" || n[0] >= '0' && n[0] <= '9' {
			return nil
		}
		for i := 0; i < len(n); i++ {
			if c := n[i]; c >= 0x80 || !isJSONataNameByte(c) {
				return nil
			}
		}
	}
	return names
}

// simpleConcat splits an expression made of string literals without escapes and simple paths
// joined by "&" (spaces allowed around it), or of $string around one simple path, into its
// terms; it returns nil for anything else, a lone path included (simplePath's).
func simpleConcat(body string) []concatTerm {
	if inner, ok := strings.CutPrefix(body, "$string("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if p := simplePath(inner); ok && p != nil {
			return []concatTerm{{path: p}}
		}
		return nil
	}
	parts := strings.Split(body, "&")
	if len(parts) < 2 {
		return nil
	}
	terms := make([]concatTerm, 0, len(parts))
	for _, part := range parts {
		part = strings.Trim(part, " ")
		if len(part) >= 2 && (part[0] == '\'' || part[0] == '"') && part[len(part)-1] == part[0] {
			lit := part[1 : len(part)-1]
			if strings.ContainsAny(lit, "\\'\"") {
				return nil
			}
			terms = append(terms, concatTerm{lit: lit})
			continue
		}
		p := simplePath(part)
		if p == nil {
			return nil
		}
		terms = append(terms, concatTerm{path: p})
	}
	return terms
}

// evalConcat evaluates a concatenation (compiledJSONata.concat) without the library, where
// every path's value is a string or an integer as the interpreter writes it (canonicalInteger),
// which JSONata's $string and "&" write as they are. ok is false for anything else (a missing
// value, which "&" reads as "", a fraction, which JSONata formats its own way, an object) and
// the library then evaluates the expression. TestEvalPathMatchesTheLibrary compares the two.
func evalConcat(terms []concatTerm, env *jsonataEnv) (string, bool) {
	var b strings.Builder
	for _, t := range terms {
		if t.path == nil {
			b.WriteString(t.lit)
			continue
		}
		v, ok := evalPath(t.path, env)
		if !ok {
			return "", false
		}
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case json.Number:
			if !canonicalInteger(string(x)) {
				return "", false
			}
			b.WriteString(string(x))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// evalPath evaluates a simple path (compiledJSONata.path) without the library, whose every
// evaluation builds an environment, registers the variables by reflection and holds
// jsonataMu: most of a state machine's expressions are such paths. It answers only where the
// result is plain field access: every step an object with the field, and the result not null
// and not an empty array. An array at the end is the result as it is: the library (like
// jsonata-js, whose last path step keeps a single array whole) neither flattens nor unwraps
// it, but answers an empty one as undefined. ok is false for anything else, a missing variable
// or field included, and the library then evaluates the expression and words its error.
// TestEvalPathMatchesTheLibrary compares the two.
func evalPath(path []string, env *jsonataEnv) (v any, ok bool) {
	if path[0] == "states" {
		if len(path) < 2 {
			return nil, false
		}
		v, ok = env.states[path[1]]
		path = path[1:]
	} else {
		v, ok = env.vars.lookup(path[0])
	}
	if !ok {
		return nil, false
	}
	// The interpreter's values are walked as they are and only the result is converted, as
	// the library's would be (toJSONata converts member by member, so this is the member of
	// the converted whole).
	for _, name := range path[1:] {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
	}
	switch x := v.(type) {
	case nil: // the library answers a null as undefined
		return nil, false
	case []any:
		if len(x) == 0 {
			return nil, false
		}
	}
	return v, true
}

// evalJSONata evaluates one "{% %}" string. Errors are States.QueryEvaluationError.
func evalJSONata(src, field string, env *jsonataEnv) (any, error) {
	c, err := compileJSONata(jsonataBody(src))
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' is invalid: %v", src, field, err)}
	}
	if c.path != nil {
		if out, ok := evalPath(c.path, env); ok {
			switch out.(type) {
			case map[string]any, []any:
				if r, ok := plainFromJSONata(out); ok { // one copy, where toJSONata and fromJSONata made two
					return r, nil
				}
			}
			return jsonataResult(src, field, toJSONata(out))
		}
	}
	if c.concat != nil {
		if out, ok := evalConcat(c.concat, env); ok {
			return out, nil
		}
	}
	if c.quick != nil && !c.quickOff.Load() && !jsonataLibraryOnly {
		if out, ok := c.evalQuick(env); ok {
			return jsonataResult(src, field, out)
		}
	}
	return c.evalWithLibrary(src, field, env)
}

// statesFor is $states as an evaluation of c sees it: the members it reads, converted, or all of
// them when it reads $states as a whole; nil when it does not read $states.
func (c *compiledJSONata) statesFor(env *jsonataEnv) map[string]any {
	if c.allStates {
		st := make(map[string]any, len(env.states))
		for m, v := range env.states {
			st[m] = env.convert("states."+m, v)
		}
		return st
	}
	if len(c.states) == 0 {
		return nil
	}
	st := make(map[string]any, len(c.states))
	for _, m := range c.states {
		if v, ok := env.states[m]; ok {
			st[m] = env.convert("states."+m, v)
		}
	}
	return st
}

// evalWithLibrary evaluates c with the JSONata library.
func (c *compiledJSONata) evalWithLibrary(src, field string, env *jsonataEnv) (any, error) {
	vars := make(map[string]any, len(c.names)+1)
	if st := c.statesFor(env); st != nil {
		vars["states"] = st
	}
	for _, name := range c.names {
		if v, ok := env.vars.lookup(name); ok {
			vars[name] = env.convert("$"+name, v)
		}
	}
	jsonataMu.Lock()
	for _, name := range c.names {
		if _, ok := vars[name]; !ok && c.registered[name] {
			vars[name] = nil // out of scope now: undefined, not the last evaluation's value
		}
	}
	if err := c.e.RegisterVars(vars); err != nil {
		jsonataMu.Unlock()
		return nil, &Failure{Name: ErrQueryEvaluationError, Cause: err.Error()}
	}
	for name := range vars {
		c.registered[name] = true
	}
	out, err := evalLibrary(c.e)
	jsonataMu.Unlock()
	if errors.Is(err, jsonata.ErrUndefined) {
		return nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", src, field)}
	}
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("An error occurred while evaluating the JSONata expression '%s' specified for the field '%s': %v", src, field, err)}
	}
	return jsonataResult(src, field, out)
}

// evalLibrary evaluates e, turning a panic of the library into an error: it panics on some
// expressions over nested arrays (reflect: call of reflect.Value.Len on interface Value, in
// evalOverArray, e.g. a filter whose path maps over an array of arrays), which would otherwise
// end the whole emulator.
func evalLibrary(e *jsonata.Expr) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("the JSONata library failed: %v", p)
		}
	}()
	return e.Eval(nil)
}

// jsonataResult converts an expression's result to the interpreter's values.
func jsonataResult(src, field string, out any) (any, error) {
	v, err := fromJSONata(out)
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned a value JSON cannot hold: %v", src, field, err)}
	}
	return v, nil
}

// evalJSONataTemplate evaluates every "{% %}" string in v, at any depth. Objects and arrays of
// the template without an expression inside are the result as they are (a definition's values
// are never changed, like the interpreter's: see toJSONata).
func evalJSONataTemplate(v any, field string, env *jsonataEnv) (any, error) {
	out, _, err := evalTemplate(v, field, env)
	return out, err
}

// evalTemplate is evalJSONataTemplate, also reporting whether v held an expression.
func evalTemplate(v any, field string, env *jsonataEnv) (out any, evaluated bool, err error) {
	switch t := v.(type) {
	case string:
		if isJSONataString(t) {
			r, err := evalJSONata(t, field, env)
			return r, true, err
		}
		return t, false, nil
	case map[string]any:
		m, evaluated, err := rebuildMap(t, func(_ string, e any) (any, bool, error) { return evalTemplate(e, field, env) })
		if err != nil {
			return nil, false, err
		}
		return m, evaluated, nil
	case []any:
		a, evaluated, err := rebuildSlice(t, func(e any) (any, bool, error) { return evalTemplate(e, field, env) })
		if err != nil {
			return nil, false, err
		}
		return a, evaluated, nil
	}
	return v, false, nil
}
