package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// dash stands for a value that was not measured (null in the result file).
const dash = "–"

// column is one column of a comparison table, shared by the Markdown and the terminal tables.
type column struct {
	header string // Markdown header
	short  string // terminal header
	cell   func(*loadgen.Result) string
}

var (
	stageColumn   = column{"stage", "stage", func(r *loadgen.Result) string { return r.Stage + partial(r) }}
	profileColumn = column{"profile", "profile", func(r *loadgen.Result) string { return r.Profile + partial(r) }}

	functionsColumn = column{"functions", "fns", lambdaCell(func(l *loadgen.Lambda) int64 { return int64(l.Functions) })}
	p50Column       = column{"p50 (ms)", "p50 ms", func(r *loadgen.Result) string { return formatMS(r.LatencyMS.P50) }}
	p95Column       = column{"p95 (ms)", "p95 ms", func(r *loadgen.Result) string { return formatMS(r.LatencyMS.P95) }}
	p99Column       = column{"p99 (ms)", "p99 ms", func(r *loadgen.Result) string { return formatMS(r.LatencyMS.P99) }}
	failureColumn   = column{"failure rate", "failed", func(r *loadgen.Result) string { return formatPercent(r.FailureRate) }}
	abandonColumn   = column{"abandonment", "abandoned", func(r *loadgen.Result) string { return formatPercent(r.Abandonment) }}
	lostColumn      = column{"lost", "lost", func(r *loadgen.Result) string { return formatCount(int64(r.Lost)) }}
	coldColumn      = column{"cold starts", "cold", lambdaCell(func(l *loadgen.Lambda) int64 { return l.ColdStarts })}
	throttleColumn  = column{"throttles", "throttles", lambdaCell(func(l *loadgen.Lambda) int64 { return l.Throttles })}
	timeoutColumn   = column{"timeouts", "timeouts", lambdaCell(func(l *loadgen.Lambda) int64 { return l.Timeouts })}
	concColumn      = column{"max concurrency", "max conc", lambdaCell(func(l *loadgen.Lambda) int64 { return l.MaxConcurrency })}
	costColumn      = column{"cost / 1k orders (USD)", "USD/1k", func(r *loadgen.Result) string { return formatCostPtr(r.CostPer1k) }}
	// dupColumn is money taken twice for one order, counted by the emulator's payment provider;
	// a dash where no card was charged (payment by phone) or the provider was not visible.
	dupColumn = column{"duplicate charges", "dup charges", func(r *loadgen.Result) string {
		if r.PaymentProvider == nil {
			return dash
		}
		return formatCount(r.PaymentProvider.DuplicateCharges)
	}}

	// owedColumn is money taken for an order the customer was not given, or that failed after
	// the charge: the provider's paid orders against what the load tool saw (Result.Reconcile).
	owedColumn = column{"charged, no order", "owed", func(r *loadgen.Result) string {
		if r.Charges == nil {
			return dash
		}
		return formatCount(int64(r.Charges.NotAccepted + r.Charges.Failed))
	}}

	// comparisonColumns are the columns of results.md and of Table, after the stage.
	comparisonColumns = []column{functionsColumn, p50Column, p95Column, p99Column, failureColumn,
		abandonColumn, lostColumn, dupColumn, owedColumn, coldColumn, throttleColumn, timeoutColumn, concColumn, costColumn}
	// stageColumns are the columns of a stage README's measured block, after the profile.
	stageColumns = []column{p50Column, p95Column, p99Column, failureColumn, abandonColumn, lostColumn,
		dupColumn, throttleColumn, timeoutColumn, costColumn}
)

// partial flags a run that was cut short, so nobody compares it with full runs unawares.
func partial(r *loadgen.Result) string {
	if r.Partial {
		return " (partial run)"
	}
	return ""
}

func lambdaCell(get func(*loadgen.Lambda) int64) func(*loadgen.Result) string {
	return func(r *loadgen.Result) string {
		if r.Lambda == nil {
			return dash
		}
		return formatCount(get(r.Lambda))
	}
}

// formatMS formats a latency for a table: one decimal below 10 ms, whole milliseconds above.
func formatMS(ms float64) string {
	switch {
	case ms <= 0 || math.IsNaN(ms):
		return dash
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	default:
		return formatCount(int64(math.Round(ms)))
	}
}

