package event

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Envelope wraps an order detail in the EventBridge event a rule delivers, for tests and tools.
func Envelope(detailType string, o Order) events.EventBridgeEvent {
	d, _ := json.Marshal(o)
	return events.EventBridgeEvent{ID: "ev-" + o.OrderID, Source: Source, DetailType: detailType, Detail: d}
}

// Sample is an order of two croissants and a cappuccino at lon-01, for tests.
func Sample(id string) Order {
	return Order{
		OrderID: id, Status: "paid", StoreID: "lon-01", Day: "2026-11-27",
		Customer: bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Items: []bakery.Line{
			{ItemID: "croissant", Name: "Butter croissant", Quantity: 2, UnitPrice: 240, LineTotal: 480},
			{ItemID: "cappuccino", Name: "Cappuccino", Quantity: 1, UnitPrice: 360, LineTotal: 360},
		},
		Currency: "GBP", Subtotal: 840, Tax: 168, Total: 1008, PickupAt: "2026-11-27T08:30:00Z",
	}
}
