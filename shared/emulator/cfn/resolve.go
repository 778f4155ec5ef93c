package cfn

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Resolver resolves intrinsics against the physical state the caller builds as it provisions.
// Create it with NewResolver; a Resolver is then read-only, so it is safe for concurrent use when
// Ref and GetAtt are.
type Resolver struct {
	StackName string // AWS::StackName; AWS::StackId is derived from it
	Region    string // AWS::Region
	AccountID string // AWS::AccountId
	Partition string // AWS::Partition; "" means aws, aws-cn or aws-us-gov according to Region
	URLSuffix string // AWS::URLSuffix; "" means amazonaws.com, or amazonaws.com.cn in China

	// Parameters holds parameter values by name: a string (numbers and booleans are accepted)
	// or, for list types, a list or a comma-separated string. NewResolver applies defaults and
	// rejects missing, undeclared and invalid values.
	Parameters map[string]any

	// Ref answers Ref to a provisioned resource, GetAtt answers Fn::GetAtt (and ${Res.Attr} in
	// Fn::Sub). Their errors are wrapped, so errors.Is and errors.As see them.
	Ref    func(logicalID string) (any, error)
	GetAtt func(logicalID, attribute string) (any, error)

	tmpl       *Template
	stackID    string
	conditions map[string]bool
}

var errNoTemplate = errors.New("the resolver was not created by NewResolver")

// pseudoParameters are the names Ref answers without a template declaration.
var pseudoParameters = []string{
	"AWS::AccountId", "AWS::NoValue", "AWS::NotificationARNs", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}

func isPseudo(name string) bool {
	return slices.Contains(pseudoParameters, name)
}

// NewResolver returns a resolver for t with the stack identity, parameter values and callbacks
// of r. It applies parameter defaults, validates parameter values against their declarations,
// and evaluates every condition.
func NewResolver(t *Template, r Resolver) (*Resolver, error) {
	if t == nil {
		return nil, errors.New("new resolver: template is nil")
	}
	for _, f := range []struct{ name, value string }{
		{"StackName", r.StackName}, {"Region", r.Region}, {"AccountID", r.AccountID},
	} {
		if f.value == "" {
			return nil, fmt.Errorf("new resolver: %s is required", f.name)
		}
	}
	if r.Partition == "" {
		switch {
		case strings.HasPrefix(r.Region, "cn-"):
			r.Partition = "aws-cn"
		case strings.HasPrefix(r.Region, "us-gov-"):
			r.Partition = "aws-us-gov"
		default:
			r.Partition = "aws"
		}
	}
	if r.URLSuffix == "" {
		r.URLSuffix = "amazonaws.com"
		if r.Partition == "aws-cn" {
			r.URLSuffix = "amazonaws.com.cn"
		}
	}
	params, err := parameterValues(t, r.Parameters)
	if err != nil {
		return nil, fmt.Errorf("new resolver: %w", err)
	}
	r.Parameters = params
	r.tmpl = t
	// CloudFormation makes up a UUID per stack; a hash keeps it stable from run to run.
	sum := sha256.Sum256([]byte(r.Partition + "/" + r.Region + "/" + r.AccountID + "/" + r.StackName))
	r.stackID = arn.ARN{Partition: r.Partition, Service: "cloudformation", Region: r.Region, AccountID: r.AccountID,
		Resource: fmt.Sprintf("stack/%s/%x-%x-%x-%x-%x", r.StackName, sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])}.String()
	r.conditions = make(map[string]bool, len(t.Conditions))
	for _, name := range sortedKeys(t.Conditions) {
		if _, err := r.evalCondition(name, nil); err != nil {
			return nil, fmt.Errorf("new resolver: %w", err)
		}
	}
	return &r, nil
}

// Condition returns the value of a condition declared in the template's Conditions.
func (r *Resolver) Condition(name string) (bool, error) {
	if r.tmpl == nil {
		return false, errNoTemplate
	}
	v, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not declared in Conditions", name)
	}
	return v, nil
}

// Include reports whether res is created: false when its Condition is false.
func (r *Resolver) Include(res *Resource) (bool, error) {
	if res.Condition == "" {
		return true, nil
	}
	ok, err := r.Condition(res.Condition)
	if err != nil {
		return false, fmt.Errorf("resource %s: %w", res.LogicalID, err)
	}
	return ok, nil
}

// Properties resolves res.Properties, with paths starting "<LogicalID>.Properties". A resource
// without properties gets an empty map.
func (r *Resolver) Properties(res *Resource) (map[string]any, error) {
	path := res.LogicalID + ".Properties"
	v, err := r.Resolve(path, res.Properties)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case nil:
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("%s: expected an object, got %s", path, describe(v))
}

// Resolve resolves every intrinsic function in v and returns plain JSON values (map[string]any,
// []any, string, float64, bool, nil); v itself is not modified. Keys and list elements that
// resolve to AWS::NoValue are removed, and a v that is AWS::NoValue resolves to nil. path names v
// in errors, e.g. "Bakery.Properties.Environment".
func (r *Resolver) Resolve(path string, v any) (any, error) {
	if r.tmpl == nil {
		return nil, errNoTemplate
	}
	out, err := r.eval(path, v, false)
	if err != nil {
		return nil, err
	}
	if isNoValue(out) {
		return nil, nil
	}
	return out, nil
}

