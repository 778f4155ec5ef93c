package offline

import (
	"context"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
)

// NewHandler is the shape of a stage's handler constructors: what a function's main calls before
// lambda.Start, with the SDK configuration and the function's environment.
type NewHandler[H any] func(ctx context.Context, cfg aws.Config, getenv func(string) string) (H, error)

// Handlers names a stage's handlers for the emulator, which looks functions up by construct path:
// each construct ID directly under the stack becomes "<stackName>/<id>".
func Handlers(stackName string, byID map[string]lambda.Constructor) map[string]lambda.Constructor {
	out := make(map[string]lambda.Constructor, len(byID))
	for id, c := range byID {
		out[stackName+"/"+id] = c
	}
	return out
}

// Wrap adapts a handler constructor and its method to the emulator's constructor, as the
// function's main does with lambda.Start(h.Method): Wrap(orders.New, (*orders.Handler).Handle).
func Wrap[H, In, Out any](newH NewHandler[H], handle func(H, context.Context, In) (Out, error)) lambda.Constructor {
	return func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		h, err := newH(ctx, cfg, getenv)
		if err != nil {
			return nil, err
		}
		return lambdago.NewHandler(func(ctx context.Context, in In) (Out, error) { return handle(h, ctx, in) }), nil
	}
}

// WrapErr is Wrap for a method that returns only an error, as an asynchronous function's may.
func WrapErr[H, In any](newH NewHandler[H], handle func(H, context.Context, In) error) lambda.Constructor {
	return func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		h, err := newH(ctx, cfg, getenv)
		if err != nil {
			return nil, err
		}
		return lambdago.NewHandler(func(ctx context.Context, in In) error { return handle(h, ctx, in) }), nil
	}
}

// Plain adapts a handler function that needs no construction: lambda.Start(pricing.TaxRates).
func Plain[In, Out any](handle func(context.Context, In) (Out, error)) lambda.Constructor {
	return func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(handle), nil
	}
}
