package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// InvalidPatternError is what EventBridge reports as InvalidEventPatternException.
// Reason is the part after "Reason: ", worded as AWS words it.
type InvalidPatternError struct {
	Reason string
}

func (e *InvalidPatternError) Error() string {
	return "Event pattern is not valid. Reason: " + e.Reason
}

func invalid(format string, args ...any) error {
	return &InvalidPatternError{Reason: fmt.Sprintf(format, args...)}
}

// maxSubRules bounds how far nested $or may multiply out. AWS documents no number; this only
// keeps a pathological pattern from exhausting memory in the emulator.
const maxSubRules = 10000

// Numeric operands are limited as the EventBridge guide documents: ±5.0e9, six decimals.
const (
	numericLimit    = 5e9
	numericDecimals = 6
)

// reservedInOr are the names event-ruler, EventBridge's matching engine, refuses as field names
// inside $or, because they are (or are kept for future) operators.
var reservedInOr = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true,
	"in-date-range": true, "ip-address-in-range": true, "ip-address-not-in-range": true,
}

// entry is one leaf of a flattened sub-rule: the field path and what its value must be.
type entry struct {
	path []string
	leaf *leaf
}

// subRule is one alternative after $or has been multiplied out.
type subRule []entry

func (r subRule) put(path []string, l *leaf) subRule {
	for i, e := range r {
		if equalPath(e.path, path) {
			// A repeated key replaces the earlier one, as in the engine.
			r[i].leaf = l
			return r
		}
	}
	return append(r, entry{path: path, leaf: l})
}

func equalPath(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func copyRules(rules []subRule) []subRule {
	out := make([]subRule, len(rules))
	for i, r := range rules {
		out[i] = append(subRule(nil), r...)
	}
	return out
}

type compiler struct {
	dec *json.Decoder
}

func (c *compiler) next() (json.Token, error) {
	tok, err := c.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, invalid("Unexpected end-of-input")
	}
	if err != nil {
		return nil, &InvalidPatternError{Reason: err.Error()}
	}
	return tok, nil
}

// Compile parses an event pattern. It returns an *InvalidPatternError for anything
// EventBridge would refuse with InvalidEventPatternException.
func Compile(pattern []byte) (*Pattern, error) {
	c := &compiler{dec: json.NewDecoder(bytes.NewReader(pattern))}
	c.dec.UseNumber()
	tok, err := c.dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, invalid("Filter is not an object")
	}
	var rules []subRule
	if err := c.parseObject(&rules, nil, false); err != nil {
		return nil, err
	}
	p := &Pattern{source: string(pattern)}
	for _, r := range rules {
		p.rules = append(p.rules, buildTree(r))
	}
	return p, nil
}

// MustCompile is Compile for patterns known to be valid, such as test fixtures.
func MustCompile(pattern string) *Pattern {
	p, err := Compile([]byte(pattern))
	if err != nil {
		panic(err)
	}
	return p
}

func childPath(path []string, key string) []string {
	out := make([]string, len(path)+1)
	copy(out, path)
	out[len(path)] = key
	return out
}

func (c *compiler) parseObject(rules *[]subRule, path []string, insideOr bool) error {
	fields := false
	for {
		tok, err := c.next()
		if err != nil {
			return err
		}
		if tok == json.Delim('}') {
			break
		}
		key, _ := tok.(string)
		fields = true
		if key == "$or" {
			if err := c.parseOr(rules, path); err != nil {
				return err
			}
			continue
		}
		if insideOr && reservedInOr[key] {
			return invalid("%s is Ruler reserved fieldName which cannot be used inside $or.", key)
		}
		tok, err = c.next()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			if err := c.parseObject(rules, childPath(path, key), insideOr); err != nil {
				return err
			}
		case json.Delim('['):
			if err := c.writeRules(rules, childPath(path, key)); err != nil {
				return err
			}
		default:
			return invalid("%q must be an object or an array", key)
		}
	}
	if !fields {
		return invalid("Empty objects are not allowed")
	}
	return nil
}

func (c *compiler) parseOr(rules *[]subRule, path []string) error {
	tok, err := c.next()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		return invalid("It must be an Array followed with $or.")
	}
	current := copyRules(*rules)
	*rules = nil
	n := 0
	for {
		tok, err := c.next()
		if err != nil {
			return err
		}
		if tok == json.Delim(']') {
			break
		}
		n++
		if tok != json.Delim('{') {
			return invalid("Only JSON object is allowed in array of $or relationship.")
		}
		alt := copyRules(current)
		if len(alt) == 0 {
			alt = []subRule{nil}
		}
		if err := c.parseObject(&alt, path, true); err != nil {
			return err
		}
		*rules = append(*rules, alt...)
		if len(*rules) > maxSubRules {
			return invalid("Rule is too complex")
		}
	}
	if n < 2 {
		return invalid("There must have at least 2 Objects in $or relationship.")
	}
	return nil
}

