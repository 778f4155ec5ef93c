package model

import (
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/truora/minidyn/interpreter/language"
)

// Conditions and filters are evaluated by minidyn's interpreter, over its own objects: every
// attribute handed to it is converted (language.MapToObject), so an expression is given only the
// attributes it names (refs): the others cannot change its outcome, and a request's CPU does not
// grow with the item. Updates are applied by this package (update.apply): the attributes an
// update does not name are the stored values themselves, and a list it appends to keeps its
// stored elements; stored values are never changed in place, so sharing them is safe.
//
// apply's exact false takes the item through minidyn's conversion first (roundTrip), as updates
// once did, rounding numbers to float64: interp_test.go compares apply with that reference.
// UpdateItem always passes true.

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

// picked returns the attributes of item an expression may read: all of them when refs is nil or
// met a node it does not know.
func (r *refs) picked(item Item) Item {
	if r == nil || r.unknown {
		return unpackAll(item)
	}
	out := make(Item, len(r.names))
	for name := range r.names {
		if v, ok := item[name]; ok {
			out[name] = unpack(v)
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

// Update errors DynamoDB reports while applying an update to the item.
const (
	errMissingOperand = "The provided expression refers to an attribute that does not exist in the item"
	errOperandType    = "An operand in the update expression has an incorrect data type"
	errLegacyType     = "Type mismatch for attribute to update"
	errInvalidPath    = "The document path provided in the update expression is invalid for update"
)

// apply returns the item the update makes of old; old is not changed. exact says every value
// of old round-trips (see above). The values of SET are computed from the item as it was, then
// the actions are applied in turn. A list element set past the end of its list is appended, in
// index order, and a removed element leaves no gap
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
// kept names the lists of the new item that start with old's list, elements shared.
func (u *update) apply(old Item, exact bool) (Item, map[string]bool, error) {
	base := old
	if !exact {
		base = make(Item, len(old))
		for k, v := range old {
			x, err := roundTrip(v)
			if err != nil {
				return nil, nil, validation("Invalid UpdateExpression: %v", err)
			}
			base[k] = x
		}
	}
	values := make([]*Value, len(u.actions))
	for i, a := range u.actions {
		if a.kind != "SET" {
			continue
		}
		v, err := u.eval(a.val, base)
		if err != nil {
			return nil, nil, err
		}
		values[i] = v
	}
	w := &itemWriter{root: &Value{M: maps.Clone(base)}, cloned: map[*Value]bool{}, past: map[*Value]map[int]*Value{}}
	w.cloned[w.root] = true
	for i, a := range u.actions {
		if err := w.do(a, values[i], u.typeError()); err != nil {
			return nil, nil, err
		}
	}
	w.compact()
	out := w.root.M
	var kept map[string]bool
	for k, v := range out {
		if ov := old[k]; ov != nil && v != ov && v.L != nil && ov.L != nil && sharesPrefix(v.L, ov.L) {
			if kept == nil {
				kept = map[string]bool{}
			}
			kept[k] = true
		}
	}
	return out, kept, nil
}

func (u *update) typeError() string {
	if u.legacy {
		return errLegacyType
	}
	return errOperandType
}

// eval computes a SET value from item.
func (u *update) eval(o *operand, item Item) (*Value, error) {
	switch o.kind {
	case opValue:
		return o.value, nil
	case opPath:
		v := resolvePath(item, o.path)
		if v == nil {
			return nil, validation(errMissingOperand)
		}
		return v, nil
	case opPlus, opMinus:
		a, b, err := u.evalBoth(o, item)
		if err != nil {
			return nil, err
		}
		if a.N == nil || b.N == nil {
			return nil, validation("%s", u.typeError())
		}
		n, err := addNumbers(*a.N, *b.N, o.kind == opMinus)
		if err != nil {
			return nil, err
		}
		return &Value{N: &n}, nil
	}
	switch o.fn {
	case "if_not_exists":
		if v := resolvePath(item, o.args[0].path); v != nil {
			return v, nil
		}
		return u.eval(o.args[1], item)
	case "list_append":
		a, b, err := u.evalBoth(o, item)
		if err != nil {
			return nil, err
		}
		a, b = unpack(a), unpack(b)
		if a.L == nil || b.L == nil {
			return nil, validation("%s", u.typeError())
		}
		l := make([]*Value, 0, len(a.L)+len(b.L))
		return &Value{L: append(append(l, a.L...), b.L...)}, nil
	}
	return nil, validation("Invalid UpdateExpression: Invalid function name; function: %s", o.fn)
}

// resolvePath is the value at path in item, nil when there is none.
func resolvePath(item Item, path docPath) *Value {
	v := item[path[0].name]
	for _, e := range path[1:] {
		v = unpack(v)
		switch {
		case v == nil:
			return nil
		case e.isIdx:
			if v.L == nil || e.index >= len(v.L) {
				return nil
			}
			v = v.L[e.index]
		default:
			if v.M == nil {
				return nil
			}
			v = v.M[e.name]
		}
	}
	return v
}

// itemWriter applies actions to a copy of an item: every map and list on an action's path is
// copied once, the rest is shared. A removed list element is a nil until compact; an element
// set past the end of its list waits in past.
type itemWriter struct {
	root   *Value
	cloned map[*Value]bool
	past   map[*Value]map[int]*Value
}

// parent finds (copying) the map or list an action's last path element is in.
func (w *itemWriter) parent(path docPath) (*Value, error) {
	cur := w.root
	for i, e := range path {
		if cur == nil || e.isIdx && cur.L == nil || !e.isIdx && cur.M == nil {
			return nil, validation(errInvalidPath)
		}
		if i == len(path)-1 {
			return cur, nil
		}
		var child *Value
		if e.isIdx {
			if e.index < len(cur.L) {
				child = cur.L[e.index]
			}
		} else {
			child = cur.M[e.name]
		}
		if isPacked(child) {
			child = unpack(child) // a tree of its own: no need to copy it again
			w.cloned[child] = true
			w.put(cur, e, child)
		}
		if child == nil || child.L == nil && child.M == nil {
			return nil, validation(errInvalidPath)
		}
		if !w.cloned[child] {
			c := &Value{}
			if child.L != nil {
				c.L = slices.Clone(child.L)
			} else {
				c.M = maps.Clone(child.M)
			}
			child = c
			w.cloned[child] = true
			w.put(cur, e, child)
		}
		cur = child
	}
	return cur, nil
}

func (w *itemWriter) get(parent *Value, e pathElem) *Value {
	if !e.isIdx {
		return parent.M[e.name]
	}
	if e.index < len(parent.L) {
		return parent.L[e.index]
	}
	return nil
}

func (w *itemWriter) put(parent *Value, e pathElem, v *Value) {
	if parent != w.root {
		v = unpack(v) // packed values stay at the top of an item
	}
	switch {
	case !e.isIdx:
		parent.M[e.name] = v
	case e.index < len(parent.L):
		parent.L[e.index] = v
	default:
		if w.past[parent] == nil {
			w.past[parent] = map[int]*Value{}
		}
		w.past[parent][e.index] = v
	}
}

func (w *itemWriter) remove(parent *Value, e pathElem) {
	switch {
	case !e.isIdx:
		delete(parent.M, e.name)
	case e.index < len(parent.L):
		parent.L[e.index] = nil
	}
}

// do applies one action; v is a SET's value.
func (w *itemWriter) do(a action, v *Value, typeErr string) error {
	parent, err := w.parent(a.path)
	if err != nil {
		return err
	}
	last := a.path[len(a.path)-1]
	cur := w.get(parent, last)
	switch a.kind {
	case "SET":
		w.put(parent, last, v)
	case "REMOVE":
		w.remove(parent, last)
	case "ADD":
		add := a.val.value
		if cur == nil {
			w.put(parent, last, add)
			return nil
		}
		if typeOf(cur) != typeOf(add) {
			return validation("%s", typeErr)
		}
		if add.N != nil {
			n, err := addNumbers(*cur.N, *add.N, false)
			if err != nil {
				return err
			}
			w.put(parent, last, &Value{N: &n})
			return nil
		}
		w.put(parent, last, setUnion(cur, add))
	case "DELETE":
		del := a.val.value
		if cur == nil {
			return nil
		}
		if typeOf(cur) != typeOf(del) {
			return validation("%s", typeErr)
		}
		if rest := setDifference(cur, del); rest != nil {
			w.put(parent, last, rest)
		} else {
			w.remove(parent, last)
		}
	}
	return nil
}

// compact closes the gaps of removed list elements and appends the elements set past the end.
func (w *itemWriter) compact() {
	for v := range w.cloned {
		if v.L == nil {
			continue
		}
		if slices.Contains(v.L, nil) {
			v.L = slices.DeleteFunc(v.L, func(e *Value) bool { return e == nil })
		}
		if past := w.past[v]; past != nil {
			for _, i := range slices.Sorted(maps.Keys(past)) {
				v.L = append(v.L, past[i])
			}
		}
	}
}

// setMember is a set element's identity: numbers by value.
func setMember(typ string, v *Value, i int) string {
	switch typ {
	case "SS":
		return *v.SS[i]
	case "NS":
		if n, err := parseNumber(*v.NS[i]); err == nil {
			return n.String()
		}
		return *v.NS[i]
	}
	return string(v.BS[i])
}

func setLen(v *Value) int { return len(v.SS) + len(v.NS) + len(v.BS) }

// setUnion is a's members, then b's that a does not hold.
func setUnion(a, b *Value) *Value {
	typ := typeOf(a)
	have := map[string]bool{}
	for i := range setLen(a) {
		have[setMember(typ, a, i)] = true
	}
	out := &Value{SS: slices.Clone(a.SS), NS: slices.Clone(a.NS), BS: slices.Clone(a.BS)}
	for i := range setLen(b) {
		if m := setMember(typ, b, i); !have[m] {
			have[m] = true
			switch typ {
			case "SS":
				out.SS = append(out.SS, b.SS[i])
			case "NS":
				out.NS = append(out.NS, b.NS[i])
			default:
				out.BS = append(out.BS, b.BS[i])
			}
		}
	}
	return out
}

// setDifference is a's members that b does not hold, nil when none is left (DynamoDB removes an
// attribute whose set becomes empty).
func setDifference(a, b *Value) *Value {
	typ := typeOf(a)
	drop := map[string]bool{}
	for i := range setLen(b) {
		drop[setMember(typ, b, i)] = true
	}
	out := &Value{}
	n := 0
	for i := range setLen(a) {
		if drop[setMember(typ, a, i)] {
			continue
		}
		n++
		switch typ {
		case "SS":
			out.SS = append(out.SS, a.SS[i])
		case "NS":
			out.NS = append(out.NS, a.NS[i])
		default:
			out.BS = append(out.BS, a.BS[i])
		}
	}
	if n == 0 {
		return nil
	}
	return out
}

// addNumbers is x + y (x - y when sub), exactly, in DynamoDB's notation.
func addNumbers(x, y string, sub bool) (string, error) {
	a, okA := new(big.Rat).SetString(x)
	b, okB := new(big.Rat).SetString(y)
	if !okA || !okB {
		return "", validation(errOperandType)
	}
	if sub {
		b.Neg(b)
	}
	scale := 0
	for _, s := range []string{x, y} {
		if n, err := parseNumber(s); err == nil && len(n.digits)-n.exp > scale {
			scale = len(n.digits) - n.exp
		}
	}
	n, err := parseNumber(a.Add(a, b).FloatString(scale))
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// projectPaths is what a projection of paths gives of item: the values found, in maps and lists
// shaped as in item (list elements in index order, without gaps). Values are shared.
func projectPaths(item Item, paths []docPath) Item {
	root := &Value{M: Item{}}
	lists := map[*Value]map[int]*Value{}
	for _, p := range paths {
		v := resolvePath(item, p)
		if v == nil {
			continue
		}
		cur := root
		for i, e := range p {
			last := i == len(p)-1
			if e.isIdx {
				if lists[cur] == nil {
					lists[cur] = map[int]*Value{}
				}
				next := lists[cur][e.index]
				if last {
					next = v
				} else if next == nil {
					next = &Value{}
				}
				lists[cur][e.index] = next
				cur = next
				continue
			}
			if cur.M == nil {
				cur.M = Item{}
			}
			next := cur.M[e.name]
			if last {
				next = v
			} else if next == nil {
				next = &Value{}
			}
			cur.M[e.name] = next
			cur = next
		}
	}
	for l, elems := range lists {
		l.L = make([]*Value, 0, len(elems))
		for _, i := range slices.Sorted(maps.Keys(elems)) {
			l.L = append(l.L, elems[i])
		}
	}
	if len(root.M) == 0 {
		return nil
	}
	return root.M
}

// canonicalValue is v with its numbers as DynamoDB stores them ("2.50" → "2.5"): v itself when
// they already are, else a copy.
func canonicalValue(v *Value) *Value {
	if v == nil || canonicalNumbers(v) {
		return v
	}
	out := *v
	canon := func(s *string) *string {
		if n, err := parseNumber(*s); err == nil {
			c := n.String()
			return &c
		}
		return s
	}
	switch {
	case v.N != nil:
		out.N = canon(v.N)
	case v.NS != nil:
		out.NS = make([]*string, len(v.NS))
		for i, n := range v.NS {
			out.NS[i] = canon(n)
		}
	case v.L != nil:
		out.L = make([]*Value, len(v.L))
		for i, e := range v.L {
			out.L[i] = canonicalValue(e)
		}
	case v.M != nil:
		out.M = make(Item, len(v.M))
		for k, e := range v.M {
			out.M[k] = canonicalValue(e)
		}
	}
	return &out
}

func canonicalNumbers(v *Value) bool {
	canon := func(s *string) bool {
		n, err := parseNumber(*s)
		return err != nil || n.String() == *s
	}
	switch {
	case v.N != nil:
		return canon(v.N)
	case v.NS != nil:
		for _, n := range v.NS {
			if n != nil && !canon(n) {
				return false
			}
		}
	case v.L != nil:
		for _, e := range v.L {
			if e != nil && !canonicalNumbers(e) {
				return false
			}
		}
	case v.M != nil:
		for _, e := range v.M {
			if e != nil && !canonicalNumbers(e) {
				return false
			}
		}
	}
	return true
}

// evalBoth evaluates a two-operand operator's or function's operands, left first.
func (u *update) evalBoth(o *operand, item Item) (a, b *Value, err error) {
	if a, err = u.eval(o.args[0], item); err != nil {
		return nil, nil, err
	}
	if b, err = u.eval(o.args[1], item); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}
