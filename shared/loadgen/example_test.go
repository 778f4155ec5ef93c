package loadgen_test

import (
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func ExampleLoadProfile() {
	for _, name := range loadgen.Profiles() {
		p, err := loadgen.LoadProfile(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		peak := 0.0
		for _, pt := range p.Rate {
			peak = max(peak, pt.RPS)
		}
		fmt.Printf("%-13s %3.0f s  %5.0f orders  peak %3.0f/s  patience %.0f s\n",
			p.Name, p.DurationS, p.Expected(), peak, p.PatienceS)
	}
	// Output:
	// holiday-spike  30 s   3075 orders  peak 200/s  patience 8 s
	// morning-rush   40 s   1812 orders  peak  60/s  patience 8 s
	// smoke          10 s     50 orders  peak   5/s  patience 10 s
	// steady         20 s    100 orders  peak   5/s  patience 8 s
}

func ExampleEstimate() {
	c := loadgen.Estimate(loadgen.Usage{
		RESTRequests:       1000,
		LambdaRequests:     3000,
		LambdaGBSecondsARM: 3000 * 0.128 * 0.050, // 3,000 invocations of 50 ms at 128 MB
		DynamoDBWRU:        2000,
	})
	fmt.Printf("$%.5f for 1,000 orders (prices of %s)\n", c.TotalUSD, c.PriceDate)
	// Output:
	// $0.00561 for 1,000 orders (prices of 2026-11-27)
}