func (c *compiler) writeRules(rules *[]subRule, path []string) error {
	l := &leaf{}
	for {
		tok, err := c.next()
		if err != nil {
			return err
		}
		if tok == json.Delim(']') {
			break
		}
		switch t := tok.(type) {
		case json.Delim:
			if t != '{' {
				return invalid("Match value must be String, number, true, false, or null")
			}
			m, err := c.parseMatchExpression()
			if err != nil {
				return err
			}
			l.add(m)
		case string:
			l.add(newExactString(t))
		case json.Number:
			l.add(newExactNumber(t))
		case bool:
			l.add(exactLiteral{kind: kindBool, b: t})
		case nil:
			l.add(exactLiteral{kind: kindNull})
		}
	}
	if len(l.matchers) == 0 && !l.absent {
		return invalid("Empty arrays are not allowed")
	}
	if len(*rules) == 0 {
		*rules = []subRule{nil}
	}
	for i := range *rules {
		(*rules)[i] = (*rules)[i].put(path, l)
	}
	return nil
}

func (c *compiler) expectEnd(reason string) error {
	tok, err := c.next()
	if err != nil {
		return err
	}
	if tok != json.Delim('}') {
		return invalid("%s", reason)
	}
	return nil
}

const oneKey = "Only one key allowed in match expression"

func (c *compiler) nextString(reason string) (string, error) {
	tok, err := c.next()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", invalid("%s", reason)
	}
	return s, nil
}

func (c *compiler) parseMatchExpression() (matcher, error) {
	tok, err := c.next()
	if err != nil {
		return nil, err
	}
	name, ok := tok.(string)
	if !ok {
		return nil, invalid("Match expression name not found")
	}
	switch name {
	case "exactly":
		// Undocumented by EventBridge but accepted by its engine: a string compared exactly.
		s, err := c.nextString("exact match pattern must be a string")
		if err != nil {
			return nil, err
		}
		return exactString{s: s}, c.expectEnd(oneKey)
	case "prefix", "suffix":
		return c.parseAffix(name)
	case "equals-ignore-case":
		s, err := c.nextString("equals-ignore-case match pattern must be a string")
		if err != nil {
			return nil, err
		}
		return equalsFold{s: s}, c.expectEnd(oneKey)
	case "wildcard":
		s, err := c.nextString("wildcard match pattern must be a string")
		if err != nil {
			return nil, err
		}
		w, err := compileWildcard(s)
		if err != nil {
			return nil, err
		}
		return w, c.expectEnd(oneKey)
	case "numeric":
		tok, err := c.next()
		if err != nil {
			return nil, err
		}
		if tok != json.Delim('[') {
			return nil, invalid("Value of numeric must be an array.")
		}
		r, err := c.parseNumeric()
		if err != nil {
			return nil, err
		}
		return r, c.expectEnd("Too many elements in numeric expression")
	case "anything-but":
		return c.parseAnythingBut()
	case "exists":
		tok, err := c.next()
		if err != nil {
			return nil, err
		}
		b, ok := tok.(bool)
		if !ok {
			return nil, invalid("exists match pattern must be either true or false.")
		}
		if err := c.expectEnd(oneKey); err != nil {
			return nil, err
		}
		if b {
			return existsMatcher{}, nil
		}
		return absentMarker{}, nil
	case "cidr":
		// The engine reuses the prefix wording here.
		s, err := c.nextString("prefix match pattern must be a string")
		if err != nil {
			return nil, err
		}
		m, err := parseCIDR(s)
		if err != nil {
			return nil, err
		}
		return m, c.expectEnd(oneKey)
	default:
		return nil, invalid("Unrecognized match type %s", name)
	}
}

// parseAffix handles prefix and suffix, plain or with equals-ignore-case.
func (c *compiler) parseAffix(name string) (matcher, error) {
	tok, err := c.next()
	if err != nil {
		return nil, err
	}
	suffix := name == "suffix"
	if tok == json.Delim('{') {
		label := "Prefix"
		if suffix {
			label = "Suffix"
		}
		tok, err := c.next()
		if err != nil {
			return nil, err
		}
		op, ok := tok.(string)
		if !ok {
			return nil, invalid("%s expression name not found", label)
		}
		if op != "equals-ignore-case" {
			return nil, invalid("Unsupported %s pattern: %s", name, op)
		}
		s, err := c.nextString("equals-ignore-case match pattern must be a string")
		if err != nil {
			return nil, err
		}
		if err := c.expectEnd(oneKey); err != nil {
			return nil, err
		}
		if err := c.expectEnd(oneKey); err != nil {
			return nil, err
		}
		return affix{s: s, suffix: suffix, fold: true}, nil
	}
	s, ok := tok.(string)
	if !ok {
		return nil, invalid("%s match pattern must be a string", name)
	}
	return affix{s: s, suffix: suffix}, c.expectEnd(oneKey)
}

