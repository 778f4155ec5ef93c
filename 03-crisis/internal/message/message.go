// Package message holds the JSON documents the 42 functions send each other. Every function's
// event and answer is defined here, so that a caller and its callee agree on the wire without
// importing each other's packages (the calls go in circles between domains: stock calls
// payments, which calls fulfilment, which calls stock again).
//
// The order chain passes one growing document, Checkout, from function to function: each adds
// its part and hands it on, and the last answer travels back up through every caller.
package message

import (
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Checkout is an order on its way down the chain.
type Checkout struct {
	OrderID    string              `json:"order_id"`
	Request    bakery.OrderRequest `json:"request"`
	ReceivedAt time.Time           `json:"received_at"`
	// Attempt counts order-workflow's tries of the whole chain for this order, from 1.
	Attempt int `json:"attempt"`

	Store     *Store         `json:"store,omitempty"`      // order-validator, from store-check
	Customer  *Customer      `json:"customer,omitempty"`   // order-validator, from customer-check
	PickupAt  time.Time      `json:"pickup_at"`            // order-validator
	Lines     []bakery.Line  `json:"lines,omitempty"`      // cart-pricer
	Discount  int64          `json:"discount,omitempty"`   // cart-pricer, from promotion-engine
	Promotion []string       `json:"promotions,omitempty"` // cart-pricer, from promotion-engine
	Totals    *bakery.Totals `json:"totals,omitempty"`     // cart-pricer
	Charge    *Charge        `json:"charge,omitempty"`     // payment-orchestrator
	Order     *bakery.Order  `json:"order,omitempty"`      // order-finalizer: the final order

	// Rejection is a business refusal (bad input, sold out) that ends the chain early; the
	// order API answers it with its status code.
	Rejection *Rejection `json:"rejection,omitempty"`
}

// Rejection is an answer the customer can act on.
type Rejection struct {
	StatusCode int    `json:"status_code"`
	Error      string `json:"error"`
}

// Store is a store as the order chain needs it (store-check).
type Store struct {
	ID             string `json:"store_id"`
	City           string `json:"city"`
	Currency       string `json:"currency"`
	TaxBasisPoints int    `json:"tax_basis_points"`
	TimeZone       string `json:"time_zone"`
	PickupDay      string `json:"pickup_day"`   // the store's local day of the pickup
	PickupLocal    string `json:"pickup_local"` // the pickup in the store's local time
}

// Customer is a customer's profile (customer-profile).
type Customer struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	New       bool      `json:"new"`
	Points    int64     `json:"points"`
	FirstSeen time.Time `json:"first_seen"`
}

// Charge is the payment of an order (payment-gateway).
type Charge struct {
	ChargeID string `json:"charge_id"`
	Status   string `json:"status"` // the provider's: succeeded or declined
	Attempts int    `json:"attempts"`
}

// ParseRequest is request-parser's event: the API request body.
type ParseRequest struct {
	Body string `json:"body"`
}

// ParseResult is request-parser's answer: the order request, or what is wrong with the body.
type ParseResult struct {
	Request *bakery.OrderRequest `json:"request,omitempty"`
	Error   string               `json:"error,omitempty"`
}

// FormatRequest is response-formatter's event: what to answer the API caller.
type FormatRequest struct {
	StatusCode int `json:"status_code"`
	Body       any `json:"body"`
}

// StoreRequest asks store-check about a store and a pickup time.
type StoreRequest struct {
	StoreID  string    `json:"store_id"`
	PickupAt time.Time `json:"pickup_at"`
}

// StoreResult is store-check's answer; Store is nil for an unknown store.
type StoreResult struct {
	Store *Store `json:"store,omitempty"`
}

// HoursRequest asks store-hours for a time in a store's zone.
type HoursRequest struct {
	TimeZone string    `json:"time_zone"`
	At       time.Time `json:"at"`
}

