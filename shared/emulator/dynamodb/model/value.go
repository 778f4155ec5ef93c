package model

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/truora/minidyn/types"
)

// Value is one DynamoDB attribute value. It is minidyn's type so that items go to minidyn's
// expression interpreter without conversion; its field names match the wire JSON (S, N, B, BOOL,
// NULL, M, L, SS, NS, BS), so encoding/json decodes request items straight into it.
type Value = types.Item

// Item is an item or a key: attribute name to value. A stored Item is never changed in place
// (writes replace it), so it may be read and encoded after the table's lock is released. Its
// UnmarshalJSON is a hand-written DynamoDB JSON parser (see json.go).
type Item map[string]*Value

// Limits DynamoDB enforces on items and keys.
const (
	MaxItemSize      = 400 * 1024
	maxHashKeySize   = 2048
	maxRangeKeySize  = 1024
	maxNumberDigits  = 38
	maxNumberExp     = 126  // 9.99…E+125 = 0.999… × 10^126
	minNumberExp     = -129 // 1E-130 = 0.1 × 10^-129
	maxDocumentDepth = 32
)

// typeOf returns the value's type tag ("S", "N", …), "" when none is set and "multi" when more
// than one is.
func typeOf(v *Value) string {
	if v == nil {
		return ""
	}
	if isPacked(v) {
		return packedType(v)
	}
	t, n := "", 0
	if v.S != nil {
		t, n = "S", n+1
	}
	if v.N != nil {
		t, n = "N", n+1
	}
	if v.B != nil {
		t, n = "B", n+1
	}
	if v.BOOL != nil {
		t, n = "BOOL", n+1
	}
	if v.NULL != nil {
		t, n = "NULL", n+1
	}
	if v.M != nil {
		t, n = "M", n+1
	}
	if v.L != nil {
		t, n = "L", n+1
	}
	if v.SS != nil {
		t, n = "SS", n+1
	}
	if v.NS != nil {
		t, n = "NS", n+1
	}
	if v.BS != nil {
		t, n = "BS", n+1
	}
	if n > 1 {
		return "multi"
	}
	return t
}

// valueLayer is which of DynamoDB's two attribute value checkers words a request's value
// errors: the current one answers GetItem, BatchGetItem, Query, PutItem, UpdateItem and
// DeleteItem, the older one BatchWriteItem and the transactions (captured in four regions in
// 2026: https://github.com/paritysuite/dynamodb-conformance, tests/tier3/error-messages/valueLayers.test.ts).
// They differ in how they word a malformed number and a set with a repeated member.
type valueLayer int

const (
	currentLayer valueLayer = iota
	olderLayer
)

// validateItem checks every value of an item or key the way DynamoDB does before it looks at the
// table.
func validateItem(item Item) error {
	return validateItemIn(item, currentLayer)
}

