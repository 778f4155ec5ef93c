// Package stores holds store-check, which tells the order chain about a store, and store-hours,
// the function store-check asks to convert a time into the store's zone.
package stores

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// EnvStoreHours names the function store-check calls.
const EnvStoreHours = "STORE_HOURS_FUNCTION"

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Check is store-check.
type Check struct {
	Hours Caller
}

// NewCheck builds store-check from its environment.
func NewCheck(_ context.Context, cfg aws.Config, getenv func(string) string) (*Check, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Check{Hours: b.Function(EnvStoreHours)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("store-check: %w", err)
	}
	return h, nil
}

// Handle answers the store and the local day of the pickup, or no store for an unknown ID.
func (h *Check) Handle(ctx context.Context, in message.StoreRequest) (message.StoreResult, error) {
	st, ok := bakery.StoreByID(in.StoreID)
	if !ok {
		return message.StoreResult{}, nil
	}
	var local message.HoursResult
	if err := h.Hours.Call(ctx, message.HoursRequest{TimeZone: st.TimeZone, At: in.PickupAt}, &local); err != nil {
		return message.StoreResult{}, fmt.Errorf("store %s local time: %w", st.ID, err)
	}
	return message.StoreResult{Store: &message.Store{
		ID: st.ID, City: st.City, Currency: st.Currency, TaxBasisPoints: st.TaxBasisPoints,
		TimeZone: st.TimeZone, PickupDay: local.Day, PickupLocal: local.Local,
	}}, nil
}

// Hours is store-hours: a time in a zone, as the day and the local time.
func Hours(_ context.Context, in message.HoursRequest) (message.HoursResult, error) {
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return message.HoursResult{}, fmt.Errorf("time zone %q: %w", in.TimeZone, err)
	}
	t := in.At.In(loc)
	return message.HoursResult{Day: t.Format(time.DateOnly), Local: t.Format(time.RFC3339)}, nil
}
