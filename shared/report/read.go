package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// profileOrder is the order of the known profiles in every table and list; other profiles
// follow in alphabetical order.
var profileOrder = []string{"smoke", "steady", "morning-rush", "holiday-spike"}

// safeName is what a stage or profile may look like: both end up in file paths.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ReadDir reads every *.json file in dir as a load result and returns them sorted by profile,
// then stage. An empty directory, a malformed file or two files for the same stage and profile
// are errors that name the file.
func ReadDir(dir string) ([]*loadgen.Result, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("read results: no result files (*.json) in %s", dir)
	}
	sort.Strings(paths)
	type key struct{ stage, profile string }
	from := make(map[key]string, len(paths))
	results := make([]*loadgen.Result, 0, len(paths))
	for _, path := range paths {
		r, err := readFile(path)
		if err != nil {
			return nil, err
		}
		k := key{r.Stage, r.Profile}
		if first, ok := from[k]; ok {
			return nil, fmt.Errorf("result %s: stage %s, profile %s is already in %s: keep one file per stage and profile", path, r.Stage, r.Profile, first)
		}
		from[k] = path
		results = append(results, r)
	}
	sortResults(results)
	return results, nil
}

func readFile(path string) (*loadgen.Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var r loadgen.Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("result %s: %s%w", path, position(data, err), err)
	}
	if err := validate(&r); err != nil {
		return nil, fmt.Errorf("result %s: %w", path, err)
	}
	return &r, nil
}

// position turns a JSON error's byte offset into "line N: " so a person can find the problem.
func position(data []byte, err error) string {
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return ""
	}
	if offset <= 0 || offset > int64(len(data)) {
		return ""
	}
	return fmt.Sprintf("line %d: ", bytes.Count(data[:offset], []byte("\n"))+1)
}

func validate(r *loadgen.Result) error {
	for _, f := range []struct{ field, value string }{{"stage", r.Stage}, {"profile", r.Profile}} {
		if f.value == "" {
			return fmt.Errorf("%s is missing", f.field)
		}
		if !safeName.MatchString(f.value) {
			return fmt.Errorf("%s %q must be letters, digits, '.', '_' or '-' (it names files)", f.field, f.value)
		}
	}
	for _, f := range []struct {
		field string
		value float64
	}{{"failure_rate", r.FailureRate}, {"abandonment_rate", r.Abandonment}} {
		if f.value < 0 || f.value > 1 {
			return fmt.Errorf("%s must be a fraction between 0 and 1, got %g", f.field, f.value)
		}
	}
	l := r.LatencyMS
	for _, f := range []struct {
		field string
		value float64
	}{{"p50", l.P50}, {"p95", l.P95}, {"p99", l.P99}} {
		if f.value < 0 {
			return fmt.Errorf("latency_ms.%s must not be negative, got %g", f.field, f.value)
		}
	}
	for i, b := range r.Timeline {
		if b.T < 0 {
			return fmt.Errorf("timeline[%d].t_s must not be negative, got %d", i, b.T)
		}
	}
	if r.CostPer1k != nil && *r.CostPer1k < 0 {
		return fmt.Errorf("cost_usd_per_1k_orders must not be negative, got %g", *r.CostPer1k)
	}
	return nil
}

// sortResults orders results by profile (known profiles first), then by stage. Stage names start
// with their number (01-monolith … 05-global), so name order is stage order.
func sortResults(results []*loadgen.Result) {
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Profile != b.Profile {
			return profileLess(a.Profile, b.Profile)
		}
		return a.Stage < b.Stage
	})
}

func profileLess(a, b string) bool {
	ra, rb := profileRank(a), profileRank(b)
	if ra != rb {
		return ra < rb
	}
	return a < b
}

func profileRank(p string) int {
	for i, known := range profileOrder {
		if p == known {
			return i
		}
	}
	return len(profileOrder)
}

// profiles lists the profiles present in results, in report order.
func profiles(results []*loadgen.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range results {
		if !seen[r.Profile] {
			seen[r.Profile] = true
			out = append(out, r.Profile)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return profileLess(out[i], out[j]) })
	return out
}

// stages lists the stages present in results, in stage order.
func stages(results []*loadgen.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range results {
		if !seen[r.Stage] {
			seen[r.Stage] = true
			out = append(out, r.Stage)
		}
	}
	sort.Strings(out)
	return out
}

// filter returns the results for which keep is true, sorted for the report.
func filter(results []*loadgen.Result, keep func(*loadgen.Result) bool) []*loadgen.Result {
	var out []*loadgen.Result
	for _, r := range results {
		if r != nil && keep(r) {
			out = append(out, r)
		}
	}
	sortResults(out)
	return out
}