// tokenText renders a token as the engine's parser would in an error message.
func tokenText(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return t.String()
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

func (c *compiler) parseNumeric() (matcher, error) {
	tok, err := c.next()
	if err != nil {
		return nil, err
	}
	op, ok := tok.(string)
	if !ok {
		return nil, invalid("Invalid member in numeric match: %s", tokenText(tok))
	}
	tok, err = c.next()
	if err != nil {
		return nil, err
	}
	operand := func(label string) (float64, error) {
		n, ok := tok.(json.Number)
		if !ok {
			return 0, invalid("Value of %s must be numeric", label)
		}
		return comparableNumber(n)
	}
	closeArray := func(reason string) error {
		tok, err := c.next()
		if err != nil {
			return err
		}
		if tok != json.Delim(']') {
			return invalid("%s", reason)
		}
		return nil
	}
	const tooMany = "Too many elements in numeric expression"
	switch op {
	case "=":
		v, err := operand("equals")
		if err != nil {
			return nil, err
		}
		return numericRange{lo: v, hi: v, hasLo: true, hasHi: true}, closeArray(tooMany)
	case ">", ">=":
		v, err := operand(op)
		if err != nil {
			return nil, err
		}
		r := numericRange{lo: v, hasLo: true, openLo: op == ">"}
		tok, err = c.next()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			return r, nil
		}
		op2, ok := tok.(string)
		if !ok {
			return nil, invalid("Bad value in numeric range: %s", tokenText(tok))
		}
		if op2 != "<" && op2 != "<=" {
			return nil, invalid("Bad numeric range operator: %s", op2)
		}
		tok, err = c.next()
		if err != nil {
			return nil, err
		}
		hi, err := operand(op2)
		if err != nil {
			return nil, err
		}
		if err := closeArray("Too many terms in numeric range expression"); err != nil {
			return nil, err
		}
		if r.lo >= hi {
			return nil, invalid("Bottom must be less than top")
		}
		r.hi, r.hasHi, r.openHi = hi, true, op2 == "<"
		return r, nil
	case "<", "<=":
		v, err := operand(op)
		if err != nil {
			return nil, err
		}
		return numericRange{hi: v, hasHi: true, openHi: op == "<"}, closeArray(tooMany)
	default:
		return nil, invalid("Unrecognized numeric range operator: %s", op)
	}
}

// comparableNumber checks a pattern's number against the documented numeric limits.
func comparableNumber(n json.Number) (float64, error) {
	s := n.String()
	if decimalScale(s) > numericDecimals {
		return 0, invalid("Only values upto 6 decimals are supported")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < -numericLimit || f > numericLimit {
		return 0, invalid("Value must be between -5.0E9 and 5.0E9, inclusive")
	}
	return f, nil
}

// decimalScale is the number of digits right of the decimal point once trailing zeros are
// dropped, for a JSON number such as "-12.3400e-2" (4 here).
func decimalScale(s string) int {
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	s = strings.TrimLeft(s, "+-")
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
	}
	digits := strings.TrimRight(s+frac, "0")
	if digits == "" {
		return 0
	}
	zeros := len(s+frac) - len(digits)
	return len(frac) - exp - zeros
}

