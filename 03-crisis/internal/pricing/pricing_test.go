package pricing_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/pricing"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table/tabletest"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// rules is promo-rules itself, on an empty table: the default promotions.
func rules(t *testing.T) callFunc {
	t.Helper()
	cfg, _ := tabletest.Start(t)
	h, err := pricing.NewPromoRules(context.Background(), cfg, tabletest.Env(nil))
	require.NoError(t, err)
	return func(ctx context.Context, in, out any) error {
		r, err := h.Handle(ctx, in.(message.PromoRulesRequest))
		if err != nil {
			return err
		}
		b, _ := json.Marshal(r)
		return json.Unmarshal(b, out)
	}
}

type callFunc func(ctx context.Context, in, out any) error

func (f callFunc) Call(ctx context.Context, in, out any) error { return f(ctx, in, out) }

func TestPromotionEngine(t *testing.T) {
	t.Parallel()
	h := &pricing.PromotionEngine{Rules: rules(t)}
	line := func(item string, qty int, unit int64) bakery.Line {
		return bakery.Line{ItemID: item, Quantity: qty, UnitPrice: unit, LineTotal: unit * int64(qty)}
	}
	tests := []struct {
		name         string
		line         bakery.Line
		category     string
		wantTotal    int64
		wantDiscount int64
	}{
		{"eleven croissants pay for eleven", line("croissant", 11, 240), bakery.CategoryPastry, 2640, 0},
		{"the twelfth croissant is free", line("croissant", 12, 240), bakery.CategoryPastry, 2640, 240},
		{"drinks are not pastries", line("latte", 12, 400), bakery.CategoryDrink, 4800, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := h.Handle(context.Background(), message.PromotionRequest{StoreID: "lon-01",
				Lines: []bakery.Line{tt.line}, Items: []message.PriceResult{{ItemID: tt.line.ItemID, Category: tt.category}}})
			require.NoError(t, err)
			assert.Equal(t, tt.wantTotal, got.Lines[0].LineTotal)
			assert.Equal(t, tt.wantDiscount, got.Discount)
		})
	}
}

func TestTotalsAndTax(t *testing.T) {
	t.Parallel()
	rate, err := pricing.TaxRates(context.Background(), message.TaxRateRequest{StoreID: "lon-01"})
	require.NoError(t, err)
	assert.Equal(t, 2000, rate.BasisPoints)
	totals, err := pricing.TotalsCalculator(context.Background(), message.TotalsRequest{
		Lines: []bakery.Line{{LineTotal: 480}, {LineTotal: 360}}, Tax: bakery.TaxOn(840, rate.BasisPoints)})
	require.NoError(t, err)
	assert.Equal(t, bakery.Totals{Subtotal: 840, Tax: 168, Total: 1008}, totals)
	_, err = pricing.TaxRates(context.Background(), message.TaxRateRequest{StoreID: "nowhere"})
	assert.Error(t, err)
}
