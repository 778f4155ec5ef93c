package offline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// greeter is a handler built like a stage's: a constructor reading the environment, a method.
type greeter struct{ greeting string }

func newGreeter(_ context.Context, _ aws.Config, getenv func(string) string) (*greeter, error) {
	if getenv("GREETING") == "" {
		return nil, errors.New("new greeter: GREETING is not set")
	}
	return &greeter{getenv("GREETING")}, nil
}

type name struct {
	Name string `json:"name"`
}

func (g *greeter) Greet(_ context.Context, in name) (string, error) {
	return g.greeting + ", " + in.Name, nil
}

func (g *greeter) Check(_ context.Context, in name) error {
	if in.Name == "" {
		return errors.New("no name")
	}
	return nil
}

func shout(_ context.Context, in name) (string, error) { return in.Name + "!", nil }

// The emulator invokes what these adapters build the way the Lambda runtime invokes the handler
// a function's main passes to lambda.Start
// (https://docs.aws.amazon.com/lambda/latest/dg/golang-handler.html#golang-handler-signatures).
func TestAdapters(t *testing.T) {
	env := map[string]string{"GREETING": "hello"}
	tests := []struct {
		name    string
		c       lambda.Constructor
		in      string
		want    string
		wantErr string
	}{
		{"a method with a result", offline.Wrap(newGreeter, (*greeter).Greet), `{"name":"Ada"}`, `"hello, Ada"`, ""},
		{"a method with only an error", offline.WrapErr(newGreeter, (*greeter).Check), `{"name":"Ada"}`, `null`, ""},
		{"its error", offline.WrapErr(newGreeter, (*greeter).Check), `{}`, "", "no name"},
		{"a plain function", offline.Plain(shout), `{"name":"Ada"}`, `"Ada!"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := tt.c(context.Background(), aws.Config{}, func(k string) string { return env[k] })
			require.NoError(t, err)
			out, err := h.Invoke(context.Background(), []byte(tt.in))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}

func TestWrapPassesTheConstructorsError(t *testing.T) {
	_, err := offline.Wrap(newGreeter, (*greeter).Greet)(context.Background(), aws.Config{}, func(string) string { return "" })
	assert.ErrorContains(t, err, "GREETING is not set")
}

func TestHandlersNamesByConstructPath(t *testing.T) {
	c := offline.Plain(shout)
	got := offline.Handlers("Stack", map[string]lambda.Constructor{"Order": c, "Payment": c})
	assert.Len(t, got, 2)
	assert.Contains(t, got, "Stack/Order")
	assert.Contains(t, got, "Stack/Payment")
}
