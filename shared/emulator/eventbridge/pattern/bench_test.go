package pattern_test

import (
	"fmt"
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
)

const orderEvent = `{
  "version": "0",
  "id": "0d079340-135a-c8c6-95c2-41fb8f496c53",
  "detail-type": "OrderPlaced",
  "source": "com.emilys.orders",
  "account": "123456789012",
  "time": "2026-03-14T08:15:00Z",
  "region": "eu-west-1",
  "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],
  "detail": {
    "orderId": "ord-4711",
    "customer": {"id": "c-42", "tier": "gold", "ip": "10.1.2.3"},
    "total": 42.5,
    "items": [
      {"sku": "croissant", "qty": 2, "price": 3.5},
      {"sku": "eclair", "qty": 1, "price": 4.0},
      {"sku": "macaron-box", "qty": 3, "price": 11.0}
    ],
    "channel": "web",
    "rush": false
  }
}`

// benchPatterns is a realistic rule set: a mix of every operator, most not matching.
func benchPatterns(tb testing.TB) []*pattern.Pattern {
	tb.Helper()
	var ps []*pattern.Pattern
	for i := 0; i < 100; i++ {
		var src string
		switch i % 10 {
		case 0:
			src = fmt.Sprintf(`{"source":["com.emilys.orders"],"detail-type":["Order%d"]}`, i)
		case 1:
			src = fmt.Sprintf(`{"source":["com.emilys.orders"],"detail":{"total":[{"numeric":[">",%d,"<=",1000]}]}}`, i)
		case 2:
			src = fmt.Sprintf(`{"detail":{"items":{"sku":["sku-%d","croissant"],"qty":[{"numeric":[">=",%d]}]}}}`, i, i%4)
		case 3:
			src = fmt.Sprintf(`{"detail-type":[{"prefix":"Order"}],"detail":{"channel":[{"anything-but":["store-%d","phone"]}]}}`, i)
		case 4:
			src = fmt.Sprintf(`{"detail":{"customer":{"tier":[{"equals-ignore-case":"GOLD%d"}]}}}`, i)
		case 5:
			src = fmt.Sprintf(`{"resources":[{"wildcard":"arn:aws:dynamodb:*:table/orders-%d"}]}`, i)
		case 6:
			src = fmt.Sprintf(`{"detail":{"customer":{"ip":[{"cidr":"10.%d.0.0/16"}]}}}`, i)
		case 7:
			src = fmt.Sprintf(`{"detail":{"coupon":[{"exists":false}],"orderId":[{"suffix":"-%d"}]}}`, i)
		case 8:
			src = fmt.Sprintf(`{"$or":[{"detail":{"rush":[true]}},{"detail":{"total":[{"numeric":[">",%d00]}]}}]}`, i)
		case 9:
			src = fmt.Sprintf(`{"source":["com.emilys.kitchen"],"detail-type":["Batch%d"]}`, i)
		}
		ps = append(ps, pattern.MustCompile(src))
	}
	return ps
}

// BenchmarkMatch100Rules matches one decoded event against 100 compiled rules, the work a
// bus does per event; ns/op is the cost of all 100.
func BenchmarkMatch100Rules(b *testing.B) {
	ps := benchPatterns(b)
	ev, err := pattern.ParseEvent([]byte(orderEvent))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	matched := 0
	for b.Loop() {
		for _, p := range ps {
			if p.MatchValue(ev) {
				matched++
			}
		}
	}
	if matched == 0 {
		b.Fatal("no rule matched")
	}
}

// BenchmarkParseAndMatch100Rules adds decoding the event once.
func BenchmarkParseAndMatch100Rules(b *testing.B) {
	ps := benchPatterns(b)
	data := []byte(orderEvent)
	b.ReportAllocs()
	for b.Loop() {
		ev, err := pattern.ParseEvent(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			p.MatchValue(ev)
		}
	}
}

// BenchmarkCompile is the one-off cost of a typical pattern.
func BenchmarkCompile(b *testing.B) {
	src := []byte(`{"source":["com.emilys.orders"],"detail":{"total":[{"numeric":[">",10,"<=",1000]}],"items":{"sku":["croissant"]}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pattern.Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
