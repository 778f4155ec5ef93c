package payment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// A stage's handler charges an order through the Client; here the provider answers on a loopback
// listener with no service time.
func Example() {
	ctx := context.Background()
	p, err := payment.New(payment.Config{
		Capacity:    20,
		ServiceTime: payment.ServiceTimeFunc(func(context.Context) error { return nil }),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(payment.NewHandler(p))
	defer srv.Close()
	c := payment.NewClient(srv.URL, srv.Client())

	req := payment.ChargeRequest{OrderID: "ord-1", Amount: 1234, Currency: "GBP", CustomerEmail: payment.ApprovedTestEmail}
	first, err := c.Charge(ctx, req, "charge-ord-1")
	fmt.Println(first.Status, first.Amount, first.Currency, err)

	// A retry with the same key gets the first charge back.
	again, _ := c.Charge(ctx, req, "charge-ord-1")
	fmt.Println("same charge:", again.ID == first.ID, "replayed:", again.Replayed)

	// A retry without a key charges the card again.
	_, _ = c.Charge(ctx, req, "")

	req.OrderID, req.CustomerEmail = "ord-2", payment.DeclinedTestEmail
	_, err = c.Charge(ctx, req, "")
	fmt.Println("declined:", errors.Is(err, payment.ErrDeclined))

	s := p.Stats()
	fmt.Printf("charges=%d succeeded=%d declined=%d duplicate_charges=%d replayed=%d\n",
		s.Charges, s.Succeeded, s.Declined, s.DuplicateCharges, s.Replayed)
	// Output:
	// succeeded 1234 GBP <nil>
	// same charge: true replayed: true
	// declined: true
	// charges=3 succeeded=2 declined=1 duplicate_charges=1 replayed=1
}
