// Package pricing holds the pricing functions: cart-pricer, which prices an order by calling
// the others one after another (and then hands the order to stock-coordinator), promotion-engine
// with the promo-rules it reads, tax-calculator with tax-rates, and totals-calculator.
package pricing

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Environment variables naming the functions this package's functions call.
const (
	EnvCurrencyRouter   = "CURRENCY_ROUTER_FUNCTION"
	EnvPriceLookup      = "PRICE_LOOKUP_FUNCTION"
	EnvPromotionEngine  = "PROMOTION_ENGINE_FUNCTION"
	EnvTaxCalculator    = "TAX_CALCULATOR_FUNCTION"
	EnvTotalsCalculator = "TOTALS_CALCULATOR_FUNCTION"
	EnvStockCoordinator = "STOCK_COORDINATOR_FUNCTION"
	EnvPromoRules       = "PROMO_RULES_FUNCTION"
	EnvTaxRates         = "TAX_RATES_FUNCTION"
)

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// CartPricer is cart-pricer.
type CartPricer struct {
	Currency, Price, Promotions, Tax, Totals, Next Caller
}

// NewCartPricer builds cart-pricer from its environment.
func NewCartPricer(_ context.Context, cfg aws.Config, getenv func(string) string) (*CartPricer, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &CartPricer{
		Currency:   b.Function(EnvCurrencyRouter),
		Price:      b.Function(EnvPriceLookup),
		Promotions: b.Function(EnvPromotionEngine),
		Tax:        b.Function(EnvTaxCalculator),
		Totals:     b.Function(EnvTotalsCalculator),
		Next:       b.Function(EnvStockCoordinator),
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("cart-pricer: %w", err)
	}
	return h, nil
}

// Handle prices every line (one price-lookup per line), applies the promotions and the tax, and
// passes the order on.
func (h *CartPricer) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	if co.Store == nil {
		return message.Checkout{}, fmt.Errorf("price order %s: the store is required", co.OrderID)
	}
	var cur message.CurrencyResult
	if err := h.Currency.Call(ctx, message.CurrencyRequest{StoreID: co.Store.ID}, &cur); err != nil {
		return message.Checkout{}, fmt.Errorf("currency of store %s: %w", co.Store.ID, err)
	}
	lines := make([]bakery.Line, 0, len(co.Request.Items))
	items := make([]message.PriceResult, 0, len(co.Request.Items))
	for _, l := range co.Request.Items {
		var p message.PriceResult
		if err := h.Price.Call(ctx, message.PriceRequest{ItemID: l.ItemID, Currency: cur.Currency}, &p); err != nil {
			return message.Checkout{}, fmt.Errorf("price %s: %w", l.ItemID, err)
		}
		items = append(items, p)
		lines = append(lines, bakery.Line{ItemID: p.ItemID, Name: p.Name, Quantity: l.Quantity, UnitPrice: p.UnitPrice, LineTotal: p.UnitPrice * int64(l.Quantity)})
	}
	var promo message.PromotionResult
	if err := h.Promotions.Call(ctx, message.PromotionRequest{StoreID: co.Store.ID, Lines: lines, Items: items}, &promo); err != nil {
		return message.Checkout{}, fmt.Errorf("promotions: %w", err)
	}
	var subtotal int64
	for _, l := range promo.Lines {
		subtotal += l.LineTotal
	}
	var tax message.TaxResult
	if err := h.Tax.Call(ctx, message.TaxRequest{StoreID: co.Store.ID, Subtotal: subtotal}, &tax); err != nil {
		return message.Checkout{}, fmt.Errorf("tax: %w", err)
	}
	var totals bakery.Totals
	if err := h.Totals.Call(ctx, message.TotalsRequest{Lines: promo.Lines, Tax: tax.Tax}, &totals); err != nil {
		return message.Checkout{}, fmt.Errorf("totals: %w", err)
	}
	co.Lines, co.Discount, co.Promotion, co.Totals = promo.Lines, promo.Discount, promo.Applied, &totals
	var out message.Checkout
	if err := h.Next.Call(ctx, co, &out); err != nil {
		return message.Checkout{}, fmt.Errorf("stock for order %s: %w", co.OrderID, err)
	}
	return out, nil
}

// PromotionEngine is promotion-engine.
type PromotionEngine struct {
	Rules Caller
}

