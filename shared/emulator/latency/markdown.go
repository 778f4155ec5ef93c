package latency

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// WriteMarkdown renders the model as the page docs/latency-model.md: every component with its
// median, p99, tail, tag and source.
func (m *Model) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Latency model (%s)\n\n", m.Name())
	b.WriteString("<!-- Generated from shared/emulator/latency/model.json by `go test ./shared/emulator/latency -update`. Do not edit by hand. -->\n\n")
	b.WriteString("Every number the emulator waits for comes from this table. Each component is a lognormal\n")
	b.WriteString("distribution fitted to its median and p99 (mu = ln(median), sigma = ln(p99 / median) / 2.326),\n")
	b.WriteString("sometimes with a rare tail added. Load-dependent latency is not in this table: it comes from the\n")
	b.WriteString("mechanisms the emulator enforces (Lambda concurrency and cold starts, DynamoDB partition\n")
	b.WriteString("throughput, API Gateway throttling, the payment provider's capacity) and from the handlers' real code.\n\n")
	b.WriteString("Tags: **AWS** = AWS documentation or announcement; **independent** = a published measurement by\n")
	b.WriteString("someone else; **estimate** = no published figure found. Calibrate estimates on a real account:\n")
	b.WriteString("deploy a stage (`make deploy STAGE=…`) and run `make load STAGE=… TARGET=https://…`.\n\n")
	b.WriteString("Runs are seeded (`SEED=`); `-model zero` turns every component off, for tests and benchmarks of the\n")
	b.WriteString("emulator's own overhead.\n\n")
	b.WriteString("| component | what | median ms | p99 ms | rare tail | tag | source |\n")
	b.WriteString("|---|---|---:|---:|---|---|---|\n")
	for _, c := range m.ordered {
		tail := "–"
		if t := c.Tail; t != nil {
			tail = fmt.Sprintf("p = %g: +%s–%s ms (%s: %s)", t.Probability, num(t.MinMS), num(t.MaxMS), t.Tag, t.Source)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", c.ID, c.What, num(c.MedianMS), num(c.P99MS), tail, c.Tag, c.Source)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}
