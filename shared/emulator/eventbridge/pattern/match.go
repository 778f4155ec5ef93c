package pattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/jsonvalue"
)

// Pattern is a compiled event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	source string
	rules  []*node // alternatives after $or is multiplied out; any one matching is a match
}

// String returns the pattern as it was given to Compile.
func (p *Pattern) String() string { return p.source }

// ParseEvent decodes an event the way MatchValue expects it: objects as map[string]any and
// numbers as json.Number, so that large integers keep every digit.
func ParseEvent(event []byte) (any, error) {
	if v, ok := jsonvalue.Parse(event); ok {
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse event: %w", err)
	}
	return v, nil
}

// Match reports whether the JSON event matches. An event that is not valid JSON matches
// nothing.
func (p *Pattern) Match(event []byte) bool {
	v, err := ParseEvent(event)
	if err != nil {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue reports whether an already-decoded event matches. The event is what
// encoding/json produces into an any: map[string]any, []any, string, bool, nil, and numbers
// as json.Number (preferred, see ParseEvent) or float64; other Go integer and float types are
// accepted as numbers too.
func (p *Pattern) MatchValue(event any) bool {
	for _, n := range p.rules {
		if n.match(event) {
			return true
		}
	}
	return false
}

// MatchesAny reports whether any of the patterns matches the decoded event.
func MatchesAny(patterns []*Pattern, event any) bool {
	for _, p := range patterns {
		if p.MatchValue(event) {
			return true
		}
	}
	return false
}

// node is one object level of a sub-rule.
type node struct {
	leaves   []keyedLeaf
	children []keyedNode
	// positive is true when something under this node must be present. A node without it
	// (only exists:false below) must hold for every element of an array it meets.
	positive bool
}

type keyedLeaf struct {
	key  string
	leaf *leaf
}

type keyedNode struct {
	key  string
	node *node
}

func buildTree(r subRule) *node {
	root := &node{}
	for _, e := range r {
		n := root
		for _, k := range e.path[:len(e.path)-1] {
			var next *node
			for _, c := range n.children {
				if c.key == k {
					next = c.node
					break
				}
			}
			if next == nil {
				next = &node{}
				n.children = append(n.children, keyedNode{key: k, node: next})
			}
			n = next
		}
		n.leaves = append(n.leaves, keyedLeaf{key: e.path[len(e.path)-1], leaf: e.leaf})
	}
	root.markPositive()
	return root
}

func (n *node) markPositive() bool {
	for _, l := range n.leaves {
		if len(l.leaf.matchers) > 0 {
			n.positive = true
		}
	}
	for _, c := range n.children {
		if c.node.markPositive() {
			n.positive = true
		}
	}
	return n.positive
}

// match applies the node to an event value. Arrays are looked through: with anything to find,
// all of the node's fields must be found in one element (the engine's array consistency);
// with only absences to check, no element may have the field.
func (n *node) match(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return n.matchObject(t)
	case []any:
		if n.positive {
			for _, e := range t {
				if n.match(e) {
					return true
				}
			}
			return false
		}
		for _, e := range t {
			if !n.match(e) {
				return false
			}
		}
		return true
	default:
		// A scalar (or nothing) has no fields below it.
		return !n.positive
	}
}

func (n *node) matchObject(obj map[string]any) bool {
	for _, l := range n.leaves {
		v, ok := obj[l.key]
		if !l.leaf.match(v, ok) {
			return false
		}
	}
	for _, c := range n.children {
		v, ok := obj[c.key]
		if !ok {
			if c.node.positive {
				return false
			}
			continue
		}
		if !c.node.match(v) {
			return false
		}
	}
	return true
}

// leaf is the list of values one field may match; any one suffices.
type leaf struct {
	matchers []matcher
	absent   bool // {"exists": false} is among them
}

func (l *leaf) add(m matcher) {
	if _, ok := m.(absentMarker); ok {
		l.absent = true
		return
	}
	l.matchers = append(l.matchers, m)
}

// match tests the event's value for the field; present is false when the field is missing.
// Objects are not leaf values, and arrays hold one value per scalar element.
func (l *leaf) match(v any, present bool) bool {
	if !present {
		return l.absent
	}
	switch t := v.(type) {
	case map[string]any:
		return l.absent
	case []any:
		hit, found := l.matchArray(t)
		return hit || !found && l.absent
	default:
		return l.matchScalar(v)
	}
}

// matchArray reports whether a scalar in the (possibly nested) array matches, and whether
// the array holds any scalar at all.
func (l *leaf) matchArray(a []any) (hit, found bool) {
	for _, e := range a {
		switch t := e.(type) {
		case map[string]any:
		case []any:
			h, f := l.matchArray(t)
			if h {
				return true, true
			}
			found = found || f
		default:
			found = true
			if l.matchScalar(e) {
				return true, true
			}
		}
	}
	return false, found
}

func (l *leaf) matchScalar(v any) bool {
	for _, m := range l.matchers {
		if m.match(v) {
			return true
		}
	}
	return false
}

// matcher is one value test.
type matcher interface {
	match(v any) bool
}

// absentMarker stands for {"exists": false}; leaf.add turns it into leaf.absent.
type absentMarker struct{}

func (absentMarker) match(any) bool { return false }

type existsMatcher struct{}

func (existsMatcher) match(any) bool { return true }

type exactString struct {
	s    string
	ip   netip.Addr
	isIP bool
}

func (m exactString) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if s == m.s {
		return true
	}
	// An IP address in a pattern matches the same address however the event writes it.
	if m.isIP {
		if a, ok := parseIP(s); ok {
			return a == m.ip
		}
	}
	return false
}