// NewPromotionEngine builds promotion-engine from its environment.
func NewPromotionEngine(_ context.Context, cfg aws.Config, getenv func(string) string) (*PromotionEngine, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &PromotionEngine{Rules: b.Function(EnvPromoRules)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("promotion-engine: %w", err)
	}
	return h, nil
}

// Handle applies every rule to every line: each Every-th unit of a line in the rule's category
// is free.
func (h *PromotionEngine) Handle(ctx context.Context, in message.PromotionRequest) (message.PromotionResult, error) {
	var rules message.PromoRules
	if err := h.Rules.Call(ctx, message.PromoRulesRequest{StoreID: in.StoreID}, &rules); err != nil {
		return message.PromotionResult{}, fmt.Errorf("promotion rules: %w", err)
	}
	out := message.PromotionResult{Lines: make([]bakery.Line, len(in.Lines))}
	for i, l := range in.Lines {
		for _, r := range rules.Rules {
			if i >= len(in.Items) || in.Items[i].Category != r.Category || r.Every < 2 || l.Quantity < r.Every {
				continue
			}
			off := l.UnitPrice * int64(l.Quantity/r.Every)
			l.LineTotal -= off
			out.Discount += off
			out.Applied = append(out.Applied, r.Name+":"+l.ItemID)
		}
		out.Lines[i] = l
	}
	return out, nil
}

// DefaultPromotions apply when the table has no CONFIG/PROMOTIONS item: the twelfth pastry of a
// line is free.
var DefaultPromotions = []message.PromoRule{{Name: "dozen-deal", Category: bakery.CategoryPastry, Every: 12}}

// PromoRules is promo-rules: the promotions marketing keeps in the shared table.
type PromoRules struct {
	DB   table.API
	Name string
}

// NewPromoRules builds promo-rules from its environment.
func NewPromoRules(_ context.Context, cfg aws.Config, getenv func(string) string) (*PromoRules, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("promo-rules: %w", err)
	}
	return &PromoRules{DB: dynamodb.NewFromConfig(cfg), Name: name}, nil
}

// Handle reads the rules on every call (nothing is cached between invocations).
func (h *PromoRules) Handle(ctx context.Context, _ message.PromoRulesRequest) (message.PromoRules, error) {
	out, err := h.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.Name, Key: table.Key("CONFIG", "PROMOTIONS")})
	if err != nil {
		return message.PromoRules{}, fmt.Errorf("get promotions: %w", err)
	}
	if out.Item == nil {
		return message.PromoRules{Rules: DefaultPromotions}, nil
	}
	var rules message.PromoRules
	if err := table.Unmarshal(out.Item, &rules); err != nil {
		return message.PromoRules{}, fmt.Errorf("read promotions: %w", err)
	}
	return rules, nil
}

// TaxCalculator is tax-calculator.
type TaxCalculator struct {
	Rates Caller
}

// NewTaxCalculator builds tax-calculator from its environment.
func NewTaxCalculator(_ context.Context, cfg aws.Config, getenv func(string) string) (*TaxCalculator, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &TaxCalculator{Rates: b.Function(EnvTaxRates)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("tax-calculator: %w", err)
	}
	return h, nil
}

// Handle asks tax-rates for the store's rate and applies it.
func (h *TaxCalculator) Handle(ctx context.Context, in message.TaxRequest) (message.TaxResult, error) {
	var rate message.TaxRate
	if err := h.Rates.Call(ctx, message.TaxRateRequest{StoreID: in.StoreID}, &rate); err != nil {
		return message.TaxResult{}, fmt.Errorf("tax rate of store %s: %w", in.StoreID, err)
	}
	return message.TaxResult{BasisPoints: rate.BasisPoints, Tax: bakery.TaxOn(in.Subtotal, rate.BasisPoints)}, nil
}

// TaxRates is tax-rates: a store's tax rate.
func TaxRates(_ context.Context, in message.TaxRateRequest) (message.TaxRate, error) {
	st, ok := bakery.StoreByID(in.StoreID)
	if !ok {
		return message.TaxRate{}, fmt.Errorf("tax rate of store %q: no such store", in.StoreID)
	}
	return message.TaxRate{BasisPoints: st.TaxBasisPoints}, nil
}

// TotalsCalculator is totals-calculator: the lines' subtotal plus the tax.
func TotalsCalculator(_ context.Context, in message.TotalsRequest) (bakery.Totals, error) {
	var t bakery.Totals
	for _, l := range in.Lines {
		t.Subtotal += l.LineTotal
	}
	t.Tax = in.Tax
	t.Total = t.Subtotal + t.Tax
	return t, nil
}