// formatDuration formats a latency with its unit, for chart labels: "3.4 ms", "412 ms", "6.1 s".
func formatDuration(ms float64) string {
	switch {
	case ms < 10:
		return trimFloat(ms, 1) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(math.Round(ms), 'f', 0, 64) + " ms"
	case ms < 10000:
		return trimFloat(ms/1000, 1) + " s"
	default:
		return formatCount(int64(math.Round(ms/1000))) + " s"
	}
}

// formatPercent formats a fraction as a percentage with one decimal.
func formatPercent(rate float64) string {
	return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%"
}

func formatCostPtr(usd *float64) string {
	if usd == nil {
		return dash
	}
	return formatCost(*usd)
}

// formatCost keeps about three significant digits for the small amounts a cost per 1,000
// orders usually is.
func formatCost(usd float64) string {
	switch {
	case usd == 0:
		return "0"
	case usd < 0.01:
		return strconv.FormatFloat(usd, 'f', 5, 64)
	case usd < 0.1:
		return strconv.FormatFloat(usd, 'f', 4, 64)
	case usd < 10:
		return strconv.FormatFloat(usd, 'f', 3, 64)
	default:
		return strconv.FormatFloat(usd, 'f', 2, 64)
	}
}

// formatCount writes an integer with thousands separators.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// trimFloat formats v with at most prec decimals and no trailing zeros.
func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// provenance says where a set of results came from: command, date, cores, latency model and
// seed. Where results disagree, every distinct value is listed, in stage order.
type provenance struct {
	commands []string
	date     time.Time
	cores    []int
	models   []string
	targets  []string
	seeds    []int64
}

func provenanceOf(results []*loadgen.Result) provenance {
	var p provenance
	for _, r := range results {
		// Empty strings and zero core counts are unknowns, not values.
		if r.Environment.Command != "" {
			p.commands = appendNew(p.commands, r.Environment.Command)
		}
		if r.Environment.LatencyModel != "" {
			p.models = appendNew(p.models, r.Environment.LatencyModel)
		}
		if r.Target != "" {
			p.targets = appendNew(p.targets, r.Target)
		}
		if r.Environment.Cores > 0 {
			p.cores = appendNew(p.cores, r.Environment.Cores)
		}
		p.seeds = appendNew(p.seeds, r.Seed)
		if r.StartedAt.After(p.date) {
			p.date = r.StartedAt
		}
	}
	return p
}

func appendNew[T comparable](list []T, v T) []T {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

// line renders the provenance as one line. code wraps a command (a Markdown code span, or
// nothing in a terminal).
func (p provenance) line(code func(string) string) string {
	parts := []string{p.commandText(code)}
	parts = append(parts, p.rest(true)...)
	return strings.Join(parts, " · ")
}

// short leaves the command and the target out, for chart subtitles.
func (p provenance) short() string {
	return strings.Join(p.rest(false), " · ")
}

func (p provenance) commandText(code func(string) string) string {
	if len(p.commands) == 0 {
		return code("make demo")
	}
	quoted := make([]string, len(p.commands))
	for i, c := range p.commands {
		quoted[i] = code(c)
	}
	return strings.Join(quoted, ", ")
}

func (p provenance) rest(withTarget bool) []string {
	var parts []string
	if p.date.IsZero() {
		parts = append(parts, "date unknown")
	} else {
		parts = append(parts, p.date.UTC().Format("2006-01-02"))
	}
	switch {
	case len(p.cores) == 0:
		parts = append(parts, "cores unknown")
	case len(p.cores) == 1 && p.cores[0] == 1:
		parts = append(parts, "1 core")
	default:
		parts = append(parts, joinInts(p.cores)+" cores")
	}
	switch {
	case len(p.models) == 0 && withTarget && len(p.targets) > 0:
		parts = append(parts, "no latency model: measured at "+strings.Join(p.targets, ", "))
	case len(p.models) == 0:
		parts = append(parts, "no latency model")
	default:
		parts = append(parts, "latency model "+strings.Join(p.models, ", "))
	}
	if len(p.seeds) == 1 {
		parts = append(parts, "seed "+strconv.FormatInt(p.seeds[0], 10))
	} else {
		parts = append(parts, "seeds "+joinInts(p.seeds))
	}
	return parts
}

func joinInts[T int | int64](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatInt(int64(v), 10)
	}
	return strings.Join(s, ", ")
}

// codeSpan wraps s in a Markdown code span that survives backticks inside s.
func codeSpan(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func plain(s string) string { return s }
