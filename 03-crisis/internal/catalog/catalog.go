// Package catalog holds the menu functions: menu-lookup (the menu, or some of its items),
// price-lookup (one item's price, which it gets by asking menu-lookup) and currency-router (a
// store's currency).
package catalog

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// EnvMenuLookup names the function price-lookup calls.
const EnvMenuLookup = "MENU_LOOKUP_FUNCTION"

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// MenuLookup is menu-lookup: the whole menu, or the items asked for and the IDs it does not know.
func MenuLookup(_ context.Context, in message.MenuRequest) (message.MenuResult, error) {
	if len(in.ItemIDs) == 0 {
		return message.MenuResult{Items: bakery.Menu()}, nil
	}
	var out message.MenuResult
	for _, id := range in.ItemIDs {
		it, ok := bakery.ItemByID(id)
		if !ok {
			out.Missing = append(out.Missing, id)
			continue
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// PriceLookup is price-lookup.
type PriceLookup struct {
	Menu Caller
}

// NewPriceLookup builds price-lookup from its environment.
func NewPriceLookup(_ context.Context, cfg aws.Config, getenv func(string) string) (*PriceLookup, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &PriceLookup{Menu: b.Function(EnvMenuLookup)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("price-lookup: %w", err)
	}
	return h, nil
}

// Handle asks menu-lookup for the item and answers its price in the currency.
func (h *PriceLookup) Handle(ctx context.Context, in message.PriceRequest) (message.PriceResult, error) {
	var menu message.MenuResult
	if err := h.Menu.Call(ctx, message.MenuRequest{ItemIDs: []string{in.ItemID}}, &menu); err != nil {
		return message.PriceResult{}, fmt.Errorf("look up item %s: %w", in.ItemID, err)
	}
	if len(menu.Items) != 1 {
		return message.PriceResult{}, fmt.Errorf("price item %q: not on the menu", in.ItemID)
	}
	it := menu.Items[0]
	price, ok := it.Price(in.Currency)
	if !ok {
		return message.PriceResult{}, fmt.Errorf("price item %s: no price in %s", it.ID, in.Currency)
	}
	return message.PriceResult{ItemID: it.ID, Name: it.Name, Category: it.Category, UnitPrice: price}, nil
}

// CurrencyRouter is currency-router: the currency a store charges in.
func CurrencyRouter(_ context.Context, in message.CurrencyRequest) (message.CurrencyResult, error) {
	st, ok := bakery.StoreByID(in.StoreID)
	if !ok {
		return message.CurrencyResult{}, fmt.Errorf("currency of store %q: no such store", in.StoreID)
	}
	return message.CurrencyResult{Currency: st.Currency}, nil
}
