package offline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

// faultUsage is the help text of -fault.
const faultUsage = "a fault from the start, RESOURCE@RULE; repeat it or separate faults with ';'. " +
	"RULE is latency=<duration>, error_rate=<0..1> and/or throttle, comma-separated: " +
	"payment@latency=2s, lambda:<function>@error_rate=0.1, dynamodb:<table>/<key>@throttle " +
	"(make local prints the names)"

// faultSpec is one -fault value, parsed.
type faultSpec struct {
	resource string
	rule     fault.Rule
}

// faultFlags collects -fault values.
type faultFlags struct {
	specs []faultSpec
	raw   []string // as given, for the result's command line
}

// String is the faults as given, separated by ';'.
func (f *faultFlags) String() string { return strings.Join(f.raw, ";") }

// Set parses one or more faults separated by ';'.
func (f *faultFlags) Set(v string) error {
	for _, one := range strings.Split(v, ";") {
		if one = strings.TrimSpace(one); one == "" {
			continue
		}
		s, err := parseFault(one)
		if err != nil {
			return err
		}
		f.specs = append(f.specs, s)
		f.raw = append(f.raw, one)
	}
	return nil
}

// parseFault reads RESOURCE@RULE. The rule is checked here; whether the resource exists is
// checked by the emulator, which knows the stage's names.
func parseFault(v string) (faultSpec, error) {
	resource, rule, ok := strings.Cut(v, "@")
	if !ok || resource == "" || rule == "" {
		return faultSpec{}, fmt.Errorf("fault %q must look like RESOURCE@RULE, such as payment@latency=2s", v)
	}
	var r fault.Rule
	for _, part := range strings.Split(rule, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case key == "latency" && hasVal:
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return faultSpec{}, fmt.Errorf("fault %q: latency must be a duration above zero, such as 500ms or 2s, got %q", v, val)
			}
			r.Latency = d
		case key == "error_rate" && hasVal:
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || x <= 0 || x > 1 {
				return faultSpec{}, fmt.Errorf("fault %q: error_rate must be a number above 0 and at most 1, got %q", v, val)
			}
			r.ErrorRate = x
		case key == "throttle" && !hasVal:
			r.Throttle = true
		default:
			return faultSpec{}, fmt.Errorf("fault %q: unknown rule %q; use latency=<duration>, error_rate=<0..1> or throttle", v, part)
		}
	}
	return faultSpec{resource: resource, rule: r}, nil
}
