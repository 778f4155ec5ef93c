package model

import (
	"strconv"
	"strings"

	"github.com/truora/minidyn/interpreter/language"
	"github.com/truora/minidyn/types"
)

// What goes through minidyn's interpreter, and what does not.
//
// minidyn evaluates an expression over its own objects: every attribute handed to it is
// converted (language.MapToObject) and every attribute an update writes back is converted again
// (ToDynamoDB). Handing it the whole item made each request's CPU grow with the item, although
// DynamoDB bills item size in capacity units, not in the caller's CPU. So:
//
//   - an expression is given only the attributes it names (refs): the others cannot change its
//     outcome;
//   - an update keeps every attribute it does not name as the stored value itself, and a list it
//     only appends to (SET a = list_append(a, …) or list_append(if_not_exists(a, …), …)) keeps
//     its stored elements: stored values are never changed in place, so sharing them is safe.
//
// The result stays what the full round trip gave: a stored value is shared only when the round
// trip would give it back unchanged (roundTrips; minidyn rewrites numbers through float64 and
// builds sets from maps, so a number such as "1.50" or a 38-digit one is still rewritten, as
// before). Set members come back in map order either way, as they always did.

// refs is what an expression refers to: every name that may be a top-level attribute (an
// over-approximation: function names, map keys and placeholders are included), and the names
// used only as the list an update appends to.
type refs struct {
	names      map[string]bool
	appendOnly map[string]bool
	other      map[string]bool // names used anywhere but as an appended-to list
	unknown    bool            // a node refs does not know: hand the interpreter everything
	reserved   string          // the first attribute name that is a reserved word, as written
}

func newRefs() *refs {
	return &refs{names: map[string]bool{}, appendOnly: map[string]bool{}, other: map[string]bool{}}
}

// use records one identifier. aliases resolve #names; an alias or a path may hold dots, so
// every segment counts as a possible top-level name.
func (r *refs) use(id string, aliases map[string]string, appended bool) {
	r.checkReserved(id)
	add := func(s string) {
		for seg := range strings.FieldsFuncSeq(s, func(c rune) bool { return c == '.' || c == '[' || c == ']' }) {
			r.names[seg] = true
			if a, ok := aliases[seg]; ok {
				r.names[a] = true
				for part := range strings.SplitSeq(a, ".") {
					r.names[part] = true
				}
			}
		}
	}
	add(id)
	name := id
	if a, ok := aliases[id]; ok {
		name = a
		r.names[a] = true
	}
	if appended {
		r.appendOnly[name] = true
	} else {
		r.other[name] = true
		r.other[id] = true
	}
}

// checkReserved notes the first path segment of id that is one of DynamoDB's reserved words
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html): an
// expression must name such an attribute through ExpressionAttributeNames. Placeholders and list
// indexes are not names.
func (r *refs) checkReserved(id string) {
	if r.reserved != "" {
		return
	}
	for seg := range strings.FieldsFuncSeq(id, func(c rune) bool { return c == '.' || c == '[' || c == ']' }) {
		if seg[0] == '#' || seg[0] == ':' || seg[0] >= '0' && seg[0] <= '9' {
			continue
		}
		if language.IsReservedWord(strings.ToUpper(seg)) {
			r.reserved = seg
			return
		}
	}
}

// walk visits an expression. appended is true where the node is list_append's first argument
// (or the first argument of an if_not_exists in that place); target is true for the attribute a
// SET assigns.
func (r *refs) walk(n language.Node, aliases map[string]string, appended bool) {
	switch n := n.(type) {
	case nil:
	case *language.Identifier:
		r.use(n.Value, aliases, appended)
	case *language.ConditionalExpression:
		r.walk(n.Expression, aliases, false)
	case *language.UpdateStatement:
		r.walk(n.Expression, aliases, false)
	case *language.UpdateExpression:
		for _, e := range n.Expressions {
			r.walk(e, aliases, false)
		}
	case *language.ActionExpression:
		if strings.EqualFold(n.Token.Literal, "SET") {
			r.target(n.Left, aliases)
		} else {
			r.walk(n.Left, aliases, false)
		}
		r.walk(n.Right, aliases, false)
	case *language.PrefixExpression:
		r.walk(n.Right, aliases, false)
	case *language.InfixExpression:
		if n.Operator == "=" {
			r.target(n.Left, aliases)
		} else {
			r.walk(n.Left, aliases, false)
		}
		r.walk(n.Right, aliases, false)
	case *language.CallExpression:
		fn := ""
		if id, ok := n.Function.(*language.Identifier); ok {
			fn = id.Value
			r.names[fn] = true // a function's name is not an attribute's: no reserved-word check
		} else {
			r.walk(n.Function, aliases, false)
		}
		for i, a := range n.Arguments {
			switch {
			case fn == "list_append" && i == 0:
				r.walk(a, aliases, true)
			case fn == "if_not_exists" && i == 0 && appended:
				r.walk(a, aliases, true)
			default:
				r.walk(a, aliases, false)
			}
		}
	case *language.IndexExpression:
		r.walk(n.Left, aliases, false)
		r.walk(n.Index, aliases, false)
	case *language.BetweenExpression:
		r.walk(n.Left, aliases, false)
		r.walk(n.Range[0], aliases, false)
		r.walk(n.Range[1], aliases, false)
	case *language.InExpression:
		r.walk(n.Left, aliases, false)
		for _, e := range n.Range {
			r.walk(e, aliases, false)
		}
	default:
		r.unknown = true
	}
}