// HoursResult is store-hours' answer.
type HoursResult struct {
	Day   string `json:"day"`   // 2006-01-02
	Local string `json:"local"` // RFC 3339 with the zone's offset
}

// CustomerRequest asks customer-check or customer-profile about a customer.
type CustomerRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// MenuRequest asks menu-lookup for items; no IDs means the whole menu.
type MenuRequest struct {
	ItemIDs []string `json:"item_ids,omitempty"`
}

// MenuResult is menu-lookup's answer.
type MenuResult struct {
	Items   []bakery.Item `json:"items"`
	Missing []string      `json:"missing,omitempty"`
}

// PriceRequest asks price-lookup for one item's price.
type PriceRequest struct {
	ItemID   string `json:"item_id"`
	Currency string `json:"currency"`
}

// PriceResult is price-lookup's answer.
type PriceResult struct {
	ItemID    string `json:"item_id"`
	Name      string `json:"name"`
	Category  string `json:"category"`
	UnitPrice int64  `json:"unit_price"`
}

// CurrencyRequest asks currency-router for a store's currency.
type CurrencyRequest struct {
	StoreID string `json:"store_id"`
}

// CurrencyResult is currency-router's answer.
type CurrencyResult struct {
	Currency string `json:"currency"`
}

// PromotionRequest asks promotion-engine to apply the promotions to priced lines.
type PromotionRequest struct {
	StoreID string        `json:"store_id"`
	Lines   []bakery.Line `json:"lines"`
	Items   []PriceResult `json:"items"` // the lines' categories
}

// PromotionResult is promotion-engine's answer: the lines with the discounts applied.
type PromotionResult struct {
	Lines    []bakery.Line `json:"lines"`
	Discount int64         `json:"discount"`
	Applied  []string      `json:"applied,omitempty"`
}

// PromoRulesRequest asks promo-rules for the active promotions.
type PromoRulesRequest struct {
	StoreID string `json:"store_id"`
}

// PromoRule is one promotion: every Every-th unit of a line in Category is free.
type PromoRule struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Every    int    `json:"every"`
}

// PromoRules is promo-rules' answer.
type PromoRules struct {
	Rules []PromoRule `json:"rules"`
}

// TaxRequest asks tax-calculator for the tax on a subtotal.
type TaxRequest struct {
	StoreID  string `json:"store_id"`
	Subtotal int64  `json:"subtotal"`
}

// TaxResult is tax-calculator's answer.
type TaxResult struct {
	BasisPoints int   `json:"basis_points"`
	Tax         int64 `json:"tax"`
}

// TaxRateRequest asks tax-rates for a store's rate.
type TaxRateRequest struct {
	StoreID string `json:"store_id"`
}

// TaxRate is tax-rates' answer.
type TaxRate struct {
	BasisPoints int `json:"basis_points"`
}

// TotalsRequest asks totals-calculator to add up lines and tax.
type TotalsRequest struct {
	Lines []bakery.Line `json:"lines"`
	Tax   int64         `json:"tax"`
}

// StockLine is one item and quantity of a stock operation.
type StockLine struct {
	ItemID   string `json:"item_id"`
	Quantity int    `json:"quantity"`
	Par      int    `json:"par"` // the store's daily par level for the item
}

// StockRequest asks stock-check, stock-reserve or stock-update about an order's lines.
type StockRequest struct {
	OrderID  string      `json:"order_id"`
	StoreID  string      `json:"store_id"`
	Day      string      `json:"day"`
	Lines    []StockLine `json:"lines"`
	Customer string      `json:"customer,omitempty"` // for the store's live counter
	Pickup   string      `json:"pickup,omitempty"`   // local pickup time, for the live counter
}

// StockResult is the answer of the stock functions: OK, or the first line that is short.
type StockResult struct {
	OK        bool   `json:"ok"`
	ShortItem string `json:"short_item,omitempty"`
	Remaining int    `json:"remaining,omitempty"`
	Asked     int    `json:"asked,omitempty"`
}

