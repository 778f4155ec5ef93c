package bakery_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

func TestTaxOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		amount int64
		bp     int
		want   int64
	}{
		{"exact", 1000, 2000, 200},
		{"rounds down below a half", 1005, 550, 55},               // 55.275
		{"rounds half up", 10, 2500, 3},                           // 2.5
		{"rounds up above a half", 1234, 1498, 185},               // 184.853
		{"tiny amount rounds to zero", 1, 888, 0},                 // 0.0888
		{"zero amount", 0, 2000, 0},                               //
		{"zero rate", 1234, 0, 0},                                 //
		{"large order stays exact", 1_000_000_00, 863, 8_630_000}, // 1,000,000.00 at 8.63 %
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bakery.TaxOn(tt.amount, tt.bp))
		})
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{1230, bakery.GBP, "GBP 12.30"},
		{5, bakery.EUR, "EUR 0.05"},
		{0, bakery.USD, "USD 0.00"},
		{-500, bakery.SEK, "SEK -5.00"},
		{6000, "czk", "CZK 60.00"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, bakery.FormatMoney(tt.amount, tt.currency))
		})
	}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	croissant, _ := bakery.ItemByID("croissant")
	flatWhite, _ := bakery.ItemByID("flat-white")

	l1, err := bakery.NewLine(croissant, 2, bakery.GBP)
	assert.NoError(t, err)
	assert.Equal(t, bakery.Line{ItemID: "croissant", Name: "Butter croissant", Quantity: 2, UnitPrice: 240, LineTotal: 480}, l1)
	l2, err := bakery.NewLine(flatWhite, 1, bakery.GBP)
	assert.NoError(t, err)

	assert.Equal(t, bakery.Totals{Subtotal: 850, Tax: 170, Total: 1020}, bakery.Price([]bakery.Line{l1, l2}, 2000))
	assert.Equal(t, bakery.Totals{}, bakery.Price(nil, 2000))

	_, err = bakery.NewLine(croissant, 1, "JPY")
	assert.EqualError(t, err, "price item croissant: no price in JPY")
}