// validateItemIn is validateItem worded by the given layer.
func validateItemIn(item Item, layer valueLayer) error {
	for _, v := range item {
		if err := checkValue(v, 0, layer); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(v *Value, depth int) error {
	return checkValue(v, depth, currentLayer)
}

// checkValue checks one value. As DynamoDB reads a value's numbers before it looks at how many
// types the value has, {"S":"a","N":""} is a malformed number, not a value of two types.
func checkValue(v *Value, depth int, layer valueLayer) error {
	if isPacked(v) {
		return nil // the decoder packs only what passes these checks
	}
	if depth > maxDocumentDepth {
		return validation("Nesting Levels have exceeded supported limits: Nesting level of %d exceeds the maximum of %d", depth, maxDocumentDepth)
	}
	t := typeOf(v)
	if t == "" {
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	if v.N != nil {
		if _, err := checkNumber(*v.N, layer); err != nil {
			return err
		}
	}
	if v.NULL != nil && !*v.NULL {
		return validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
	}
	if v.SS != nil {
		if len(v.SS) == 0 {
			return validation("One or more parameter values were invalid: An string set  may not be empty")
		}
		if err := checkDuplicates(len(v.SS), func(i int) string { return deref(v.SS[i]) }, "SS", layer); err != nil {
			return err
		}
	}
	if v.NS != nil {
		if len(v.NS) == 0 {
			return validation("One or more parameter values were invalid: An number set  may not be empty")
		}
		for _, n := range v.NS {
			if n == nil {
				return validation(msgNotANumber)
			}
			sh, err := checkNumber(*n, layer)
			if err != nil {
				return err
			}
			*n = canonical(*n, sh)
		}
		if err := checkDuplicates(len(v.NS), func(i int) string { return *v.NS[i] }, "NS", layer); err != nil {
			return err
		}
	}
	if v.BS != nil {
		if len(v.BS) == 0 {
			return validation("One or more parameter values were invalid: Binary sets should not be empty")
		}
		if err := checkDuplicates(len(v.BS), func(i int) string { return string(v.BS[i]) }, "BS", layer); err != nil {
			return err
		}
	}
	for _, e := range v.L {
		if err := checkValue(e, depth+1, layer); err != nil {
			return err
		}
	}
	for _, e := range v.M {
		if err := checkValue(e, depth+1, layer); err != nil {
			return err
		}
	}
	if t == "multi" {
		return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	return nil
}

// checkNumber checks a number's text. A malformed number is quoted after a colon; the older
// layer leaves the colon out for an empty one.
func checkNumber(s string, layer valueLayer) (numberShape, error) {
	sh, err := scanNumber(s)
	if err != nil && s == "" && layer == olderLayer {
		return sh, validation(msgNotANumber)
	}
	return sh, err
}

// checkDuplicates refuses a set that holds a member twice (numbers compared by value; the
// members of an NS are canonical by now). The current layer lists the members in quotes, in
// byte order up to the first repeat, then the repeat and the rest as sent (binaries in base64,
// without spaces); the older one lists them as sent, unquoted. Neither lists a number set.
func checkDuplicates(n int, elem func(int) string, kind string, layer valueLayer) error {
	seen := make(map[string]struct{}, n)
	dup := -1
	for i := range n {
		e := elem(i)
		if _, ok := seen[e]; ok {
			dup = i
			break
		}
		seen[e] = struct{}{}
	}
	if dup < 0 {
		return nil
	}
	const invalid = "One or more parameter values were invalid: "
	if kind == "NS" {
		if layer == olderLayer {
			return validation("Input collection contains duplicates")
		}
		return validation(invalid + "Input collection contains duplicates.")
	}
	show := func(i int) string {
		if kind == "BS" {
			return base64.StdEncoding.EncodeToString([]byte(elem(i)))
		}
		return elem(i)
	}
	parts := make([]string, 0, n)
	if layer == olderLayer {
		for i := range n {
			parts = append(parts, show(i))
		}
		if kind == "BS" {
			return validation(invalid+"Input collection [%s]of type BS contains duplicates.", strings.Join(parts, ", "))
		}
		return validation(invalid+"Input collection [%s] contains duplicates.", strings.Join(parts, ", "))
	}
	first := make([]int, dup)
	for i := range first {
		first[i] = i
	}
	slices.SortFunc(first, func(a, b int) int { return strings.Compare(elem(a), elem(b)) })
	for _, i := range first {
		parts = append(parts, `"`+show(i)+`"`)
	}
	for i := dup; i < n; i++ {
		parts = append(parts, `"`+show(i)+`"`)
	}
	if kind == "BS" {
		return validation(invalid+"Input collection [%s]of type BS contains duplicates.", strings.Join(parts, ","))
	}
	return validation(invalid+"Input collection [%s] contains duplicates.", strings.Join(parts, ", "))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ItemSize is the item's size as DynamoDB bills it: attribute names plus values (UTF-8 bytes for
// strings, raw bytes for binaries, about one byte per two significant digits plus one for numbers,
// one byte for booleans and nulls, three bytes plus one per element for lists and maps).
func ItemSize(item Item) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v *Value) int {
	switch {
	case v == nil:
		return 0
	case isPacked(v):
		return packedSize(v)
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		return len(v.B)
	case v.BOOL != nil, v.NULL != nil:
		return 1
	case v.M != nil:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	case v.L != nil:
		n := 3
		for _, e := range v.L {
			n += 1 + valueSize(e)
		}
		return n
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(deref(s))
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(deref(s))
		}
		return n
	case v.BS != nil:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	sh, err := scanNumber(s)
	if err != nil {
		return len(s)
	}
	return (sh.sig+1)/2 + 1
}

// equalValue compares two values by type and content (numbers numerically, sets as sets).
func equalValue(a, b *Value) bool {
	if isPacked(a) && isPacked(b) && bytes.Equal(a.B, b.B) {
		return true
	}
	a, b = unpack(a), unpack(b)
	ta, tb := typeOf(a), typeOf(b)
	if ta != tb {
		return false
	}
	switch ta {
	case "S":
		return *a.S == *b.S
	case "N":
		x, errx := parseNumber(*a.N)
		y, erry := parseNumber(*b.N)
		if errx != nil || erry != nil {
			return *a.N == *b.N
		}
		return x.cmp(y) == 0
	case "B":
		return bytes.Equal(a.B, b.B)
	case "BOOL":
		return *a.BOOL == *b.BOOL
	case "NULL":
		return true
	case "L":
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !equalValue(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case "M":
		if len(a.M) != len(b.M) {
			return false
		}
		for k, v := range a.M {
			w, ok := b.M[k]
			if !ok || !equalValue(v, w) {
				return false
			}
		}
		return true
	case "SS":
		return sameSet(len(a.SS), len(b.SS), func(i int) string { return deref(a.SS[i]) }, func(i int) string { return deref(b.SS[i]) })
	case "NS":
		norm := func(s *string) string {
			d, err := parseNumber(deref(s))
			if err != nil {
				return deref(s)
			}
			return d.String()
		}
		return sameSet(len(a.NS), len(b.NS), func(i int) string { return norm(a.NS[i]) }, func(i int) string { return norm(b.NS[i]) })
	case "BS":
		return sameSet(len(a.BS), len(b.BS), func(i int) string { return string(a.BS[i]) }, func(i int) string { return string(b.BS[i]) })
	}
	return true
}

func sameSet(na, nb int, a, b func(int) string) bool {
	if na != nb {
		return false
	}
	seen := make(map[string]struct{}, na)
	for i := range na {
		seen[a(i)] = struct{}{}
	}
	for i := range nb {
		if _, ok := seen[b(i)]; !ok {
			return false
		}
	}
	return true
}

// describeValue renders a value the way DynamoDB's messages do, e.g. "{S:abc}".
func describeValue(v *Value) string {
	switch typeOf(v) {
	case "S":
		return "{S:" + *v.S + "}"
	case "N":
		return "{N:" + *v.N + "}"
	case "B":
		return fmt.Sprintf("{B:%x}", v.B)
	default:
		return "{" + typeOf(v) + "}"
	}
}
