package bakery

import "fmt"

// Line is one priced line of an order. Amounts are minor units of the order's currency.
type Line struct {
	ItemID    string `json:"item_id"`
	Name      string `json:"name"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	LineTotal int64  `json:"line_total"`
}

// NewLine prices quantity of it in currency.
func NewLine(it Item, quantity int, currency string) (Line, error) {
	unit, ok := it.Price(currency)
	if !ok {
		return Line{}, fmt.Errorf("price item %s: no price in %s", it.ID, currency)
	}
	return Line{ItemID: it.ID, Name: it.Name, Quantity: quantity, UnitPrice: unit, LineTotal: unit * int64(quantity)}, nil
}

// Totals are an order's amounts in minor units: Total = Subtotal + Tax.
type Totals struct {
	Subtotal int64 `json:"subtotal"`
	Tax      int64 `json:"tax"`
	Total    int64 `json:"total"`
}

// Price adds up lines and the tax at taxBasisPoints on their subtotal (see TaxOn for the rounding).
func Price(lines []Line, taxBasisPoints int) Totals {
	var t Totals
	for _, l := range lines {
		t.Subtotal += l.LineTotal
	}
	t.Tax = TaxOn(t.Subtotal, taxBasisPoints)
	t.Total = t.Subtotal + t.Tax
	return t
}