// Outputs resolves the template's Outputs to strings, skipping those whose Condition is false.
func (r *Resolver) Outputs() (map[string]string, error) {
	if r.tmpl == nil {
		return nil, errNoTemplate
	}
	out := make(map[string]string, len(r.tmpl.Outputs))
	for _, name := range sortedKeys(r.tmpl.Outputs) {
		o := r.tmpl.Outputs[name]
		if o.Condition != "" {
			ok, err := r.Condition(o.Condition)
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", name, err)
			}
			if !ok {
				continue
			}
		}
		path := "Outputs." + name + ".Value"
		v, err := r.Resolve(path, o.Value)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s: expected a string, got %s", path, describe(v))
		}
		out[name] = s
	}
	return out, nil
}

func isNoValue(v any) bool {
	_, ok := v.(noValueType)
	return ok
}

// eval resolves v. inCond is set inside Conditions, where only parameters and pseudo parameters
// may be referred to.
func (r *Resolver) eval(path string, v any, inCond bool) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if fn, arg, ok := intrinsic(v); ok {
			return r.call(path, fn, arg, inCond)
		}
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			e, err := r.eval(path+"."+k, v[k], inCond)
			if err != nil {
				return nil, err
			}
			if !isNoValue(e) {
				out[k] = e
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, e := range v {
			e, err := r.eval(fmt.Sprintf("%s[%d]", path, i), e, inCond)
			if err != nil {
				return nil, err
			}
			if !isNoValue(e) {
				out = append(out, e)
			}
		}
		return out, nil
	case string:
		if strings.Contains(v, "{{resolve:") {
			return nil, fmt.Errorf("%s: dynamic reference %s is not supported by the emulator", path, describe(v))
		}
		return v, nil
	case nil, bool, float64:
		return v, nil
	}
	n, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r.eval(path, n, inCond)
}

// evalCondition evaluates a named condition once; stack holds the conditions being evaluated, to
// report a cycle.
func (r *Resolver) evalCondition(name string, stack []string) (bool, error) {
	if v, ok := r.conditions[name]; ok {
		return v, nil
	}
	expr, ok := r.tmpl.Conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not declared in Conditions", name)
	}
	if i := slices.Index(stack, name); i >= 0 {
		cycle := slices.Concat(stack[i:], []string{name})
		return false, fmt.Errorf("condition cycle: %s", strings.Join(cycle, " -> "))
	}
	v, err := r.condExpr("Conditions."+name, expr, slices.Concat(stack, []string{name}))
	if err != nil {
		return false, err
	}
	r.conditions[name] = v
	return v, nil
}

func (r *Resolver) condExpr(path string, v any, stack []string) (bool, error) {
	m, _ := v.(map[string]any)
	if len(m) == 1 {
		for fn, arg := range m {
			fpath := path + "." + fn
			switch fn {
			case "Condition":
				name, ok := arg.(string)
				if !ok {
					return false, fmt.Errorf("%s: expected a condition name, got %s", fpath, describe(arg))
				}
				if _, ok := r.tmpl.Conditions[name]; !ok {
					return false, fmt.Errorf("%s: condition %q is not declared in Conditions", fpath, name)
				}
				return r.evalCondition(name, stack)
			case "Fn::Equals":
				args, ok := arg.([]any)
				if !ok || len(args) != 2 {
					return false, fmt.Errorf("%s: expected [value, value], got %s", fpath, describe(arg))
				}
				a, err := r.eval(fpath+"[0]", args[0], true)
				if err != nil {
					return false, err
				}
				b, err := r.eval(fpath+"[1]", args[1], true)
				if err != nil {
					return false, err
				}
				if isNoValue(a) || isNoValue(b) {
					return false, fmt.Errorf("%s: AWS::NoValue cannot be compared", fpath)
				}
				return equal(a, b), nil
			case "Fn::And", "Fn::Or", "Fn::Not":
				args, ok := arg.([]any)
				lo, hi := 2, 10
				if fn == "Fn::Not" {
					lo, hi = 1, 1
				}
				if !ok || len(args) < lo || len(args) > hi {
					return false, fmt.Errorf("%s: expected a list of %d to %d conditions, got %s", fpath, lo, hi, describe(arg))
				}
				results := make([]bool, len(args))
				for i, a := range args {
					ok, err := r.condExpr(fmt.Sprintf("%s[%d]", fpath, i), a, stack)
					if err != nil {
						return false, err
					}
					results[i] = ok
				}
				switch fn {
				case "Fn::And":
					return !slices.Contains(results, false), nil
				case "Fn::Or":
					return slices.Contains(results, true), nil
				}
				return !results[0], nil
			}
		}
	}
	return false, fmt.Errorf("%s: expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition), got %s", path, describe(v))
}

// equal compares resolved values as Fn::Equals does: scalars by their string form, so "1" equals 1.
func equal(a, b any) bool {
	if as, ok := scalarString(a); ok {
		bs, ok := scalarString(b)
		return ok && as == bs
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case []any:
		bl, ok := b.([]any)
		return ok && slices.EqualFunc(a, bl, equal)
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !equal(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}
