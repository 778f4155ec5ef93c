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
	"(make local prints the names); from=<duration>,for=<duration> switch it on after the start and off again, " +
	"e.g. payment@throttle,from=10s,for=30s. A multi-region stage also takes region:<region>@down, a regional outage " +
	"(region:us-east-1@down,from=15s,for=30s), and faults qualified by region (eu-west-1:lambda:<function>@throttle; " +
	"unqualified means every region that has the resource)"

// faultSpec is one -fault value, parsed. A fault with a window (from, dur) is switched on
// from after the start and off dur later; without one it holds from the start.
type faultSpec struct {
	resource  string
	rule      fault.Rule
	from, dur time.Duration
	// down is a regional outage: resource is "region:<region>" and rule is empty.
	down bool
}

// regionPrefix starts the resource of a regional outage, region:us-east-1@down.
const regionPrefix = "region:"

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
	var spec faultSpec
	for _, part := range strings.Split(rule, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case (key == "from" || key == "for") && hasVal:
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 || (key == "for" && d == 0) {
				return faultSpec{}, fmt.Errorf("fault %q: %s must be a duration such as 10s, got %q", v, key, val)
			}
			if key == "from" {
				spec.from = d
			} else {
				spec.dur = d
			}
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
		case key == "down" && !hasVal:
			spec.down = true
		default:
			return faultSpec{}, fmt.Errorf("fault %q: unknown rule %q; use latency=<duration>, error_rate=<0..1> or throttle (down for region:<region>), and optionally from=<duration>,for=<duration>", v, part)
		}
	}
	isRegion := strings.HasPrefix(resource, regionPrefix)
	switch {
	case isRegion && (!spec.down || r != (fault.Rule{})):
		return faultSpec{}, fmt.Errorf("fault %q: a region's fault is an outage and nothing else: %s<region>@down, optionally with from=<duration>,for=<duration>", v, regionPrefix)
	case isRegion && resource == regionPrefix:
		return faultSpec{}, fmt.Errorf("fault %q: name the region, such as region:us-east-1@down", v)
	case spec.down && !isRegion:
		return faultSpec{}, fmt.Errorf("fault %q: down is a regional outage, for region:<region> (region:us-east-1@down); a resource takes latency, error_rate or throttle", v)
	case !spec.down && r == (fault.Rule{}):
		return faultSpec{}, fmt.Errorf("fault %q: from and for need a rule too, such as payment@throttle,from=10s,for=30s", v)
	}
	spec.resource, spec.rule = resource, r
	return spec, nil
}
