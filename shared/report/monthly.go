package report

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A stage README can hold a table of what its measured cost per order adds up to at a yearly
// volume of orders, one column per stage, broken down by service:
//
//	<!-- monthly-cost 04-refactor/morning-rush@1266667 05-global/morning-rush@3800000 -->
//	(generated table)
//	<!-- /monthly-cost -->
//
// Each column is the stage's result for that profile, priced per offered order as the run
// metered it (cost.by_service_usd / offered), times the orders a year, divided by 12. The last
// row compares each column's total with the first column's. The table is regenerated with the
// value markers, from the same results, so it cannot disagree with them.
var monthlyPattern = regexp.MustCompile(`(?s)<!-- monthly-cost ([^>]*?) -->(.*?)<!-- /monthly-cost -->`)

// monthlyColumn is one stage's column: its result and the volume it is priced at.
type monthlyColumn struct {
	key      string // stage/profile
	perYear  float64
	offered  float64
	services map[string]float64 // USD for the run, by service
}

// fillMonthly regenerates every monthly-cost table in doc from byKey (results by stage/profile,
// as JSON maps). A column that names a result not read, or a result without a metered bill, is
// an error naming the line.
func fillMonthly(doc string, byKey map[string]map[string]any) (string, error) {
	if !strings.Contains(doc, "<!-- monthly-cost ") {
		return doc, nil
	}
	var errs []string
	out := monthlyPattern.ReplaceAllStringFunc(doc, func(block string) string {
		m := monthlyPattern.FindStringSubmatch(block)
		line := 1 + strings.Count(doc[:strings.Index(doc, block)], "\n")
		cols, err := monthlyColumns(m[1], byKey)
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			return block
		}
		nl := "\n"
		if strings.Contains(doc, "\r\n") {
			nl = "\r\n"
		}
		return "<!-- monthly-cost " + m[1] + " -->" + nl + strings.ReplaceAll(monthlyTable(cols), "\n", nl) + "<!-- /monthly-cost -->"
	})
	if len(errs) > 0 {
		return doc, fmt.Errorf("monthly-cost tables: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func monthlyColumns(spec string, byKey map[string]map[string]any) ([]monthlyColumn, error) {
	fields := strings.Fields(spec)
	if len(fields) == 0 {
		return nil, fmt.Errorf("no columns: write <!-- monthly-cost <stage>/<profile>@<orders a year> … -->")
	}
	var cols []monthlyColumn
	for _, f := range fields {
		key, volume, ok := strings.Cut(f, "@")
		perYear, err := strconv.ParseFloat(volume, 64)
		if !ok || err != nil || perYear <= 0 {
			return nil, fmt.Errorf("column %q: want <stage>/<profile>@<orders a year>, a positive number", f)
		}
		res, ok := byKey[key]
		if !ok {
			return nil, fmt.Errorf("column %q: no result for %s among the results read", f, key)
		}
		offered, ok := lookupNumber(res, "offered")
		if !ok || offered <= 0 {
			return nil, fmt.Errorf("column %q: the %s result offered no orders", f, key)
		}
		cost, _ := res["cost"].(map[string]any)
		bySvc, _ := cost["by_service_usd"].(map[string]any)
		if bySvc == nil {
			return nil, fmt.Errorf("column %q: the %s result has no metered bill (cost.by_service_usd): a run against a TARGET cannot price itself", f, key)
		}
		c := monthlyColumn{key: key, perYear: perYear, offered: offered, services: map[string]float64{}}
		for svc, v := range bySvc {
			usd, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("column %q: cost.by_service_usd.%s is not a number", f, svc)
			}
			c.services[svc] = usd
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// monthly is the column's USD a month for a service's run cost.
func (c monthlyColumn) monthly(runUSD float64) float64 {
	return runUSD / c.offered * c.perYear / 12
}

func monthlyTable(cols []monthlyColumn) string {
	var b strings.Builder
	b.WriteString("| USD a month |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s at %s orders a year |", c.key, formatCount(int64(math.Round(c.perYear))))
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("--:|", len(cols)))
	b.WriteString("\n")
	var services []string
	for _, c := range cols {
		for s := range c.services {
			if !slices.Contains(services, s) {
				services = append(services, s)
			}
		}
	}
	slices.Sort(services)
	totals := make([]float64, len(cols))
	for _, s := range services {
		fmt.Fprintf(&b, "| %s |", s)
		for i, c := range cols {
			usd, ok := c.services[s]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			totals[i] += c.monthly(usd)
			fmt.Fprintf(&b, " %s |", monthlyUSD(c.monthly(usd)))
		}
		b.WriteString("\n")
	}
	b.WriteString("| **total** |")
	for _, t := range totals {
		fmt.Fprintf(&b, " **%s** |", monthlyUSD(t))
	}
	b.WriteString("\n| per 1,000 orders |")
	for i, c := range cols {
		fmt.Fprintf(&b, " %s |", monthlyUSD(totals[i]*12/c.perYear*1000))
	}
	fmt.Fprintf(&b, "\n| total against %s |", cols[0].key)
	for i, t := range totals {
		if i == 0 || totals[0] == 0 {
			b.WriteString(" – |")
			continue
		}
		fmt.Fprintf(&b, " %s |", signedPercent(t/totals[0]-1))
	}
	b.WriteString("\n")
	return b.String()
}

// monthlyUSD shows dollars with cents, or three significant digits below a dollar.
func monthlyUSD(v float64) string {
	if v >= 1 {
		whole := int64(math.Floor(v))
		cents := int64(math.Round((v - float64(whole)) * 100))
		if cents == 100 {
			whole, cents = whole+1, 0
		}
		return fmt.Sprintf("$%s.%02d", formatCount(whole), cents)
	}
	return "$" + formatCost(v)
}

// signedPercent shows a change as "+12 %" or "−35 %" (a true minus sign).
func signedPercent(r float64) string {
	p := math.Round(r * 100)
	if p < 0 {
		return "−" + strconv.FormatFloat(-p, 'f', 0, 64) + " %"
	}
	return "+" + strconv.FormatFloat(p, 'f', 0, 64) + " %"
}
