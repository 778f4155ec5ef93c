package main

import (
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/api"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/catalog"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/customers"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/fulfilment"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/orders"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/pricing"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/reporting"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/stock"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/stores"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// handlers maps each function's construct ID (under the stack) to what its
// functions/<name>/main.go builds and starts.
var handlers = map[string]lambda.Constructor{
	"OrderApi":               offline.Wrap(api.NewOrderAPI, (*api.OrderAPI).Handle),
	"RequestParser":          offline.Plain(api.ParseRequestBody),
	"OrderWorkflow":          offline.Wrap(orders.NewWorkflow, (*orders.Workflow).Handle),
	"OrderValidator":         offline.Wrap(orders.NewValidator, (*orders.Validator).Handle),
	"StoreCheck":             offline.Wrap(stores.NewCheck, (*stores.Check).Handle),
	"StoreHours":             offline.Plain(stores.Hours),
	"CustomerCheck":          offline.Wrap(customers.NewCheck, (*customers.Check).Handle),
	"CustomerProfile":        offline.Wrap(customers.NewProfiles, (*customers.Profiles).Profile),
	"MenuLookup":             offline.Plain(catalog.MenuLookup),
	"CartPricer":             offline.Wrap(pricing.NewCartPricer, (*pricing.CartPricer).Handle),
	"CurrencyRouter":         offline.Plain(catalog.CurrencyRouter),
	"PriceLookup":            offline.Wrap(catalog.NewPriceLookup, (*catalog.PriceLookup).Handle),
	"PromotionEngine":        offline.Wrap(pricing.NewPromotionEngine, (*pricing.PromotionEngine).Handle),
	"PromoRules":             offline.Wrap(pricing.NewPromoRules, (*pricing.PromoRules).Handle),
	"TaxCalculator":          offline.Wrap(pricing.NewTaxCalculator, (*pricing.TaxCalculator).Handle),
	"TaxRates":               offline.Plain(pricing.TaxRates),
	"TotalsCalculator":       offline.Plain(pricing.TotalsCalculator),
	"StockCoordinator":       offline.Wrap(stock.NewCoordinator, (*stock.Coordinator).Handle),
	"StockCheck":             offline.Wrap(stock.NewTable, (*stock.Table).CheckStock),
	"StockReserve":           offline.Wrap(stock.NewCounting, (*stock.Table).Reserve),
	"StoreCounter":           offline.Wrap(stock.NewTable, (*stock.Table).Count),
	"OrderWriter":            offline.Wrap(orders.NewTable, (*orders.Table).Write),
	"PaymentOrchestrator":    offline.Wrap(payments.NewOrchestrator, (*payments.Orchestrator).Handle),
	"FraudCheck":             offline.Wrap(payments.NewFraudCheck, (*payments.FraudCheck).Handle),
	"FraudScore":             offline.Plain(payments.FraudScore),
	"PaymentRouter":          offline.Wrap(payments.NewRouter, (*payments.Router).Handle),
	"PaymentGateway":         offline.Wrap(payments.NewGateway, (*payments.Gateway).Handle),
	"PaymentCharge":          offline.Wrap(payments.NewCharge, (*payments.Charge).Handle),
	"PaymentRecorder":        offline.Wrap(payments.NewRecorder, (*payments.Recorder).Handle),
	"OrderFinalizer":         offline.Wrap(orders.NewFinalizer, (*orders.Finalizer).Handle),
	"OrderStatus":            offline.Wrap(orders.NewTable, (*orders.Table).SetStatus),
	"StockUpdate":            offline.Wrap(stock.NewCounting, (*stock.Table).Update),
	"ReceiptGenerator":       offline.Wrap(fulfilment.NewTable, (*fulfilment.Table).Receipt),
	"LoyaltyPoints":          offline.Wrap(customers.NewPoints, (*customers.Points).Handle),
	"LoyaltyLedger":          offline.Wrap(customers.NewProfiles, (*customers.Profiles).Ledger),
	"KitchenTicket":          offline.Wrap(fulfilment.NewTable, (*fulfilment.Table).KitchenTicket),
	"NotificationDispatcher": offline.Wrap(fulfilment.NewDispatcher, (*fulfilment.Dispatcher).Handle),
	"EmailSender":            offline.Wrap(fulfilment.NewTable, (*fulfilment.Table).SendEmail),
	"AuditLogger":            offline.Wrap(reporting.NewTable, (*reporting.Table).Audit),
	"AnalyticsSync":          offline.Wrap(reporting.NewTable, (*reporting.Table).Analytics),
	"OrderReader":            offline.Wrap(orders.NewTable, (*orders.Table).Read),
	"ResponseFormatter":      offline.Plain(api.FormatResponse),
}

// Handlers is the registry the emulator looks functions up in, by construct path.
func Handlers() map[string]lambda.Constructor { return offline.Handlers(StackName, handlers) }