// CounterRequest asks store-counter to record stock movements on the store's live counter.
type CounterRequest struct {
	StoreID  string      `json:"store_id"`
	Day      string      `json:"day"`
	OrderID  string      `json:"order_id"`
	Action   string      `json:"action"` // "reserved" or "sold"
	Lines    []StockLine `json:"lines"`
	Customer string      `json:"customer,omitempty"`
	Pickup   string      `json:"pickup,omitempty"`
}

// CounterResult is store-counter's answer: the store's running totals.
type CounterResult struct {
	Orders   int64 `json:"orders"`
	Reserved int64 `json:"reserved"`
	Sold     int64 `json:"sold"`
}

// OrderLookup asks order-reader for an order.
type OrderLookup struct {
	OrderID string `json:"order_id"`
}

// OrderResult is order-reader's answer; Order is nil when there is none.
type OrderResult struct {
	Order *bakery.Order `json:"order,omitempty"`
}

// OrderWrite asks order-writer to store an order.
type OrderWrite struct {
	Order bakery.Order `json:"order"`
}

// StatusChange asks order-status to move an order to a new status.
type StatusChange struct {
	OrderID    string        `json:"order_id"`
	Status     bakery.Status `json:"status"`
	Reason     string        `json:"reason,omitempty"`
	PaymentRef string        `json:"payment_ref,omitempty"`
	At         time.Time     `json:"at"`
}

// FraudRequest asks fraud-check (and fraud-score) about a payment.
type FraudRequest struct {
	OrderID  string    `json:"order_id"`
	Email    string    `json:"email"`
	Amount   int64     `json:"amount"`
	Currency string    `json:"currency"`
	Customer *Customer `json:"customer,omitempty"` // fraud-score: the profile fraud-check read
}

// FraudResult is the answer of fraud-check and fraud-score.
type FraudResult struct {
	Score int  `json:"score"` // 0–100
	Allow bool `json:"allow"`
}

// PaymentRequest asks payment-router, payment-gateway or payment-charge to charge an order.
type PaymentRequest struct {
	OrderID  string `json:"order_id"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Email    string `json:"email"`
	Route    string `json:"route,omitempty"` // payment-router's choice
}

// PaymentRecord asks payment-recorder to store a charge.
type PaymentRecord struct {
	OrderID  string `json:"order_id"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Charge   Charge `json:"charge"`
}

// OrderEvent hands a finished order to a fulfilment, loyalty, audit or analytics function.
type OrderEvent struct {
	Order bakery.Order `json:"order"`
}

// Done is the answer of a function that has nothing to say but "done".
type Done struct {
	ID string `json:"id,omitempty"` // what it wrote, e.g. a receipt number
}

// LedgerEntry asks loyalty-ledger to add points to a customer.
type LedgerEntry struct {
	Email   string `json:"email"`
	OrderID string `json:"order_id"`
	Points  int64  `json:"points"`
}

// Email asks email-sender to send one message.
type Email struct {
	To      string `json:"to"`
	OrderID string `json:"order_id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// AuditEntry asks audit-logger to record an event.
type AuditEntry struct {
	OrderID string    `json:"order_id"`
	Event   string    `json:"event"`
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
}

// Draft is the order as the chain has built it so far, waiting for its payment.
func (c Checkout) Draft() bakery.Order {
	o := bakery.Order{
		ID:        c.OrderID,
		Status:    bakery.StatusPendingPayment,
		Customer:  bakery.Customer{Name: c.Request.Customer.Name, Email: c.Request.Customer.Email},
		Items:     c.Lines,
		PickupAt:  c.PickupAt.UTC(),
		CreatedAt: c.ReceivedAt.UTC(),
	}
	if c.Store != nil {
		o.StoreID, o.Currency = c.Store.ID, c.Store.Currency
	}
	if c.Totals != nil {
		o.Subtotal, o.Tax, o.Total = c.Totals.Subtotal, c.Totals.Tax, c.Totals.Total
	}
	return o
}