type exactNumber struct {
	text string
	f    float64
	ok   bool
}

func (m exactNumber) match(v any) bool {
	if n, ok := v.(json.Number); ok && string(n) == m.text {
		return true
	}
	f, ok := number(v)
	return ok && m.ok && f == m.f
}

const (
	kindBool = iota
	kindNull
)

type exactLiteral struct {
	kind int
	b    bool
}

func (m exactLiteral) match(v any) bool {
	if m.kind == kindNull {
		return v == nil
	}
	b, ok := v.(bool)
	return ok && b == m.b
}

type equalsFold struct{ s string }

func (m equalsFold) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, m.s)
}

type affix struct {
	s      string
	suffix bool
	fold   bool
}

func (m affix) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	return m.test(s)
}

func (m affix) test(s string) bool {
	switch {
	case m.suffix && m.fold:
		return hasSuffixFold(s, m.s)
	case m.suffix:
		return strings.HasSuffix(s, m.s)
	case m.fold:
		return hasPrefixFold(s, m.s)
	default:
		return strings.HasPrefix(s, m.s)
	}
}

func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !equalRuneFold(pr, sr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !equalRuneFold(pr, sr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}

func equalRuneFold(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// wildcard is a value split at its unescaped *; segments has one more element than there
// are wildcards.
type wildcard struct {
	segments []string
}

func (w wildcard) match(v any) bool {
	s, ok := v.(string)
	return ok && w.test(s)
}

// test matches leftmost-first, which is exact for patterns whose only metacharacter is *.
func (w wildcard) test(s string) bool {
	segs := w.segments
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return true
}

type numericRange struct {
	lo, hi         float64
	hasLo, hasHi   bool
	openLo, openHi bool
}

func (r numericRange) match(v any) bool {
	f, ok := number(v)
	if !ok || f < -numericLimit || f > numericLimit {
		return false
	}
	if r.hasLo && (f < r.lo || r.openLo && f == r.lo) {
		return false
	}
	if r.hasHi && (f > r.hi || r.openHi && f == r.hi) {
		return false
	}
	return true
}

type cidr struct{ prefix netip.Prefix }

func (m cidr) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	a, ok := parseIP(s)
	return ok && m.prefix.Contains(a)
}

// anythingBut matches any value other than the listed strings or numbers, including values
// of other types.
type anythingBut struct {
	strings []string
	numbers []float64
}

func (m *anythingBut) match(v any) bool {
	if s, ok := v.(string); ok {
		for _, x := range m.strings {
			if s == x {
				return false
			}
		}
		return true
	}
	if f, ok := number(v); ok {
		for _, x := range m.numbers {
			if f == x {
				return false
			}
		}
	}
	return true
}

// anythingButSet is anything-but with prefix, suffix, equals-ignore-case or wildcard. Values
// that are not strings always match it.
type anythingButSet struct {
	kind      string
	values    []string
	wildcards []wildcard
}

func (m *anythingButSet) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	for i, x := range m.values {
		var hit bool
		switch m.kind {
		case "prefix":
			hit = strings.HasPrefix(s, x)
		case "suffix":
			hit = strings.HasSuffix(s, x)
		case "equals-ignore-case":
			hit = strings.EqualFold(s, x)
		case "wildcard":
			hit = m.wildcards[i].test(s)
		}
		if hit {
			return false
		}
	}
	return true
}

// number reads a JSON number from a decoded event value.
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		return f, err == nil && !math.IsInf(f, 0)
	case float64:
		return t, true
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case int32:
		return float64(t), true
	case uint:
		return float64(t), true
	case uint64:
		return float64(t), true
	case uint32:
		return float64(t), true
	}
	return 0, false
}
