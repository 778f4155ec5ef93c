package invoker_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
)

// scripted answers every Invoke with the same output or error and records what it was asked.
type scripted struct {
	out   *lambda.InvokeOutput
	err   error
	calls []*lambda.InvokeInput
}

func (s *scripted) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	s.calls = append(s.calls, in)
	return s.out, s.err
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

type price struct {
	ItemID string `json:"item_id"`
	Price  int64  `json:"price"`
}

func TestCall(t *testing.T) {
	t.Parallel()
	throttled := &types.TooManyRequestsException{Message: aws.String("Rate Exceeded."), Reason: types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded}
	tests := []struct {
		name    string
		out     *lambda.InvokeOutput
		err     error
		want    price
		check   func(t *testing.T, err error)
		wantErr bool
	}{
		{
			name: "the answer is decoded",
			out:  &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{"item_id":"croissant","price":240}`)},
			want: price{ItemID: "croissant", Price: 240},
		},
		{
			name:    "a failed callee is a FunctionError with Lambda's type and message",
			out:     &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorType":"errorString","errorMessage":"no price in XYZ"}`)},
			wantErr: true,
			check: func(t *testing.T, err error) {
				fe, ok := errors.AsType[*invoker.FunctionError](err)
				require.True(t, ok, "%v", err)
				assert.Equal(t, "errorString", fe.Type)
				assert.Equal(t, "no price in XYZ", fe.Message)
				assert.False(t, fe.Timeout)
				assert.NotErrorIs(t, err, invoker.ErrNotCalled)
			},
		},
		{
			name: "a callee that timed out is a FunctionError saying so, without Lambda's sentence",
			out: &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"),
				Payload: []byte(`{"errorMessage":"2026-11-27T07:00:03.000Z 1a2b3c4d-0000-0000-0000-000000000000 Task timed out after 3.00 seconds"}`)},
			wantErr: true,
			check: func(t *testing.T, err error) {
				fe, ok := errors.AsType[*invoker.FunctionError](err)
				require.True(t, ok, "%v", err)
				assert.True(t, fe.Timeout)
				assert.Equal(t, "function PriceLookup timed out after 3.00 seconds", err.Error())
			},
		},
		{
			name:    "a throttle the SDK gave up on was never called",
			err:     throttled,
			wantErr: true,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, invoker.ErrNotCalled)
				var tm *types.TooManyRequestsException
				assert.ErrorAs(t, err, &tm)
			},
		},
		{
			name:    "an answer that is not the expected JSON is an error",
			out:     &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`"not an object"`)},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := &scripted{out: tt.out, err: tt.err}
			fn, err := invoker.NewWithAPI(api).Function(env(map[string]string{"PRICE_LOOKUP_FUNCTION": "PriceLookup"}), "PRICE_LOOKUP_FUNCTION")
			require.NoError(t, err)
			var got price
			err = fn.Call(context.Background(), map[string]string{"item_id": "croissant"}, &got)
			require.Len(t, api.calls, 1)
			assert.Equal(t, "PriceLookup", aws.ToString(api.calls[0].FunctionName))
			assert.Equal(t, types.InvocationTypeRequestResponse, api.calls[0].InvocationType)
			assert.JSONEq(t, `{"item_id":"croissant"}`, string(api.calls[0].Payload))
			if tt.wantErr {
				require.Error(t, err)
				if tt.check != nil {
					tt.check(t, err)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCallWithoutAnswer(t *testing.T) {
	t.Parallel()
	api := &scripted{out: &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{"id":"x"}`)}}
	fn, err := invoker.NewWithAPI(api).Function(env(map[string]string{"AUDIT_LOGGER_FUNCTION": "Audit"}), "AUDIT_LOGGER_FUNCTION")
	require.NoError(t, err)
	assert.NoError(t, fn.Call(context.Background(), struct{}{}, nil))
}

func TestCallerGaveUp(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	api := &scripted{err: context.Canceled}
	fn, err := invoker.NewWithAPI(api).Function(env(map[string]string{"X_FUNCTION": "X"}), "X_FUNCTION")
	require.NoError(t, err)
	err = fn.Call(ctx, struct{}{}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, invoker.ErrNotCalled, "the callee may be running: the call was made")
}

func TestBinder(t *testing.T) {
	t.Parallel()
	b := invoker.NewBinder(aws.Config{Region: "us-east-1"}, env(map[string]string{"A_FUNCTION": "A"}))
	a := b.Function("A_FUNCTION")
	assert.Equal(t, "A", a.Name)
	require.NoError(t, b.Err())
	b.Function("B_FUNCTION")
	b.Function("C_FUNCTION")
	require.Error(t, b.Err())
	assert.Contains(t, b.Err().Error(), "B_FUNCTION is not set", "the first missing variable is named")
}
