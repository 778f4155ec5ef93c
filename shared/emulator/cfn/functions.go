package cfn

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// call evaluates one intrinsic function. Errors start with the path of the object holding it.
func (r *Resolver) call(path, fn string, arg any, inCond bool) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: Ref expects a name, got %s", path, describe(arg))
		}
		return r.ref(path, name, inCond)
	case "Fn::GetAtt":
		return r.getAtt(path, arg, inCond)
	case "Fn::Sub":
		return r.sub(path, arg, inCond)
	case "Fn::Join":
		return r.join(path, arg, inCond)
	case "Fn::Select":
		return r.selectFn(path, arg, inCond)
	case "Fn::Split":
		return r.split(path, arg, inCond)
	case "Fn::If":
		if inCond {
			return nil, fmt.Errorf("%s: Fn::If cannot be used in Conditions", path)
		}
		return r.ifFn(path, arg)
	case "Fn::FindInMap":
		return r.findInMap(path, arg, inCond)
	case "Fn::Base64":
		v, err := r.eval(path+".Fn::Base64", arg, inCond)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::Base64 expects a string, got %s", path, describe(v))
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		v, err := r.eval(path+".Fn::GetAZs", arg, inCond)
		if err != nil {
			return nil, err
		}
		region, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::GetAZs expects a region name or \"\", got %s", path, describe(v))
		}
		if region == "" {
			region = r.Region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::ImportValue":
		return nil, fmt.Errorf("%s: Fn::ImportValue: cross-stack imports are not supported by the emulator", path)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return nil, fmt.Errorf("%s: %s can only be used in Conditions", path, fn)
	}
	return nil, fmt.Errorf("%s: %s is not supported by the emulator", path, fn)
}

func (r *Resolver) ref(path, name string, inCond bool) (any, error) {
	switch name {
	case "AWS::AccountId":
		return r.AccountID, nil
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::Partition":
		return r.Partition, nil
	case "AWS::Region":
		return r.Region, nil
	case "AWS::StackId":
		return r.stackID, nil
	case "AWS::StackName":
		return r.StackName, nil
	case "AWS::URLSuffix":
		return r.URLSuffix, nil
	}
	if v, ok := r.Parameters[name]; ok {
		return normalize(v) // a copy, so that callers cannot change a list parameter
	}
	res, ok := r.tmpl.Resources[name]
	if !ok {
		return nil, fmt.Errorf("%s: Ref: %q is not a parameter, pseudo parameter or resource", path, name)
	}
	if inCond {
		return nil, fmt.Errorf("%s: Ref: conditions can refer only to parameters and pseudo parameters, not to resource %s", path, name)
	}
	if r.Ref == nil {
		return nil, fmt.Errorf("%s: Ref %s: the resolver has no Ref function", path, name)
	}
	return r.physical(path, "Ref "+name, res, func() (any, error) { return r.Ref(name) })
}

func (r *Resolver) getAtt(path string, arg any, inCond bool) (any, error) {
	id, attrArg, err := getAttArgs(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	attr, ok := attrArg.(string)
	if !ok {
		v, err := r.eval(path+".Fn::GetAtt[1]", attrArg, inCond)
		if err != nil {
			return nil, err
		}
		if attr, ok = v.(string); !ok || attr == "" {
			return nil, fmt.Errorf("%s: Fn::GetAtt expects an attribute name, got %s", path, describe(v))
		}
	}
	return r.attribute(path, "Fn::GetAtt", id, attr, inCond)
}

// attribute answers Fn::GetAtt and ${Res.Attr} in Fn::Sub.
func (r *Resolver) attribute(path, fn, id, attr string, inCond bool) (any, error) {
	res, ok := r.tmpl.Resources[id]
	if !ok {
		return nil, fmt.Errorf("%s: %s: unknown resource %q", path, fn, id)
	}
	what := fmt.Sprintf("%s %s.%s", fn, id, attr)
	if inCond {
		return nil, fmt.Errorf("%s: %s: conditions can refer only to parameters and pseudo parameters", path, what)
	}
	if r.GetAtt == nil {
		return nil, fmt.Errorf("%s: %s: the resolver has no GetAtt function", path, what)
	}
	return r.physical(path, what, res, func() (any, error) { return r.GetAtt(id, attr) })
}

// physical asks the caller for a value of a provisioned resource.
func (r *Resolver) physical(path, what string, res *Resource, answer func() (any, error)) (any, error) {
	ok, err := r.Include(res)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, what, err)
	}
	if !ok {
		return nil, fmt.Errorf("%s: %s: resource %s is not created because condition %q is false",
			path, what, res.LogicalID, res.Condition)
	}
	v, err := answer()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, what, err)
	}
	if v == nil {
		return nil, fmt.Errorf("%s: %s: no value", path, what)
	}
	n, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, what, err)
	}
	return n, nil
}

