package main

import (
	"context"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/catalog"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/closer"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/fraud"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/loyalty"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/notify"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/receipts"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/refunds"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/reminders"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/reporting"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
)

// handlers maps each function's construct ID (under the stack) to what its
// functions/<name>/main.go builds and starts.
var handlers = map[string]lambda.Constructor{
	"PaymentWorker":    wrap(payments.NewWorker, (*payments.Worker).Handle),
	"FraudScreen":      wrap(fraud.NewScreen, (*fraud.Screen).Handle),
	"Loyalty":          wrap(loyalty.NewLedger, (*loyalty.Ledger).Handle),
	"ReceiptMailer":    wrapErr(receipts.NewMailer, (*receipts.Mailer).Handle),
	"SalesReporter":    wrap(reporting.NewReporter, (*reporting.Reporter).Handle),
	"RefundReconciler": wrapErr(refunds.NewReconciler, (*refunds.Reconciler).Handle),
	"CatalogSeeder":    wrapErr(catalog.NewSeeder, (*catalog.Seeder).Handle),
	"CustomerNotifier": wrapErr(notify.NewNotifier, (*notify.Notifier).Handle),
	"DailyCloser":      wrapErr(closer.NewCloser, (*closer.Closer).Handle),
	"PickupReminder":   wrap(reminders.NewReminder, (*reminders.Reminder).Handle),
}

// Handlers is the registry the emulator looks functions up in, by construct path: both regions'
// stacks run the same code. The catalog-seeder exists in the primary region only.
func Handlers() map[string]lambda.Constructor {
	out := make(map[string]lambda.Constructor, 2*len(handlers))
	for _, region := range Regions {
		for id, c := range handlers {
			if id == "CatalogSeeder" && region != PrimaryRegion {
				continue
			}
			out[StackName(region)+"/"+id] = c
		}
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

// wrapErr adapts a handler that returns only an error (an asynchronous invocation's result is
// not read).
func wrapErr[H, In any](newH func(context.Context, aws.Config, func(string) string) (H, error), handle func(H, context.Context, In) error) lambda.Constructor {
	return func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		h, err := newH(ctx, cfg, getenv)
		if err != nil {
			return nil, err
		}
		return lambdago.NewHandler(func(ctx context.Context, in In) error { return handle(h, ctx, in) }), nil
	}
}