// target records the attribute a SET assigns: replaced, not read, when it is a top-level name;
// it still counts as named.
func (r *refs) target(n language.Expression, aliases map[string]string) {
	id, ok := n.(*language.Identifier)
	if !ok || strings.ContainsAny(id.Value, ".[") {
		r.walk(n, aliases, false)
		return
	}
	r.checkReserved(id.Value)
	r.names[id.Value] = true
	if a, ok := aliases[id.Value]; ok {
		r.names[a] = true
		if strings.ContainsAny(a, ".[") {
			r.use(id.Value, aliases, false)
		}
	}
}

// appendedOnly reports whether the update uses attribute name only as the list it appends to
// (and maybe as the attribute it assigns), so its stored elements can be handed on as they are.
func (r *refs) appendedOnly(name string) bool {
	return r != nil && !r.unknown && r.appendOnly[name] && !r.other[name] &&
		!strings.ContainsAny(name, "#:.[")
}

// picked returns the attributes of item an expression may read: all of them when refs is nil or
// met a node it does not know.
func (r *refs) picked(item Item) Item {
	if r == nil || r.unknown {
		return item
	}
	out := make(Item, len(r.names))
	for name := range r.names {
		if v, ok := item[name]; ok {
			out[name] = v
		}
	}
	return out
}

// roundTrips reports whether minidyn's conversion and back (language.MapToObject, then
// ToDynamoDB) gives v back as it is, set order aside: numbers already in the form float64
// formatting gives them, no empty binary, no NULL false (the conversion rejects those).
func roundTrips(v *Value) bool {
	switch {
	case v == nil:
		return false
	case v.BOOL != nil, v.S != nil:
		return true
	case v.N != nil:
		return canonicalFloat(*v.N)
	case v.NULL != nil:
		return *v.NULL
	case v.B != nil:
		return len(v.B) != 0
	case v.M != nil:
		for _, e := range v.M {
			if !roundTrips(e) {
				return false
			}
		}
		return true
	case v.L != nil:
		for _, e := range v.L {
			if !roundTrips(e) {
				return false
			}
		}
		return true
	case v.SS != nil:
		return true
	case v.NS != nil:
		for _, n := range v.NS {
			if n == nil || !canonicalFloat(*n) {
				return false
			}
		}
		return true
	case v.BS != nil:
		return true
	}
	return false
}

// canonicalFloat reports whether s is how minidyn writes the float64 it parses from s.
func canonicalFloat(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false
	}
	var buf [32]byte
	return string(strconv.AppendFloat(buf[:0], f, 'f', -1, 64)) == s
}

// roundTrip is what minidyn's conversion and back makes of v: v itself when that changes nothing.
func roundTrip(v *Value) (*Value, error) {
	if roundTrips(v) {
		return v, nil
	}
	obj, err := language.MapToObject(v)
	if err != nil {
		return nil, err
	}
	out := obj.ToDynamoDB()
	return &out, nil
}

// stored is a stored value handed to the interpreter unconverted, as an element of a list the
// update only appends to: list_append looks at the list, never at its elements.
type stored struct{ v *Value }

func (s stored) Type() language.ObjectType { return language.ObjectType(typeOf(s.v)) }

func (s stored) Inspect() string {
	obj, err := language.MapToObject(s.v)
	if err != nil {
		return err.Error()
	}
	return obj.Inspect()
}

func (s stored) ToDynamoDB() types.Item { return *s.v }

// appendable is a stored list as the interpreter's list, its elements unconverted where the
// round trip would not change them (all of them when exact).
func appendable(v *Value, exact bool) (*language.List, error) {
	elems := make([]language.Object, len(v.L))
	for i, e := range v.L {
		if exact || roundTrips(e) {
			elems[i] = stored{e}
			continue
		}
		obj, err := language.MapToObject(e)
		if err != nil {
			return nil, err
		}
		elems[i] = obj
	}
	return &language.List{Value: elems}, nil
}

// sharesPrefix reports whether list starts with exactly the values of prefix.
func sharesPrefix(list, prefix []*Value) bool {
	if len(list) < len(prefix) {
		return false
	}
	for i, v := range prefix {
		if list[i] != v {
			return false
		}
	}
	return true
}

// listValue turns the interpreter's list back into a value, sharing the unconverted elements.
func listValue(l *language.List) *Value {
	out := &Value{L: make([]*Value, 0, len(l.Value))}
	for _, o := range l.Value {
		if s, ok := o.(stored); ok {
			out.L = append(out.L, s.v)
			continue
		}
		x := o.ToDynamoDB()
		out.L = append(out.L, &x)
	}
	return out
}
