package cfn

import (
	"fmt"
	"strings"
)

// subPart is a piece of an Fn::Sub string: literal text, or a ${name} variable.
type subPart struct {
	text  string
	isVar bool
}

// parseSub splits an Fn::Sub string into literals and variables. ${!Literal} writes ${Literal}.
func parseSub(s string) ([]subPart, error) {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		s = s[i+2:]
		if strings.HasPrefix(s, "!") {
			lit.WriteString("${")
			s = s[1:]
			continue
		}
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return nil, fmt.Errorf("unterminated ${ in %q", "${"+s)
		}
		name := s[:j]
		if name == "" {
			return nil, fmt.Errorf("empty variable ${} in Fn::Sub string")
		}
		if lit.Len() > 0 {
			parts = append(parts, subPart{text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, subPart{text: name, isVar: true})
		s = s[j+1:]
	}
	if lit.Len() > 0 {
		parts = append(parts, subPart{text: lit.String()})
	}
	return parts, nil
}

// subArgs returns the string and variable map of Fn::Sub's two forms.
func subArgs(arg any) (string, map[string]any, error) {
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) == 2 {
			s, ok := a[0].(string)
			vars, ok2 := a[1].(map[string]any)
			if ok && ok2 {
				return s, vars, nil
			}
		}
	}
	return "", nil, fmt.Errorf("Fn::Sub expects a string or [string, {variables}], got %s", describe(arg))
}

// getAttArgs returns the logical ID and attribute of Fn::GetAtt's two forms. In the list form the
// attribute may be an intrinsic (usually a Ref to a parameter); it is returned raw.
func getAttArgs(arg any) (string, any, error) {
	switch a := arg.(type) {
	case string:
		// Logical IDs are alphanumeric, so the first dot ends the ID and the rest is the
		// attribute, which may itself contain dots (Endpoint.Address).
		id, attr, ok := strings.Cut(a, ".")
		if ok && id != "" && attr != "" {
			return id, attr, nil
		}
	case []any:
		if len(a) == 2 {
			if id, ok := a[0].(string); ok && id != "" && a[1] != nil {
				return id, a[1], nil
			}
		}
	}
	return "", nil, fmt.Errorf("Fn::GetAtt expects \"LogicalID.Attribute\" or [LogicalID, Attribute], got %s", describe(arg))
}

// reference is a name a template value refers to through Ref, Fn::GetAtt or Fn::Sub.
type reference struct {
	path string // where the reference is, e.g. Bakery.Properties.Role
	fn   string // Ref, Fn::GetAtt or Fn::Sub
	name string
}

// references calls visit for every Ref, Fn::GetAtt and Fn::Sub reference in v, in a stable
// order, including those in both branches of Fn::If.
func references(path string, v any, visit func(reference) error) error {
	switch v := v.(type) {
	case map[string]any:
		if fn, arg, ok := intrinsic(v); ok {
			switch fn {
			case "Ref":
				name, ok := arg.(string)
				if !ok {
					return fmt.Errorf("%s: Ref expects a name, got %s", path, describe(arg))
				}
				return visit(reference{path: path, fn: fn, name: name})
			case "Fn::GetAtt":
				id, attr, err := getAttArgs(arg)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				if err := visit(reference{path: path, fn: fn, name: id}); err != nil {
					return err
				}
				return references(path+".Fn::GetAtt[1]", attr, visit)
			case "Fn::Sub":
				s, vars, err := subArgs(arg)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				parts, err := parseSub(s)
				if err != nil {
					return fmt.Errorf("%s: Fn::Sub: %w", path, err)
				}
				for _, p := range parts {
					if !p.isVar {
						continue
					}
					if _, ok := vars[p.text]; ok {
						continue
					}
					id, _, _ := strings.Cut(p.text, ".") // ${Res.Attr} depends on Res
					if err := visit(reference{path: path, fn: fn, name: id}); err != nil {
						return err
					}
				}
				for _, k := range sortedKeys(vars) {
					if err := references(path+".Fn::Sub[1]."+k, vars[k], visit); err != nil {
						return err
					}
				}
				return nil
			}
			return references(path+"."+fn, arg, visit)
		}
		for _, k := range sortedKeys(v) {
			if err := references(path+"."+k, v[k], visit); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := references(fmt.Sprintf("%s[%d]", path, i), e, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// intrinsic reports the function name and argument when v is a one-key object naming an
// intrinsic function ("Ref" or "Fn::…").
func intrinsic(v map[string]any) (fn string, arg any, ok bool) {
	if len(v) != 1 {
		return "", nil, false
	}
	for k, a := range v {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, a, true
		}
	}
	return "", nil, false
}
