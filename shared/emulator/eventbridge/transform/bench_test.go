package transform_test

import (
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/transform"
)

// BenchmarkApply renders a template of five input paths into one event, as a rule that sends an
// order's status to its customer's channel does.
func BenchmarkApply(b *testing.B) {
	tr, err := transform.New(map[string]string{
		"id":     "$.detail.order_id",
		"store":  "$.detail.store_id",
		"status": "$.detail.status",
		"total":  "$.detail.total.amount",
		"type":   "$.detail-type",
	}, `{"channel":"/orders/<id>","events":["{\"order_id\":\"<id>\",\"store\":\"<store>\",\"status\":\"<status>\",\"total\":<total>,\"type\":\"<type>\"}"]}`)
	if err != nil {
		b.Fatal(err)
	}
	event := []byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"OrderPaid","source":"emilys.orders","account":"000000000000","time":"2026-12-05T08:00:00Z","region":"eu-west-1","resources":[],"detail":{"order_id":"01JEXAMPLE","store_id":"lon-01","status":"PAID","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":2,"price":{"amount":3.2}},{"item_id":"espresso","quantity":1,"price":{"amount":2.1}}],"total":{"amount":8.5,"currency":"EUR"}}}`)
	for b.Loop() {
		if _, err := tr.Apply(event, transform.Reserved{}); err != nil {
			b.Fatal(err)
		}
	}
}
