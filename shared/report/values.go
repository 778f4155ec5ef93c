package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// A number in a README's prose can come from the same run as its tables: the report fills
//
//	<!-- value 03-crisis/morning-rush failure_rate pct -->4.5 %<!-- /value -->
//
// with the field of that stage's result for that profile, so prose and tables never disagree.
// The field is a dotted path into the result file's JSON (latency_ms.p99,
// milestones_ms.paid.p50, lambda.invocations; a number indexes a list: timeline.15.p50_ms is
// the 16th second's median); the format is one of the valueFormats.
var valuePattern = regexp.MustCompile(`<!-- value ([0-9][0-9]-[a-z0-9-]+)/([a-z0-9-]+) ([a-zA-Z0-9_.]+) ([a-z0-9]+) -->(.*?)<!-- /value -->`)

// The run-to-run spread of the same field comes from `make spread`'s results:
//
//	<!-- spread 03-crisis/morning-rush failure_rate pct -->2.8 % to 4.5 % at seeds 1, 2, 3, 4, 5<!-- /spread -->
var spreadPattern = regexp.MustCompile(`<!-- spread ([0-9][0-9]-[a-z0-9-]+)/([a-z0-9-]+) ([a-zA-Z0-9_.]+) ([a-z0-9]+) -->(.*?)<!-- /spread -->`)

// valueFormats turn a result's number into prose.
var valueFormats = map[string]func(float64) string{
	"pct":   func(v float64) string { return trimFloat(v*100, 1) + " %" }, // a rate: 0.028 → "2.8 %"
	"ms":    func(v float64) string { return formatCount(int64(math.Round(v))) + " ms" },
	"s":     func(v float64) string { return trimFloat(v/1000, 1) + " s" }, // milliseconds shown in seconds
	"count": func(v float64) string { return formatCount(int64(math.Round(v))) },
	"usd":   func(v float64) string { return "$" + formatCost(v) },
	"num":   func(v float64) string { return trimFloat(v, 2) },
}

// fillValues replaces every value and spread marker's content in doc, from results and from
// the spread runs. A marker that names a result that was not read, a field the result lacks, or
// an unknown format is an error naming the line, so a stale number cannot stay silently.
func fillValues(doc string, results, spread []*loadgen.Result) (string, error) {
	doc = fillLatencySources(doc)
	if !strings.Contains(doc, "<!-- value ") && !strings.Contains(doc, "<!-- monthly-cost ") && !strings.Contains(doc, "<!-- spread ") {
		return doc, nil
	}
	byKey := map[string]map[string]any{}
	for _, r := range results {
		m, err := asJSON(r)
		if err != nil {
			return doc, err
		}
		byKey[r.Stage+"/"+r.Profile] = m
	}
	doc, err := fillSpread(doc, spread)
	if err != nil {
		return doc, err
	}
	out, err := replaceMarkers(doc, valuePattern, "value", func(m marker) (string, string) {
		res, ok := byKey[m.key]
		if !ok {
			return "", fmt.Sprintf("no result for %s among the results read", m.key)
		}
		v, ok := lookupNumber(res, m.field)
		if !ok {
			return "", fmt.Sprintf("the %s result has no number at %s", m.key, m.field)
		}
		return m.f(v), ""
	})
	if err != nil {
		return doc, err
	}
	return fillMonthly(out, byKey)
}

// asJSON is a result as its file's JSON reads, for lookupNumber.
func asJSON(r *loadgen.Result) (map[string]any, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(data, &m)
	return m, err
}

// fillSpread fills the spread markers: the lowest and highest of the field over the spread
// runs of that stage and profile, and their seeds.
func fillSpread(doc string, spread []*loadgen.Result) (string, error) {
	if !strings.Contains(doc, "<!-- spread ") {
		return doc, nil
	}
	runs := map[string][]map[string]any{}
	seeds := map[string][]int64{}
	for _, r := range spread {
		m, err := asJSON(r)
		if err != nil {
			return doc, err
		}
		k := r.Stage + "/" + r.Profile
		runs[k] = append(runs[k], m)
		seeds[k] = append(seeds[k], r.Seed)
	}
	return replaceMarkers(doc, spreadPattern, "spread", func(m marker) (string, string) {
		if len(runs[m.key]) == 0 {
			return "", fmt.Sprintf("no spread runs for %s (make spread STAGE=%s PROFILE=%s writes them)", m.key, m.stage, m.profile)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range runs[m.key] {
			v, ok := lookupNumber(r, m.field)
			if !ok {
				return "", fmt.Sprintf("a spread run of %s has no number at %s", m.key, m.field)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		text := m.f(lo) + " to " + m.f(hi)
		if m.f(lo) == m.f(hi) {
			text = m.f(lo) + " every time"
		}
		s := slices.Clone(seeds[m.key])
		slices.Sort(s)
		return text + " at seeds " + joinInts(s), ""
	})
}

// marker is one value or spread marker found in a document.
type marker struct {
	stage, profile, key, field, format string
	f                                  func(float64) string // the format's
	line                               int
}

// replaceMarkers rewrites the content of every marker pattern (a value or spread marker)
// matches in doc with what fill returns, or, when fill returns a problem or the format is
// unknown, leaves it and reports every such problem with its line.
func replaceMarkers(doc string, pattern *regexp.Regexp, kind string, fill func(marker) (text, problem string)) (string, error) {
	var errs []string
	out := pattern.ReplaceAllStringFunc(doc, func(found string) string {
		g := pattern.FindStringSubmatch(found)
		m := marker{stage: g[1], profile: g[2], key: g[1] + "/" + g[2], field: g[3], format: g[4],
			line: 1 + strings.Count(doc[:strings.Index(doc, found)], "\n")}
		var ok bool
		if m.f, ok = valueFormats[m.format]; !ok {
			errs = append(errs, fmt.Sprintf("line %d: unknown format %q (use %s)", m.line, m.format, formatNames()))
			return found
		}
		text, problem := fill(m)
		if problem != "" {
			errs = append(errs, fmt.Sprintf("line %d: %s", m.line, problem))
			return found
		}
		return fmt.Sprintf("<!-- %s %s %s %s -->%s<!-- /%s -->", kind, m.key, m.field, m.format, text, kind)
	})
	if len(errs) > 0 {
		return doc, fmt.Errorf("%s markers: %s", kind, strings.Join(errs, "; "))
	}
	return out, nil
}

func lookupNumber(m map[string]any, path string) (float64, bool) {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			var ok bool
			if cur, ok = c[part]; !ok {
				return 0, false
			}
		case []any: // timeline.12.p50_ms: the 13th second
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return 0, false
			}
			cur = c[i]
		default:
			return 0, false
		}
	}
	switch v := cur.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

func formatNames() string {
	names := make([]string, 0, len(valueFormats))
	for n := range valueFormats {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// valueDocs lists the Markdown files whose value markers the report fills: the repository's
// README, every stage's README and the docs (results.md is generated whole and has none).
func valueDocs(repoRoot, docsDir string) []string {
	paths := []string{filepath.Join(repoRoot, "README.md")}
	stages, _ := filepath.Glob(filepath.Join(repoRoot, "[0-9][0-9]-*", "README.md"))
	docs, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
	paths = append(paths, stages...)
	for _, d := range docs {
		if filepath.Base(d) != "results.md" {
			paths = append(paths, d)
		}
	}
	var out []string
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}
