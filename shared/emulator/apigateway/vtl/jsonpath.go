package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonPath evaluates the JSONPath subset mapping templates use: $, .name, ['name'], [n]
// (negative counts from the end), [*], .*, ..name, slices [a:b] and index lists [a,b] (as
// Jayway JsonPath, which the reference page points to, reads them). A definite path that finds nothing is
// null; a wildcard or deep scan gives a JSON list of what it found.
func jsonPath(root any, path string) (any, error) {
	path = strings.TrimSpace(path)
	if path == "" || path[0] != '$' {
		return nil, fmt.Errorf("a JSONPath starts with $")
	}
	cur := []any{root}
	definite := true
	i := 1
	for i < len(path) {
		switch {
		case strings.HasPrefix(path[i:], ".."):
			i += 2
			name, n := dotName(path[i:])
			if name == "" {
				return nil, fmt.Errorf("expected a name after .. at %d", i)
			}
			i += n
			definite = false
			var next []any
			for _, c := range cur {
				deepScan(c, name, &next)
			}
			cur = next
		case path[i] == '.':
			i++
			name, n := dotName(path[i:])
			if name == "" {
				return nil, fmt.Errorf("expected a name after . at %d", i)
			}
			i += n
			if strings.HasSuffix(name, ")") {
				// Jayway's functions (length(), min(), …): whether API Gateway's JSONPath has
				// them is not documented, so they fail rather than answer null.
				return nil, fmt.Errorf("unsupported JSONPath function %s", name)
			}
			if name == "*" {
				definite = false
				cur = children(cur)
				continue
			}
			cur = field(cur, name)
		case path[i] == '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ at %d", i)
			}
			inner := strings.TrimSpace(path[i+1 : i+end])
			i += end + 1
			switch {
			case inner == "*":
				definite = false
				cur = children(cur)
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				cur = field(cur, inner[1:len(inner)-1])
			case strings.Contains(inner, ":"):
				// Jayway's array slice [from:to], either end optional, negative from the end.
				sel, err := sliceSelector(inner)
				if err != nil {
					return nil, err
				}
				definite = false
				var next []any
				for _, c := range cur {
					if l, ok := c.(*List); ok {
						next = append(next, sel(l.items)...)
					}
				}
				cur = next
			case strings.Contains(inner, ","):
				// Jayway's index list [0,2]: the items that exist, in the order written.
				var idx []int
				for part := range strings.SplitSeq(inner, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(part))
					if err != nil {
						return nil, fmt.Errorf("unsupported JSONPath selector [%s]", inner)
					}
					idx = append(idx, n)
				}
				definite = false
				var next []any
				for _, c := range cur {
					if l, ok := c.(*List); ok {
						for _, n := range idx {
							if n < 0 {
								n += len(l.items)
							}
							if n >= 0 && n < len(l.items) {
								next = append(next, l.items[n])
							}
						}
					}
				}
				cur = next
			default:
				n, err := strconv.Atoi(inner)
				if err != nil {
					return nil, fmt.Errorf("unsupported JSONPath selector [%s]", inner)
				}
				var next []any
				for _, c := range cur {
					if l, ok := c.(*List); ok {
						k := n
						if k < 0 {
							k += len(l.items)
						}
						if k >= 0 && k < len(l.items) {
							next = append(next, l.items[k])
						}
					}
				}
				cur = next
			}
		default:
			return nil, fmt.Errorf("unexpected %q at %d", path[i], i)
		}
	}
	if !definite {
		return &List{items: cur, json: true}, nil
	}
	if len(cur) == 0 {
		return nil, nil
	}
	return cur[0], nil
}

// sliceSelector reads from:to and returns what it selects from a list, clamped to the list.
func sliceSelector(inner string) (func([]any) []any, error) {
	a, b, _ := strings.Cut(inner, ":")
	if strings.Contains(b, ":") {
		return nil, fmt.Errorf("unsupported JSONPath selector [%s] (slice steps)", inner)
	}
	parse := func(s string) (int, bool, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, false, fmt.Errorf("unsupported JSONPath selector [%s]", inner)
		}
		return n, true, nil
	}
	from, hasFrom, err := parse(a)
	if err != nil {
		return nil, err
	}
	to, hasTo, err := parse(b)
	if err != nil {
		return nil, err
	}
	return func(items []any) []any {
		n := len(items)
		f, t := 0, n
		if hasFrom {
			f = from
			if f < 0 {
				f += n
			}
		}
		if hasTo {
			t = to
			if t < 0 {
				t += n
			}
		}
		f = max(0, min(f, n))
		t = max(0, min(t, n))
		if f >= t {
			return nil
		}
		return items[f:t]
	}, nil
}

func dotName(s string) (string, int) {
	n := 0
	for n < len(s) && s[n] != '.' && s[n] != '[' {
		n++
	}
	return strings.TrimSpace(s[:n]), n
}

func field(cur []any, name string) []any {
	var next []any
	for _, c := range cur {
		if m, ok := c.(*Map); ok {
			if v, ok := m.get(name); ok {
				next = append(next, v)
			}
		}
	}
	return next
}

func children(cur []any) []any {
	var next []any
	for _, c := range cur {
		switch x := c.(type) {
		case *Map:
			next = append(next, x.vals...)
		case *List:
			next = append(next, x.items...)
		}
	}
	return next
}

func deepScan(v any, name string, out *[]any) {
	switch x := v.(type) {
	case *Map:
		if name == "*" {
			*out = append(*out, x.vals...)
		} else if f, ok := x.get(name); ok {
			*out = append(*out, f)
		}
		for _, c := range x.vals {
			deepScan(c, name, out)
		}
	case *List:
		for _, c := range x.items {
			deepScan(c, name, out)
		}
	}
}
