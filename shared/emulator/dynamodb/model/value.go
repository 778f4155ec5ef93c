package model

import (
	"bytes"
	"fmt"
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

// validateItem checks every value of an item or key the way DynamoDB does before it looks at the
// table. what names the parameter in messages.
func validateItem(item Item) error {
	for _, v := range item {
		if err := validateValue(v, 0); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(v *Value, depth int) error {
	if depth > maxDocumentDepth {
		return validation("Nesting Levels have exceeded supported limits: Nesting level of %d exceeds the maximum of %d", depth, maxDocumentDepth)
	}
	switch typeOf(v) {
	case "":
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case "multi":
		return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	case "N":
		if _, err := scanNumber(*v.N); err != nil {
			return err
		}
	case "NULL":
		if !*v.NULL {
			return validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
	case "SS":
		return validateSet("string", len(v.SS), func(i int) string { return deref(v.SS[i]) })
	case "NS":
		for _, n := range v.NS {
			if n == nil {
				return validation("A value provided cannot be converted into a number")
			}
			sh, err := scanNumber(*n)
			if err != nil {
				return err
			}
			*n = canonical(*n, sh)
		}
		return validateSet("number", len(v.NS), func(i int) string {
			d, _ := parseNumber(*v.NS[i])
			return d.String()
		})
	case "BS":
		return validateSet("binary", len(v.BS), func(i int) string { return string(v.BS[i]) })
	case "L":
		for _, e := range v.L {
			if err := validateValue(e, depth+1); err != nil {
				return err
			}
		}
	case "M":
		for _, e := range v.M {
			if err := validateValue(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateSet(kind string, n int, elem func(int) string) error {
	if n == 0 {
		return validation("One or more parameter values were invalid: An %s set  may not be empty", kind)
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		e := elem(i)
		if _, dup := seen[e]; dup {
			parts := make([]string, n)
			for j := range n {
				parts[j] = elem(j)
			}
			return validation("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(parts, ", "))
		}
		seen[e] = struct{}{}
	}
	return nil
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