func (r *Resolver) sub(path string, arg any, inCond bool) (any, error) {
	s, vars, err := subArgs(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	parts, err := parseSub(s)
	if err != nil {
		return nil, fmt.Errorf("%s: Fn::Sub: %w", path, err)
	}
	values := make(map[string]any, len(vars))
	for _, k := range sortedKeys(vars) {
		v, err := r.eval(path+".Fn::Sub[1]."+k, vars[k], inCond)
		if err != nil {
			return nil, err
		}
		values[k] = v
	}
	var b strings.Builder
	for _, p := range parts {
		if !p.isVar {
			b.WriteString(p.text)
			continue
		}
		v, ok := values[p.text]
		if !ok {
			if id, attr, isAttr := strings.Cut(p.text, "."); isAttr {
				v, err = r.attribute(path, "Fn::Sub", id, attr, inCond)
			} else {
				v, err = r.ref(path, p.text, inCond)
			}
			if err != nil {
				return nil, err
			}
		}
		str, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::Sub: ${%s} is %s, expected a string", path, p.text, describe(v))
		}
		b.WriteString(str)
	}
	return b.String(), nil
}

func (r *Resolver) join(path string, arg any, inCond bool) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%s: Fn::Join expects [delimiter, [values]], got %s", path, describe(arg))
	}
	delim, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("%s: Fn::Join expects a string delimiter, got %s", path, describe(args[0]))
	}
	list, err := r.list(path, "Fn::Join", 1, args[1], inCond)
	if err != nil {
		return nil, err
	}
	strs := make([]string, len(list))
	for i, e := range list {
		s, ok := scalarString(e)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::Join: element %d is %s, expected a string", path, i, describe(e))
		}
		strs[i] = s
	}
	return strings.Join(strs, delim), nil
}

func (r *Resolver) selectFn(path string, arg any, inCond bool) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%s: Fn::Select expects [index, [values]], got %s", path, describe(arg))
	}
	iv, err := r.eval(path+".Fn::Select[0]", args[0], inCond)
	if err != nil {
		return nil, err
	}
	index := -1
	switch v := iv.(type) {
	case float64:
		if v >= 0 && v < math.MaxInt32 && v == math.Trunc(v) {
			index = int(v)
		}
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			index = n
		}
	}
	if index < 0 {
		return nil, fmt.Errorf("%s: Fn::Select expects a non-negative integer index, got %s", path, describe(iv))
	}
	list, err := r.list(path, "Fn::Select", 1, args[1], inCond)
	if err != nil {
		return nil, err
	}
	if index >= len(list) {
		return nil, fmt.Errorf("%s: Fn::Select: index %d is out of range for a list of %d", path, index, len(list))
	}
	return list[index], nil
}

func (r *Resolver) split(path string, arg any, inCond bool) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%s: Fn::Split expects [delimiter, string], got %s", path, describe(arg))
	}
	delim, ok := args[0].(string)
	if !ok || delim == "" {
		return nil, fmt.Errorf("%s: Fn::Split expects a non-empty string delimiter, got %s", path, describe(args[0]))
	}
	v, err := r.eval(path+".Fn::Split[1]", args[1], inCond)
	if err != nil {
		return nil, err
	}
	s, ok := scalarString(v)
	if !ok {
		return nil, fmt.Errorf("%s: Fn::Split expects a string to split, got %s", path, describe(v))
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (r *Resolver) ifFn(path string, arg any) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("%s: Fn::If expects [condition, value if true, value if false], got %s", path, describe(arg))
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("%s: Fn::If expects a condition name, got %s", path, describe(args[0]))
	}
	cond, err := r.Condition(name)
	if err != nil {
		return nil, fmt.Errorf("%s: Fn::If: %w", path, err)
	}
	// Only the chosen branch is resolved: the other may refer to resources that do not exist.
	if cond {
		return r.eval(path+".Fn::If[1]", args[1], false)
	}
	return r.eval(path+".Fn::If[2]", args[2], false)
}

func (r *Resolver) findInMap(path string, arg any, inCond bool) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("%s: Fn::FindInMap expects [map name, top-level key, second-level key], got %s", path, describe(arg))
	}
	var keys [3]string
	for i, a := range args {
		v, err := r.eval(fmt.Sprintf("%s.Fn::FindInMap[%d]", path, i), a, inCond)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s: Fn::FindInMap expects string keys, got %s at index %d", path, describe(v), i)
		}
		keys[i] = s
	}
	mapping, ok := r.tmpl.Mappings[keys[0]]
	if !ok {
		return nil, fmt.Errorf("%s: Fn::FindInMap: mapping %q is not declared in Mappings", path, keys[0])
	}
	top, ok := mapping[keys[1]]
	if !ok {
		return nil, fmt.Errorf("%s: Fn::FindInMap: mapping %q has no key %q", path, keys[0], keys[1])
	}
	v, ok := top[keys[2]]
	if !ok {
		return nil, fmt.Errorf("%s: Fn::FindInMap: mapping %q has no key %q under %q", path, keys[0], keys[2], keys[1])
	}
	return normalize(v)
}

// list resolves a function argument that must be a list: a literal list or a function
// returning one (Fn::Split, Fn::GetAZs, Ref to a list parameter, …).
func (r *Resolver) list(path, fn string, index int, v any, inCond bool) ([]any, error) {
	lv, err := r.eval(fmt.Sprintf("%s.%s[%d]", path, fn, index), v, inCond)
	if err != nil {
		return nil, err
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s expects a list, got %s", path, fn, describe(lv))
	}
	return list, nil
}
