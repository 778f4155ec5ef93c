package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkAPIToLambdaToTable is one API request end to end in process: API Gateway, its
// Lambda integration (through Env.Call), the handler's SDK PutItem to DynamoDB, with the zero
// latency model, so it measures the emulator's own cost per request.
func BenchmarkAPIToLambdaToTable(b *testing.B) {
	emu := start(b, nil, "")
	c := emu.HTTPClient()
	url := emu.APIURL() + "/tickets"
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		resp, err := c.Post(url, "text/plain", strings.NewReader(fmt.Sprint("t-", i)))
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
