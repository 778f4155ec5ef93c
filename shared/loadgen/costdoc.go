package loadgen

import (
	"fmt"
	"io"
	"strings"
)

// WriteCostMarkdown renders the price table as the page docs/cost-model.md.
func WriteCostMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Cost model (%s, prices of %s)\n\n", prices.Region, prices.Date)
	b.WriteString("<!-- Generated from shared/loadgen/prices.json by `go test ./shared/loadgen -run CostDoc -update`. Do not edit by hand. -->\n\n")
	b.WriteString("`cost_usd_per_1k_orders` in every result file is the modelled AWS bill of the run divided by the\n")
	b.WriteString("orders offered, times 1,000. The emulator meters what the run consumed (API requests, Lambda\n")
	b.WriteString("requests and billed GB-seconds by architecture, DynamoDB read and write request units, and so on)\n")
	b.WriteString("and prices it with this table. Every offered order counts, failed or not, so stages are compared on\n")
	b.WriteString("the same orders.\n\n")
	b.WriteString(prices.Note + "\n\n")
	b.WriteString("What it leaves out: free tiers, volume tiers beyond the first, CloudWatch Logs, data transfer,\n")
	b.WriteString("and storage. Against a deployed stage (`TARGET=`) the load tool cannot meter usage, so the cost is\n")
	b.WriteString("null there: read your bill or Cost Explorer instead.\n\n")
	b.WriteString("| service | unit | USD | per | note | source |\n|---|---|---:|---:|---|---|\n")
	for _, p := range prices.Prices {
		fmt.Fprintf(&b, "| %s | %s | %g | %s | %s | %s |\n", p.Service, p.Unit, p.USD, groupThousands(p.Per), p.Note, p.Source)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func groupThousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
