package model

import (
	"bytes"
	"errors"
	"iter"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/truora/minidyn/interpreter/language"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/textcache"
)

// Expressions are evaluated by minidyn's interpreter (its language package). They are parsed once
// per request and evaluated per item, and updates are applied to a fresh map: minidyn's own
// Update leaves attributes removed by a top-level REMOVE in place.

// exprArgs are a request's ExpressionAttributeNames and ExpressionAttributeValues.
type exprArgs struct {
	names  map[string]string
	values Item
}

// labeled is one expression of a request and its parameter name, e.g. "ConditionExpression".
// empty is set when the request sent the member with an empty value: DynamoDB rejects that
// ("The expression can not be empty;") where it ignores an absent member. compile, when set,
// parses the expression: DynamoDB reports a syntax error before an unused placeholder.
// placeholders says compile checks the placeholders itself, in DynamoDB's order for the
// expression (an update expression's syntax, reserved words, functions and sections come first).
type labeled struct {
	label, expr  string
	empty        bool
	placeholders bool
	compile      func() error
}

func (e labeled) present() bool { return e.expr != "" || e.empty }

// emptyExprs records which expression members a request sent as "" (the decoder reads an absent
// member as "" too).
type emptyExprs uint8

const (
	emptyProjection emptyExprs = 1 << iota
	emptyCondition
	emptyUpdate
	emptyKeyCondition
	emptyFilter
)

func (e emptyExprs) has(bit emptyExprs) bool { return e&bit != 0 }

// placeholders yields the placeholders an expression names, in order: every "#" or ":" followed
// by letters, digits and underscores (the regular expression [#:][A-Za-z0-9_]+, scanned by hand:
// every write request checks its expressions with it).
func placeholders(expr string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(expr); i++ {
			if c := expr[i]; c != '#' && c != ':' {
				continue
			}
			j := i + 1
			for j < len(expr) && isPlaceholderByte(expr[j]) {
				j++
			}
			if j == i+1 {
				continue
			}
			if !yield(expr[i:j]) {
				return
			}
			i = j - 1
		}
	}
}

// isPlaceholderKey reports whether k is a valid key of ExpressionAttributeNames (sigil '#') or
// ExpressionAttributeValues (':'): the sigil and at least one letter, digit or underscore.
func isPlaceholderKey(k string, sigil byte) bool {
	if len(k) < 2 || k[0] != sigil {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isPlaceholderByte(k[i]) {
			return false
		}
	}
	return true
}

func isPlaceholderByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// checkArgs validates a request's expressions and their placeholders in the order DynamoDB
// reports the problems (one at a time): the names map (not empty, keys #name), the values map
// (not empty, keys :value, each value valid), then each expression in turn (not empty, not over
// 4 KB, its placeholders defined, its syntax), and last placeholders defined but never used.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
func checkArgs(args exprArgs, exprs ...labeled) error {
	some := false
	for _, e := range exprs {
		some = some || e.present()
	}
	if !some {
		if args.names != nil {
			return validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if args.values != nil {
			return validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil
	}
	if args.names != nil {
		if len(args.names) == 0 {
			return validation("ExpressionAttributeNames must not be empty")
		}
		for _, k := range slices.Sorted(maps.Keys(args.names)) {
			if !isPlaceholderKey(k, '#') {
				return validation("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	if args.values != nil {
		if len(args.values) == 0 {
			return validation("ExpressionAttributeValues must not be empty")
		}
		keys := slices.Sorted(maps.Keys(args.values))
		for _, k := range keys {
			if !isPlaceholderKey(k, ':') {
				return validation("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
			}
		}
		for _, k := range keys {
			if err := validateValue(args.values[k], 0); err != nil {
				return validation("ExpressionAttributeValues contains invalid value: %s for key %s", errorMessage(err), k)
			}
		}
	}
	usedNames, usedValues := map[string]bool{}, map[string]bool{}
	for _, e := range exprs {
		if !e.present() {
			continue
		}
		if e.expr == "" {
			return validation("Invalid %s: The expression can not be empty;", e.label)
		}
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
		if len(e.expr) > maxExpressionSize {
			return validation("Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %d", e.label, len(e.expr))
		}
		switch e.label {
		case "ConditionExpression", "FilterExpression", "KeyConditionExpression":
			if err := checkConditionGrammar(e.label, e.expr, args); err != nil {
				return err
			}
		case "ProjectionExpression":
			if err := checkProjectionExpression(e.expr, args.names); err != nil {
				return err
			}
		}
		if e.placeholders && e.compile != nil {
			if err := e.compile(); err != nil {
				return err
			}
		}
		for tok := range placeholders(e.expr) {
			if tok[0] == '#' {
				if _, ok := args.names[tok]; !ok {
					return validation("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", e.label, tok)
				}
				usedNames[tok] = true
				continue
			}
			if _, ok := args.values[tok]; !ok {
				return validation("Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s", e.label, tok)
			}
			usedValues[tok] = true
		}
		if e.compile != nil && !e.placeholders {
			if err := e.compile(); err != nil {
				return err
			}
		}
	}
	if unused := unusedKeys(args.names, usedNames); unused != "" {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", unused)
	}
	if unused := unusedKeys(args.values, usedValues); unused != "" {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", unused)
	}
	return nil
}

// errorMessage is the message of a model error, or the error's text.
func errorMessage(err error) string {
	if e := (*Error)(nil); errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func unusedKeys[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

var reservedRE = regexp.MustCompile(`reserved word (\S+) found`)

// exprError turns a minidyn parse or evaluation message into DynamoDB's ValidationException.
func exprError(label, expr, msg string) *Error {
	if m := reservedRE.FindStringSubmatch(msg); m != nil {
		word := m[1]
		if i := strings.Index(strings.ToUpper(expr), word); i >= 0 {
			word = expr[i : i+len(word)]
		}
		return validation("Invalid %s: Attribute name is a reserved keyword; reserved keyword: %s", label, word)
	}
	msg = strings.TrimPrefix(msg, "ERROR: ")
	if strings.HasPrefix(msg, "Invalid ") {
		return validation("%s", msg)
	}
	if rest, ok := strings.CutPrefix(msg, "invalid function name"); ok {
		return validation("Invalid %s: Invalid function name%s", label, rest)
	}
	if !strings.HasPrefix(msg, "Syntax error") {
		msg = "Syntax error; " + msg
	}
	return validation("Invalid %s: %s", label, msg)
}

// condition is a parsed condition or filter expression.
type condition struct {
	label string
	expr  string
	ast   *language.ConditionalExpression
	args  exprArgs
	refs  *refs // the attributes it may read
}

func compileCondition(label, expr string, args exprArgs) (*condition, error) {
	if expr == "" {
		return nil, nil
	}
	parsed := parseCondition(expr)
	ast := parsed.ast
	if parsed.errs != "" {
		return nil, exprError(label, expr, parsed.errs)
	}
	if ast.Expression == nil {
		return nil, validation("Invalid %s: The expression can not be empty;", label)
	}
	r := newRefs()
	r.walk(ast, args.names, false)
	if r.reserved != "" {
		return nil, validation("Invalid %s: Attribute name is a reserved keyword; reserved keyword: %s", label, r.reserved)
	}
	return &condition{label: label, expr: expr, ast: ast, args: args, refs: r}, nil
}

// parsedCondition is what parsing a condition gives that depends on its text alone: minidyn's
// tree of the text as render rewrites it, or minidyn's errors.
type parsedCondition struct {
	ast  *language.ConditionalExpression
	errs string
}

// The parses of an expression's text alone are kept per text (textcache): an application sends
// the same few expressions on every call, and lexing and parsing them again (the emulator's
// grammar, then minidyn's) was 4 % of 01's CPU at 2,000 orders a second. They are only read once
// made, so calls share them. Expressions longer than maxCachedExpressionSize (an application's
// are a few dozen bytes; DynamoDB takes up to 4 KB) are parsed on every call, and so are new ones
// once a cache holds maxCachedExpressions, so that a client sending distinct expressions cannot
// make the caches hold much more than 50 MB (a 500-byte condition's tokens and two trees take
// about 49 KB of heap, measured).
const (
	maxCachedExpressions    = 1024
	maxCachedExpressionSize = 512
)

func newExprCache[T any]() *textcache.Cache[T] {
	return &textcache.Cache[T]{MaxEntries: maxCachedExpressions, MaxKeyLen: maxCachedExpressionSize}
}

var (
	conditions      = newExprCache[*parsedCondition]()
	conditionTokens = newExprCache[[]token]()
	conditionTrees  = newExprCache[*condTree]()
	updateTokens    = newExprCache[[]token]()
)

func parseCondition(expr string) *parsedCondition {
	return conditions.Get(expr, func(expr string) *parsedCondition {
		text := expr
		if root := parseConditionTree(expr); root != nil {
			text = root.render()
		}
		p := language.NewParser(language.NewLexer(text))
		return &parsedCondition{ast: p.ParseConditionalExpression(), errs: strings.Join(p.Errors(), "; ")}
	})
}

func (c *condition) env(item Item) (*language.Environment, error) {
	env := language.NewEnvironment()
	if c.args.names != nil {
		env.Aliases = c.args.names
	}
	if err := env.AddAttributes(c.refs.picked(item)); err != nil {
		return nil, validation("Invalid %s: %v", c.label, err)
	}
	if err := env.AddAttributes(c.args.values); err != nil {
		return nil, validation("Invalid %s: %v", c.label, err)
	}
	return env, nil
}

// match evaluates the condition against an item (an empty map for a missing item).
func (c *condition) match(item Item) (bool, error) {
	if c == nil {
		return true, nil
	}
	env, err := c.env(item)
	if err != nil {
		return false, err
	}
	return c.eval(c.ast.Expression, env)
}

// eval evaluates AND, OR, NOT and parentheses itself and hands each comparison or function to
// minidyn: one on a missing attribute or on operands of different types is false, as in
// DynamoDB (an item whose attribute is a string where the filter compares a number is simply
// not matched), and NOT of it is true. minidyn would make the whole expression an error.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
func (c *condition) eval(n language.Node, env *language.Environment) (bool, error) {
	switch node := n.(type) {
	case *language.ConditionalExpression:
		return c.eval(node.Expression, env)
	case *language.PrefixExpression:
		if strings.EqualFold(node.Operator, "NOT") {
			b, err := c.eval(node.Right, env)
			return !b, err
		}
	case *language.InfixExpression:
		switch strings.ToUpper(node.Operator) {
		case "AND":
			b, err := c.eval(node.Left, env)
			if err != nil || !b {
				return false, err
			}
			return c.eval(node.Right, env)
		case "OR":
			b, err := c.eval(node.Left, env)
			if err != nil || b {
				return b, err
			}
			return c.eval(node.Right, env)
		case "=", "<>":
			if eq, ok := equality(node, env); ok {
				return eq == (node.Operator == "="), nil
			}
		}
		if b, ok := compareStringSize(node, env); ok {
			return b, nil
		}
	}
	res := evalPath(n, env)
	if res.Type() == language.ObjectTypeError {
		msg := res.Inspect()
		if pathMismatch(msg) {
			// The path goes into an attribute of another type (b[1] in a map): it names
			// nothing in this item, so only attribute_not_exists holds.
			call, ok := n.(*language.CallExpression)
			return ok && strings.EqualFold(call.Function.String(), "attribute_not_exists"), nil
		}
		if strings.Contains(msg, "NULL") && !strings.Contains(msg, "function name") || typeMismatch(msg) ||
			unmatchedFunction(n, msg) {
			return false, nil
		}
		return false, exprError(c.label, c.expr, msg)
	}
	return res == language.TRUE, nil
}

// equality decides a = b and a <> b where minidyn does not answer as DynamoDB: operands of
// different types are not equal (so <> is true; minidyn makes it an error, which would read as
// false), and binary sets are equal when they hold the same elements in any order (minidyn
// compares them in the order they were written). ok is false where minidyn's answer stands.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators
func equality(node *language.InfixExpression, env *language.Environment) (eq, ok bool) {
	l, r := evalPath(node.Left, env), evalPath(node.Right, env)
	if l.Type() == language.ObjectTypeError || r.Type() == language.ObjectTypeError ||
		language.IsUndefinedObject(l) || language.IsUndefinedObject(r) {
		return false, false
	}
	if l.Type() != r.Type() {
		return false, true
	}
	lb, lok := l.(*language.BinarySet)
	rb, rok := r.(*language.BinarySet)
	if !lok || !rok {
		return false, false
	}
	if len(lb.Value) != len(rb.Value) {
		return false, true
	}
	for _, x := range lb.Value {
		if !slices.ContainsFunc(rb.Value, func(y []byte) bool { return bytes.Equal(x, y) }) {
			return false, true
		}
	}
	return true, true
}

// compareStringSize decides a comparison with size() of a string, which DynamoDB counts in
// characters and minidyn in UTF-8 bytes ("abÿ" is 3 characters). ok is false when neither
// operand is size() of a string.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
func compareStringSize(node *language.InfixExpression, env *language.Environment) (result, ok bool) {
	operand := func(e language.Expression) (language.Object, bool) {
		if call, isCall := e.(*language.CallExpression); isCall && call.Function.String() == "size" && len(call.Arguments) == 1 {
			if str, isStr := evalPath(call.Arguments[0], env).(*language.String); isStr {
				return &language.Number{Value: float64(utf8.RuneCountInString(str.Value))}, true
			}
		}
		return evalPath(e, env), false
	}
	l, lSize := operand(node.Left)
	r, rSize := operand(node.Right)
	if !lSize && !rSize {
		return false, false
	}
	ln, lok := l.(*language.Number)
	rn, rok := r.(*language.Number)
	if !lok || !rok {
		return false, true // a size against a missing attribute or another type is false
	}
	switch node.Operator {
	case "=":
		return ln.Value == rn.Value, true
	case "<>":
		return ln.Value != rn.Value, true
	case "<":
		return ln.Value < rn.Value, true
	case "<=":
		return ln.Value <= rn.Value, true
	case ">":
		return ln.Value > rn.Value, true
	case ">=":
		return ln.Value >= rn.Value, true
	}
	return false, false
}

// unmatchedFunction reports whether minidyn's error is contains or begins_with meeting an
// attribute of a type the function does not look into (contains on a number or a binary set
// with a string, begins_with on a number or a set): DynamoDB's functions are then false for
// that item, as the developer guide defines them by the attribute's type.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
func unmatchedFunction(n language.Node, msg string) bool {
	call, ok := n.(*language.CallExpression)
	if !ok {
		return false
	}
	switch strings.ToLower(call.Function.String()) {
	case "contains":
		return strings.HasPrefix(msg, "ERROR: contains is not supported for path=")
	case "begins_with":
		return strings.HasPrefix(msg, "ERROR: invalid type ") || strings.HasPrefix(msg, "ERROR: invalid substr type ")
	}
	return false
}

// evalPath is language.Eval, except that a list index past the list's end, on which minidyn
// panics, is the error of a path that names nothing in the item (see pathMismatch).
func evalPath(n language.Node, env *language.Environment) (res language.Object) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(runtime.Error); !ok || !strings.Contains(err.Error(), "index out of range") {
				panic(r)
			}
			res = &language.Error{Message: "index operator not supported for list past its end"}
		}
	}()
	return language.Eval(n, env)
}

// pathMismatch reports whether minidyn's error is a document path stepping into an attribute
// that is not a list ([n]) or not a map (.name).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html#Expressions.Attributes.NestedElements.DocumentPathExamples
func pathMismatch(msg string) bool {
	return strings.HasPrefix(msg, "ERROR: index operator ") &&
		(strings.Contains(msg, " not supporter: ") || strings.HasPrefix(msg, "ERROR: index operator not supported for "))
}

// typeMismatch reports whether minidyn's error is about operands of the wrong type.
func typeMismatch(msg string) bool {
	for _, s := range []string{"type mismatch", "mismatch type", "operand is not", "comparing types are not supported",
		"unexpected type", "unsupported type: between",
		// size() of a number, a Boolean or null: no size, so its comparison is false.
		"type not supported: size "} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// update is a parsed update expression.
type update struct {
	expr    string
	actions []action
	args    exprArgs
	legacy  bool // translated from AttributeUpdates, whose type errors DynamoDB words differently
}

func compileUpdate(expr string, args exprArgs) (*update, error) {
	actions, err := parseUpdate(expr, args)
	if err != nil {
		return nil, err
	}
	return &update{expr: expr, actions: actions, args: args}, nil
}

// paths are the document paths the update's actions write, which UPDATED_OLD and UPDATED_NEW
// return.
func (u *update) paths() []docPath {
	if u == nil {
		return nil
	}
	out := make([]docPath, len(u.actions))
	for i, a := range u.actions {
		out[i] = a.path
	}
	return out
}

// projection is a parsed projection expression, or the legacy AttributesToGet list.
type projection struct {
	paths []language.Expression
	names map[string]string
	refs  *refs    // the attributes the paths may read
	attrs []string // AttributesToGet, or the names when every path is a top-level attribute
}

func compileProjection(expr string, names map[string]string, attributesToGet []string) (*projection, error) {
	if expr != "" && len(attributesToGet) > 0 {
		return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	if len(attributesToGet) > 0 {
		return &projection{attrs: attributesToGet}, nil
	}
	if expr == "" {
		return nil, nil
	}
	if err := projectionSyntax(expr); err != nil {
		return nil, err
	}
	p := language.NewParser(language.NewLexer(expr))
	paths := p.ParseProjectionExpression()
	if errs := p.Errors(); len(errs) > 0 {
		return nil, exprError("ProjectionExpression", expr, strings.Join(errs, "; "))
	}
	// Plain top-level names (the common case) are picked without the interpreter.
	attrs := make([]string, 0, len(paths))
	for _, path := range paths {
		id, ok := path.(*language.Identifier)
		if !ok {
			r := newRefs()
			for _, p := range paths {
				r.walk(p, names, false)
			}
			return &projection{paths: paths, names: names, refs: r}, nil
		}
		name := id.Value
		if strings.HasPrefix(name, "#") {
			name = names[name]
		} else if language.IsReservedWord(strings.ToUpper(name)) {
			return nil, validation("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: %s", name)
		}
		attrs = append(attrs, name)
	}
	return &projection{attrs: attrs}, nil
}

// projectionSyntax reports the first token of a projection expression that its grammar does
// not allow, as DynamoDB reports a syntax error: the token and the text from the token before
// it to the token after it. The grammar is the developer guide's
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html):
// document paths separated by commas, each a name or #placeholder followed by .name and [n]
// parts. A character that is no part of the expression language ("!", "$", …) is a token of its
// own. Nil when the expression follows the grammar, or is blank (which has its own message).
func projectionSyntax(expr string) (err error) {
	p := &updateParser{src: expr, toks: lexUpdate(expr)}
	if len(p.toks) == 1 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = validation(`Invalid ProjectionExpression: Syntax error; token: "%s", near: "%s"`, se.tok.text, p.nearText(se.tok))
		}
	}()
	name := func() {
		if t := p.peek(); t.kind != tokName && t.kind != tokIdent {
			p.fail()
		}
		p.next()
	}
	for {
		name()
		for {
			if p.isPunct(".") {
				p.next()
				name()
				continue
			}
			if p.isPunct("[") {
				p.next()
				if p.peek().kind != tokNumber {
					p.fail()
				}
				p.next()
				p.expect("]")
				continue
			}
			break
		}
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if p.peek().kind != tokEOF {
		p.fail()
	}
	return nil
}

// checkProjectionExpression checks a projection expression in DynamoDB's order, before the table is
// looked up: its syntax (projectionSyntax), then a reserved word used as a name, an undefined
// #name, and two paths that overlap (one is the other or inside it) or conflict (one goes on
// with a map key where the other has a list index).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
func checkProjectionExpression(expr string, names map[string]string) error {
	if err := projectionSyntax(expr); err != nil {
		return err
	}
	p := &updateParser{src: expr, toks: lexUpdate(expr), args: exprArgs{names: names}, used: map[string]bool{},
		errs: map[string]string{}}
	for {
		p.checkPath(p.path())
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	for _, kind := range []string{"reserved", "name", "overlap", "conflict"} {
		if msg, ok := p.errs[kind]; ok {
			return validation("Invalid ProjectionExpression: %s", msg)
		}
	}
	return nil
}

// apply returns the projected copy of item (values are shared, never changed).
func (p *projection) apply(item Item) (Item, error) {
	if p == nil || item == nil {
		return item, nil
	}
	out := Item{}
	if p.attrs != nil {
		for _, a := range p.attrs {
			if v, ok := item[a]; ok {
				out[a] = v
			}
		}
		return out, nil
	}
	env := language.NewEnvironment()
	if p.names != nil {
		env.Aliases = maps.Clone(p.names)
	}
	if err := env.AddAttributes(p.refs.picked(item)); err != nil {
		return nil, validation("Invalid ProjectionExpression: %v", err)
	}
	for _, path := range p.paths {
		res := evalPath(path, env)
		if language.IsUndefinedObject(res) || res.Type() == language.ObjectTypeError && pathMismatch(res.Inspect()) {
			// The path names nothing in this item (c[0].a where c[0] is a string): nothing to
			// project, as for a missing attribute.
			continue
		}
		if res.Type() == language.ObjectTypeError {
			return nil, exprError("ProjectionExpression", "", res.Inspect())
		}
		elems, err := language.ExtractPath(path, env)
		if err != nil {
			return nil, validation("Invalid ProjectionExpression: %v", err)
		}
		language.SetProjectedPath(out, elems, res.ToDynamoDB())
	}
	for _, v := range out {
		compactLists(v)
	}
	return out, nil
}

// compactLists drops the holes minidyn leaves where list elements were not projected: DynamoDB
// answers l[2] as a one-element list.
func compactLists(v *Value) {
	if v == nil {
		return
	}
	if slices.Contains(v.L, nil) {
		v.L = slices.DeleteFunc(slices.Clone(v.L), func(e *Value) bool { return e == nil })
	}
	for _, e := range v.L {
		compactLists(e)
	}
	for _, e := range v.M {
		compactLists(e)
	}
}
