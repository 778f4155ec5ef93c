package cfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Template is a parsed CloudFormation template. Values stay raw: intrinsic functions are resolved
// later by a Resolver, once the resources they point at exist.
type Template struct {
	AWSTemplateFormatVersion string
	Description              string
	Metadata                 map[string]any
	Parameters               map[string]Parameter
	// Rules are kept raw and never evaluated.
	Rules map[string]any
	// Mappings is map name → top-level key → second-level key → value (a string or a list).
	Mappings   map[string]map[string]map[string]any
	Conditions map[string]any // raw condition expressions, evaluated by NewResolver
	Resources  map[string]*Resource
	Outputs    map[string]Output
}

// Parameter declares a template parameter.
type Parameter struct {
	Type                  string   `json:"Type"`
	Default               any      `json:"Default"`
	AllowedValues         []any    `json:"AllowedValues"`
	AllowedPattern        string   `json:"AllowedPattern"`
	ConstraintDescription string   `json:"ConstraintDescription"`
	Description           string   `json:"Description"`
	MinLength             *int     `json:"MinLength"`
	MaxLength             *int     `json:"MaxLength"`
	MinValue              *float64 `json:"MinValue"`
	MaxValue              *float64 `json:"MaxValue"`
	NoEcho                bool     `json:"NoEcho"`
}

// Output declares a stack output. Value is raw; Resolver.Outputs resolves it.
type Output struct {
	Value       any     `json:"Value"`
	Description string  `json:"Description"`
	Export      *Export `json:"Export"`
	Condition   string  `json:"Condition"`
}

// Export names an output for Fn::ImportValue, which the emulator does not support; it is kept so
// that nothing in the template is silently lost.
type Export struct {
	Name any `json:"Name"`
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID  string
	Type       string
	Properties map[string]any // raw, intrinsics unresolved
	Metadata   map[string]any
	DependsOn  []string // a string or a list in JSON
	Condition  string

	DeletionPolicy      string
	UpdateReplacePolicy string
	CreationPolicy      map[string]any
	UpdatePolicy        map[string]any
}

// CDKPath returns the construct path the CDK records in Metadata["aws:cdk:path"], or "" if absent.
func (r *Resource) CDKPath() string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	return p
}

// Parse reads a JSON CloudFormation template. It checks the template's shape (sections, resource
// attributes, logical IDs, condition names) but leaves intrinsic functions unresolved.
func Parse(data []byte) (*Template, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("parse template: input is empty")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("parse template: not a JSON object; YAML templates are not supported, " +
			"use the synthesized JSON template (cdk.out/<stack>.template.json)")
	}
	var sections map[string]any
	if err := json.Unmarshal(data, &sections); err != nil {
		return nil, fmt.Errorf("parse template: %s", jsonErrorAt(data, err))
	}

	t := &Template{}
	for _, name := range sortedKeys(sections) {
		v := sections[name]
		var err error
		switch name {
		case "AWSTemplateFormatVersion":
			t.AWSTemplateFormatVersion, err = asString(name, v)
		case "Description":
			t.Description, err = asString(name, v)
		case "Metadata":
			t.Metadata, err = asObject(name, v)
		case "Rules":
			t.Rules, err = asObject(name, v)
		case "Conditions":
			t.Conditions, err = asObject(name, v)
		case "Parameters":
			t.Parameters, err = parseParameters(v)
		case "Mappings":
			t.Mappings, err = parseMappings(v)
		case "Resources":
			t.Resources, err = parseResources(v)
		case "Outputs":
			t.Outputs, err = parseOutputs(v)
		case "Transform":
			err = fmt.Errorf("the Transform section (%v) is not supported: transforms and macros run inside CloudFormation", v)
		default:
			err = fmt.Errorf("unknown section %q", name)
		}
		if err != nil {
			return nil, fmt.Errorf("parse template: %w", err)
		}
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	return t, nil
}

// check validates what crosses sections: names and condition references.
func (t *Template) check() error {
	if len(t.Resources) == 0 {
		return errors.New("the Resources section is missing or empty")
	}
	for _, id := range sortedKeys(t.Parameters) {
		if _, ok := t.Resources[id]; ok {
			return fmt.Errorf("%q is both a parameter and a resource", id)
		}
	}
	for _, id := range sortedKeys(t.Resources) {
		if c := t.Resources[id].Condition; c != "" {
			if _, ok := t.Conditions[c]; !ok {
				return fmt.Errorf("resource %s: condition %q is not declared in Conditions", id, c)
			}
		}
	}
	for _, name := range sortedKeys(t.Outputs) {
		if c := t.Outputs[name].Condition; c != "" {
			if _, ok := t.Conditions[c]; !ok {
				return fmt.Errorf("output %s: condition %q is not declared in Conditions", name, c)
			}
		}
	}
	return nil
}

