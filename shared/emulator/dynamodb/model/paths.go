package model

import (
	"strconv"
	"strings"
)

// maxExpressionSize is DynamoDB's limit on any expression string (4 KB).
const maxExpressionSize = 4096

// checkUpdatePaths rejects an update expression two of whose actions name the same document
// path or one inside the other (overlap), or use one segment as a map key in one and a list
// index in the other (conflict), with DynamoDB's messages.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
func checkUpdatePaths(expr string, names map[string]string) error {
	var paths [][]string
	for _, action := range updateActions(expr) {
		if p := parsePath(action, names); len(p) > 0 {
			paths = append(paths, p)
		}
	}
	var conflict string
	for i, a := range paths {
		for _, b := range paths[:i] {
			switch comparePaths(b, a) {
			case "overlap":
				return validation("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", pathText(b), pathText(a))
			case "conflict":
				if conflict == "" {
					conflict = "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " + pathText(b) + ", path two: " + pathText(a)
				}
			}
		}
	}
	if conflict != "" {
		return validation("%s", conflict)
	}
	return nil
}

// updateActions splits an update expression into its actions' texts (keywords removed),
// ignoring commas inside parentheses.
func updateActions(expr string) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		if a := strings.TrimSpace(expr[start:end]); a != "" {
			out = append(out, a)
		}
	}
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			flush(i)
			start = i + 1
		case depth == 0 && (i == 0 || !isPathByte(expr[i-1])):
			for _, kw := range []string{"SET", "REMOVE", "ADD", "DELETE"} {
				if len(expr)-i > len(kw) && strings.EqualFold(expr[i:i+len(kw)], kw) && !isPathByte(expr[i+len(kw)]) {
					flush(i)
					start = i + len(kw)
					i += len(kw) - 1
					break
				}
			}
		}
	}
	flush(len(expr))
	return out
}

func isPathByte(c byte) bool {
	return c == '_' || c == '#' || c == ':' || c == '.' || c == '[' || c == ']' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parsePath reads the document path an action starts with: names (aliases resolved) and list
// indexes, which are kept as "[n]".
func parsePath(action string, names map[string]string) []string {
	end := 0
	for end < len(action) && (isPathByte(action[end]) || action[end] == ' ' && end+1 < len(action) && (action[end+1] == '.' || action[end+1] == '[')) {
		end++
	}
	text := strings.ReplaceAll(action[:end], " ", "")
	var out []string
	for seg := range strings.SplitSeq(text, ".") {
		name, rest, _ := strings.Cut(seg, "[")
		if a, ok := names[name]; ok {
			name = a
		}
		if name != "" {
			out = append(out, name)
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			if _, err := strconv.Atoi(idx); err == nil {
				out = append(out, "["+idx+"]")
			}
			_, rest, _ = strings.Cut(after, "[")
		}
	}
	return out
}

// comparePaths is "overlap" when one path is the other or inside it, "conflict" when a shared
// prefix is followed by a map key in one and a list index in the other, "" otherwise.
func comparePaths(a, b []string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		ai, bi := strings.HasPrefix(a[i], "["), strings.HasPrefix(b[i], "[")
		if ai != bi {
			return "conflict"
		}
		if a[i] != b[i] {
			return ""
		}
	}
	return "overlap"
}

func pathText(p []string) string { return "[" + strings.Join(p, ", ") + "]" }
