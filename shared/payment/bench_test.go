package payment_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// BenchmarkHandler measures the provider's own overhead per charge (decoding, queueing,
// bookkeeping, encoding) with a zero service time: it must stay far below the modelled 300 ms.
func BenchmarkHandler(b *testing.B) {
	for _, bm := range []struct {
		name string
		key  bool
	}{{"no key", false}, {"idempotency key", true}} {
		b.Run(bm.name, func(b *testing.B) {
			p := newProvider(b, payment.Config{Capacity: 1_000, ServiceTime: instant})
			h := payment.NewHandler(p)
			var seq atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest(http.MethodPost, "http://"+payment.InternalHost+payment.ChargesPath, strings.NewReader(validBody))
					if bm.key {
						// A new key each time: every call is a first attempt, not a replay.
						r.Header.Set(payment.HeaderIdempotencyKey, "key-"+strconv.FormatInt(seq.Add(1), 10))
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusCreated {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}
