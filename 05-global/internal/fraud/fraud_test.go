package fraud_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/fraud"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

func TestScreen(t *testing.T) {
	t.Parallel()
	ada := bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}
	tests := []struct {
		name      string
		order     fraud.Order
		wantRisk  string
		wantScore int
	}{
		{"an ordinary breakfast", fraud.Order{Customer: ada, Currency: "GBP", Total: 576,
			Items: []bakery.Line{{ItemID: "croissant", Quantity: 2}}}, fraud.RiskLow, 0},
		{"a big order alone is not enough", fraud.Order{Customer: ada, Currency: "GBP", Total: 100 * 240,
			Items: []bakery.Line{{ItemID: "croissant", Quantity: 45}}}, fraud.RiskLow, 50},
		{"a disposable address with a big order", fraud.Order{Customer: bakery.Customer{Name: "X", Email: "x@Mailinator.com"}, Currency: "SEK", Total: 100 * 3000},
			fraud.RiskHigh, 90},
		{"a name without letters from a disposable address", fraud.Order{Customer: bakery.Customer{Name: "1234", Email: "a@yopmail.com"}, Currency: "EUR", Total: 220},
			fraud.RiskHigh, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := fraud.NewScreen(context.Background(), aws.Config{}, nil)
			require.NoError(t, err)
			got, err := s.Handle(context.Background(), tt.order)
			require.NoError(t, err)
			assert.Equal(t, tt.wantRisk, got.Risk)
			assert.Equal(t, tt.wantScore, got.Score)
			assert.Equal(t, tt.wantScore == 0, len(got.Reasons) == 0, "a reason for every point")
		})
	}
}