func parseParameters(v any) (map[string]Parameter, error) {
	m, err := asObject("Parameters", v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Parameter, len(m))
	for _, name := range sortedKeys(m) {
		var p Parameter
		if err := decodeSection("parameter "+name, m[name], &p); err != nil {
			return nil, err
		}
		if p.Type == "" {
			return nil, fmt.Errorf("parameter %s: Type is required", name)
		}
		out[name] = p
	}
	return out, nil
}

func parseMappings(v any) (map[string]map[string]map[string]any, error) {
	m, err := asObject("Mappings", v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]map[string]any, len(m))
	for name, top := range m {
		topm, err := asObject("Mappings."+name, top)
		if err != nil {
			return nil, err
		}
		out[name] = make(map[string]map[string]any, len(topm))
		for key, second := range topm {
			secm, err := asObject("Mappings."+name+"."+key, second)
			if err != nil {
				return nil, err
			}
			out[name][key] = secm
		}
	}
	return out, nil
}

func parseOutputs(v any) (map[string]Output, error) {
	m, err := asObject("Outputs", v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Output, len(m))
	for _, name := range sortedKeys(m) {
		var o Output
		if err := decodeSection("output "+name, m[name], &o); err != nil {
			return nil, err
		}
		if o.Value == nil {
			return nil, fmt.Errorf("output %s: Value is required", name)
		}
		out[name] = o
	}
	return out, nil
}

func parseResources(v any) (map[string]*Resource, error) {
	m, err := asObject("Resources", v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Resource, len(m))
	for _, id := range sortedKeys(m) {
		if !isAlphanumeric(id) {
			return nil, fmt.Errorf("resource logical ID %q must be alphanumeric (A-Za-z0-9)", id)
		}
		res, err := parseResource(id, m[id])
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		out[id] = res
	}
	return out, nil
}

func parseResource(id string, v any) (*Resource, error) {
	m, err := asObject("declaration", v)
	if err != nil {
		return nil, err
	}
	res := &Resource{LogicalID: id}
	for _, key := range sortedKeys(m) {
		v := m[key]
		switch key {
		case "Type":
			res.Type, err = asString(key, v)
		case "Properties":
			if v != nil {
				res.Properties, err = asObject(key, v)
			}
		case "Metadata":
			res.Metadata, err = asObject(key, v)
		case "DependsOn":
			res.DependsOn, err = asStrings(key, v)
		case "Condition":
			res.Condition, err = asString(key, v)
		case "DeletionPolicy":
			res.DeletionPolicy, err = asString(key, v)
		case "UpdateReplacePolicy":
			res.UpdateReplacePolicy, err = asString(key, v)
		case "CreationPolicy":
			res.CreationPolicy, err = asObject(key, v)
		case "UpdatePolicy":
			res.UpdatePolicy, err = asObject(key, v)
		default:
			err = fmt.Errorf("unknown resource attribute %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	if res.Type == "" {
		return nil, errors.New("the Type attribute is required")
	}
	return res, nil
}

// decodeSection decodes a template section entry into a struct, with the same coercions and the
// same rejection of unknown keys as Decode.
func decodeSection(path string, v any, out any) error {
	if err := decodeInto(v, out); err != nil {
		var pe *propertyError
		if errors.As(err, &pe) {
			if pe.unsupported {
				return fmt.Errorf("%s: unknown attribute %q", path, pe.path)
			}
			return fmt.Errorf("%s: %s: %s", path, pe.path, pe.msg)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func asString(what string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", what, describe(v))
	}
	return s, nil
}

func asObject(what string, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object, got %s", what, describe(v))
	}
	return m, nil
}

func asStrings(what string, v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s[%d] must be a string, got %s", what, i, describe(e))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a string or a list of strings, got %s", what, describe(v))
}

func isAlphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// jsonErrorAt adds a line and column to a JSON syntax error, since templates are long.
func jsonErrorAt(data []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	before := data[:min(int(se.Offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n') - 1 // 1-based: the offending byte is the last one read
	return fmt.Sprintf("line %d, column %d: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
