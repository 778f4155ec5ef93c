package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func TestFillMonthly(t *testing.T) {
	// 1,000 orders offered; 04 spent $0.10 on Lambda and $0.20 on Step Functions, 05 $0.30 in all.
	results := []*loadgen.Result{
		{Stage: "04-refactor", Profile: "morning-rush", Offered: 1000,
			Cost: &loadgen.Cost{TotalUSD: 0.3, ByService: map[string]float64{"lambda": 0.1, "stepfunctions": 0.2}}},
		{Stage: "05-global", Profile: "morning-rush", Offered: 1000,
			Cost: &loadgen.Cost{TotalUSD: 0.3, ByService: map[string]float64{"stepfunctions": 0.15, "dynamodb": 0.15}}},
		{Stage: "03-crisis", Profile: "morning-rush", Offered: 1000},
	}
	// At 1,200,000 orders a year (100,000 a month) 04's $0.30 per 1,000 orders is $30 a month;
	// 05 at 3.6 million a year is $90, three times as much.
	want := "<!-- monthly-cost 04-refactor/morning-rush@1200000 05-global/morning-rush@3600000 -->\n" +
		"| USD a month | 04-refactor/morning-rush at 1,200,000 orders a year | 05-global/morning-rush at 3,600,000 orders a year |\n" +
		"|---|--:|--:|\n" +
		"| dynamodb | – | $45.00 |\n" +
		"| lambda | $10.00 | – |\n" +
		"| stepfunctions | $20.00 | $45.00 |\n" +
		"| **total** | **$30.00** | **$90.00** |\n" +
		"| per 1,000 orders | $0.300 | $0.300 |\n" +
		"| total against 04-refactor/morning-rush | – | +200 % |\n" +
		"<!-- /monthly-cost -->"
	tests := []struct {
		name, doc, want, err string
	}{
		{"two columns", "<!-- monthly-cost 04-refactor/morning-rush@1200000 05-global/morning-rush@3600000 -->\nold\n<!-- /monthly-cost -->", want, ""},
		{"a cheaper second column", "<!-- monthly-cost 05-global/morning-rush@3600000 04-refactor/morning-rush@1200000 --><!-- /monthly-cost -->",
			"", ""},
		{"missing result", "\n<!-- monthly-cost 02-split/morning-rush@1 --><!-- /monthly-cost -->", "", "line 2: column \"02-split/morning-rush@1\": no result"},
		{"no bill", "<!-- monthly-cost 03-crisis/morning-rush@1 --><!-- /monthly-cost -->", "", "no metered bill"},
		{"no volume", "<!-- monthly-cost 04-refactor/morning-rush --><!-- /monthly-cost -->", "", "want <stage>/<profile>@<orders a year>"},
		{"zero volume", "<!-- monthly-cost 04-refactor/morning-rush@0 --><!-- /monthly-cost -->", "", "a positive number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fillValues(tt.doc, results, nil)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Equal(t, tt.doc, got, "a bad table changes nothing")
				return
			}
			require.NoError(t, err)
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
			} else {
				assert.Contains(t, got, "| total against 05-global/morning-rush | – | −67 % |")
			}
		})
	}
}
