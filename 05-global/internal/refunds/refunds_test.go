package refunds_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/refunds"
)

// Conditional writes make the redelivered event harmless:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
func TestHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		order      map[string]any
		detailType string
		detail     map[string]any
		wantStatus string
		wantCharge string
	}{
		{"a failed order that was never charged needs nothing",
			map[string]any{"orderId": "o-1", "status": "failed", "total": 1008, "currency": "GBP"},
			"OrderFailed", map[string]any{"order_id": "o-1"}, "", ""},
		{"a paid order that failed in the kitchen is due a refund",
			map[string]any{"orderId": "o-1", "status": "failed", "total": 1008, "currency": "GBP", "payment_ref": "ch_1"},
			"OrderFailed", map[string]any{"order_id": "o-1"}, refunds.RefundDue, "ch_1"},
		{"an orphaned charge is due a refund",
			map[string]any{"orderId": "o-1", "status": "failed", "total": 1008, "currency": "GBP"},
			"PaymentOrphaned", map[string]any{"order_id": "o-1", "charge_id": "ch_9", "amount": 1008, "currency": "GBP"}, refunds.RefundDue, "ch_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, db := ddbtest.Start(t, ddbtest.Orders)
			ddbtest.PutOrder(t, db, tt.order)
			r, err := refunds.NewReconciler(context.Background(), cfg, ddbtest.Env(nil))
			require.NoError(t, err)
			d, _ := json.Marshal(tt.detail)
			ev := events.EventBridgeEvent{ID: "e1", DetailType: tt.detailType, Detail: d, Time: time.Now()}
			for range 2 { // the second delivery changes nothing
				require.NoError(t, r.Handle(context.Background(), ev))
			}
			o, ok, err := ddb.GetOrder(context.Background(), db, ddbtest.Orders.Name, "o-1")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, tt.wantStatus, o.RefundStatus)
			assert.Equal(t, tt.wantCharge, o.RefundCharge)
		})
	}
}

func TestHandleRejectsAnEventWithoutAnOrder(t *testing.T) {
	t.Parallel()
	cfg, _ := ddbtest.Start(t, ddbtest.Orders)
	r, err := refunds.NewReconciler(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	assert.ErrorContains(t, r.Handle(context.Background(), events.EventBridgeEvent{ID: "e1", DetailType: "OrderFailed", Detail: json.RawMessage(`{}`)}), "want an order_id")
}
