package main

import (
	"context"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

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
)

// handlers maps each function's construct ID (under the stack) to what its
// functions/<name>/main.go builds and starts.
var handlers = map[string]lambda.Constructor{
	"OrderApi":               wrap(api.NewOrderAPI, (*api.OrderAPI).Handle),
	"RequestParser":          plain(api.ParseRequestBody),
	"OrderWorkflow":          wrap(orders.NewWorkflow, (*orders.Workflow).Handle),
	"OrderValidator":         wrap(orders.NewValidator, (*orders.Validator).Handle),
	"StoreCheck":             wrap(stores.NewCheck, (*stores.Check).Handle),
	"StoreHours":             plain(stores.Hours),
	"CustomerCheck":          wrap(customers.NewCheck, (*customers.Check).Handle),
	"CustomerProfile":        wrap(customers.NewProfiles, (*customers.Profiles).Profile),
	"MenuLookup":             plain(catalog.MenuLookup),
	"CartPricer":             wrap(pricing.NewCartPricer, (*pricing.CartPricer).Handle),
	"CurrencyRouter":         plain(catalog.CurrencyRouter),
	"PriceLookup":            wrap(catalog.NewPriceLookup, (*catalog.PriceLookup).Handle),
	"PromotionEngine":        wrap(pricing.NewPromotionEngine, (*pricing.PromotionEngine).Handle),
	"PromoRules":             wrap(pricing.NewPromoRules, (*pricing.PromoRules).Handle),
	"TaxCalculator":          wrap(pricing.NewTaxCalculator, (*pricing.TaxCalculator).Handle),
	"TaxRates":               plain(pricing.TaxRates),
	"TotalsCalculator":       plain(pricing.TotalsCalculator),
	"StockCoordinator":       wrap(stock.NewCoordinator, (*stock.Coordinator).Handle),
	"StockCheck":             wrap(stock.NewTable, (*stock.Table).CheckStock),
	"StockReserve":           wrap(stock.NewCounting, (*stock.Table).Reserve),
	"StoreCounter":           wrap(stock.NewTable, (*stock.Table).Count),
	"OrderWriter":            wrap(orders.NewTable, (*orders.Table).Write),
	"PaymentOrchestrator":    wrap(payments.NewOrchestrator, (*payments.Orchestrator).Handle),
	"FraudCheck":             wrap(payments.NewFraudCheck, (*payments.FraudCheck).Handle),
	"FraudScore":             plain(payments.FraudScore),
	"PaymentRouter":          wrap(payments.NewRouter, (*payments.Router).Handle),
	"PaymentGateway":         wrap(payments.NewGateway, (*payments.Gateway).Handle),
	"PaymentCharge":          wrap(payments.NewCharge, (*payments.Charge).Handle),
	"PaymentRecorder":        wrap(payments.NewRecorder, (*payments.Recorder).Handle),
	"OrderFinalizer":         wrap(orders.NewFinalizer, (*orders.Finalizer).Handle),
	"OrderStatus":            wrap(orders.NewTable, (*orders.Table).SetStatus),
	"StockUpdate":            wrap(stock.NewCounting, (*stock.Table).Update),
	"ReceiptGenerator":       wrap(fulfilment.NewTable, (*fulfilment.Table).Receipt),
	"LoyaltyPoints":          wrap(customers.NewPoints, (*customers.Points).Handle),
	"LoyaltyLedger":          wrap(customers.NewProfiles, (*customers.Profiles).Ledger),
	"KitchenTicket":          wrap(fulfilment.NewTable, (*fulfilment.Table).KitchenTicket),
	"NotificationDispatcher": wrap(fulfilment.NewDispatcher, (*fulfilment.Dispatcher).Handle),
	"EmailSender":            wrap(fulfilment.NewTable, (*fulfilment.Table).SendEmail),
	"AuditLogger":            wrap(reporting.NewTable, (*reporting.Table).Audit),
	"AnalyticsSync":          wrap(reporting.NewTable, (*reporting.Table).Analytics),
	"OrderReader":            wrap(orders.NewTable, (*orders.Table).Read),
	"ResponseFormatter":      plain(api.FormatResponse),
}

// Handlers is the registry the emulator looks functions up in, by construct path.
func Handlers() map[string]lambda.Constructor {
	out := make(map[string]lambda.Constructor, len(handlers))
	for id, c := range handlers {
		out[StackName+"/"+id] = c
	}
	return out
}

// wrap adapts a handler constructor and its method to the emulator's constructor, as the
// function's main does with lambda.Start(h.Method).
func wrap[H, In, Out any](newH func(context.Context, aws.Config, func(string) string) (H, error), handle func(H, context.Context, In) (Out, error)) lambda.Constructor {
	return func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		h, err := newH(ctx, cfg, getenv)
		if err != nil {
			return nil, err
		}
		return lambdago.NewHandler(func(ctx context.Context, in In) (Out, error) { return handle(h, ctx, in) }), nil
	}
}

// plain adapts a handler that needs no construction.
func plain[In, Out any](handle func(context.Context, In) (Out, error)) lambda.Constructor {
	return func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(handle), nil
	}
}