func (c *compiler) parseAnythingBut() (matcher, error) {
	tok, err := c.next()
	if err != nil {
		return nil, err
	}
	kind := ""
	if tok == json.Delim('{') {
		tok, err = c.next()
		if err != nil {
			return nil, err
		}
		op, ok := tok.(string)
		if !ok {
			return nil, invalid("Anything-But expression name not found")
		}
		switch op {
		case "equals-ignore-case", "prefix", "suffix", "wildcard":
			kind = op
		default:
			return nil, invalid("Unsupported anything-but pattern: %s", op)
		}
		if tok, err = c.next(); err != nil {
			return nil, err
		}
	}
	switch tok.(type) {
	case string, json.Number:
	default:
		if tok != json.Delim('[') {
			return nil, invalid("Value of anything-but must be an array or single string/number value.")
		}
	}
	var m matcher
	if kind == "" {
		m, err = c.anythingButValues(tok)
	} else {
		m, err = c.anythingButSet(tok, kind)
	}
	if err != nil {
		return nil, err
	}
	const tooMany = "Too many elements in numeric expression"
	if err := c.expectEnd(tooMany); err != nil {
		return nil, err
	}
	if kind != "" {
		if err := c.expectEnd(tooMany); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// anythingButValues reads a plain anything-but: one string or number, or a list of only
// strings or only numbers.
func (c *compiler) anythingButValues(tok json.Token) (matcher, error) {
	ab := &anythingBut{}
	add := func(tok json.Token) error {
		switch t := tok.(type) {
		case string:
			ab.strings = append(ab.strings, t)
		case json.Number:
			f, err := comparableNumber(t)
			if err != nil {
				return err
			}
			ab.numbers = append(ab.numbers, f)
		default:
			return invalid("Inside anything but list, start|null|boolean is not supported.")
		}
		return nil
	}
	if tok != json.Delim('[') {
		return ab, add(tok)
	}
	for {
		tok, err := c.next()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			break
		}
		if err := add(tok); err != nil {
			return nil, err
		}
	}
	if (len(ab.strings) > 0) == (len(ab.numbers) > 0) {
		return nil, invalid("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	return ab, nil
}

// anythingButSet reads anything-but with prefix, suffix, equals-ignore-case or wildcard,
// given one string or a list of strings.
func (c *compiler) anythingButSet(tok json.Token, kind string) (matcher, error) {
	ab := &anythingButSet{kind: kind}
	add := func(tok json.Token) error {
		s, ok := tok.(string)
		if !ok {
			switch kind {
			case "equals-ignore-case":
				return invalid("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
			case "wildcard":
				return invalid("wildcard match pattern must be a string")
			default:
				return invalid("prefix/suffix match pattern must be a string")
			}
		}
		if s == "" && (kind == "prefix" || kind == "suffix") {
			return invalid("Null prefix/suffix not allowed")
		}
		if kind == "wildcard" {
			w, err := compileWildcard(s)
			if err != nil {
				return err
			}
			ab.wildcards = append(ab.wildcards, w)
		}
		ab.values = append(ab.values, s)
		return nil
	}
	if tok != json.Delim('[') {
		return ab, add(tok)
	}
	for {
		tok, err := c.next()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			return ab, nil
		}
		if err := add(tok); err != nil {
			return nil, err
		}
	}
}

// compileWildcard validates a wildcard value: * matches any run of characters, \* and \\ are
// the literal characters, any other escape and two consecutive * are refused. Positions in
// the messages count from the engine's opening quote, so the first character is at 1.
func compileWildcard(s string) (wildcard, error) {
	var w wildcard
	var seg strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return w, invalid("Consecutive wildcard characters at pos %d", i+1)
			}
			w.segments = append(w.segments, seg.String())
			seg.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				seg.WriteByte(s[i+1])
				i++
				continue
			}
			return w, invalid("Invalid escape character at pos %d", i+1)
		default:
			seg.WriteByte(s[i])
		}
	}
	w.segments = append(w.segments, seg.String())
	return w, nil
}

// looksLikeIP is the engine's test for a string it treats as an IP address: four dotted runs
// of digits, or hex digits and colons with at least one colon.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.IndexByte(s, ':') >= 0 {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != ':' && !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	dots, run := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if run == 0 {
				return false
			}
			dots, run = dots+1, 0
		case '0' <= c && c <= '9':
			run++
		default:
			return false
		}
	}
	return dots == 3 && run > 0
}

func parseIP(s string) (netip.Addr, bool) {
	if !looksLikeIP(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

func parseCIDR(s string) (matcher, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 2 {
		return nil, invalid("Malformed CIDR, one '/' required")
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil {
		return nil, invalid("Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return nil, invalid("Malformed CIDR, mask bits must not be negative")
	}
	if !looksLikeIP(parts[0]) {
		return nil, invalid("Nonstandard IP address: %s", parts[0])
	}
	addr, err := netip.ParseAddr(parts[0])
	if err != nil {
		return nil, invalid("Invalid IP address: %s", parts[0])
	}
	// The engine refuses a full-length mask (/32, /128), so this does too.
	if addr.Is4() && bits > 31 {
		return nil, invalid("IPv4 mask bits must be < 32")
	}
	if addr.Is6() && bits > 127 {
		return nil, invalid("IPv6 mask bits must be < 128")
	}
	prefix, err := addr.Prefix(bits)
	if err != nil {
		return nil, invalid("Invalid IP address: %s", parts[0])
	}
	return cidr{prefix: prefix}, nil
}

func newExactString(s string) matcher {
	m := exactString{s: s}
	if a, ok := parseIP(s); ok {
		m.ip, m.isIP = a, true
	}
	return m
}

func newExactNumber(n json.Number) matcher {
	f, err := strconv.ParseFloat(n.String(), 64)
	return exactNumber{text: n.String(), f: f, ok: err == nil && !math.IsInf(f, 0)}
}
