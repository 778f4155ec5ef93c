package trace_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// Spans nest the way the calls did: API Gateway → Lambda → DynamoDB.
func TestSpansNest(t *testing.T) {
	ctx, tr := trace.New(context.Background(), "req-1", "POST /orders")
	apiCtx, endAPI := trace.Begin(ctx, "apigateway:abc", "POST /orders")
	fnCtx, endFn := trace.Begin(apiCtx, "lambda:Order", "Invoke")
	_, endPut := trace.Begin(fnCtx, "dynamodb:Orders", "PutItem")
	endPut("ok")
	endFn("ok")
	_, endGet := trace.Begin(apiCtx, "lambda:Order", "Invoke")
	endGet("throttled")
	endAPI("ok")

	spans := tr.Spans()
	require.Len(t, spans, 4)
	type hop struct {
		Resource, Outcome string
		Depth, Parent     int
	}
	var got []hop
	for _, s := range spans {
		got = append(got, hop{s.Resource, s.Outcome, s.Depth, s.Parent})
	}
	assert.Equal(t, []hop{
		{"apigateway:abc", "ok", 0, -1},
		{"lambda:Order", "ok", 1, 0},
		{"dynamodb:Orders", "ok", 2, 1},
		{"lambda:Order", "throttled", 1, 0},
	}, got)
}

func TestNoTraceRecordsNothing(t *testing.T) {
	ctx := context.Background()
	got, end := trace.Begin(ctx, "lambda:Order", "Invoke")
	end("ok")
	assert.Equal(t, ctx, got)
	assert.Nil(t, trace.FromContext(ctx))
}

func TestSpansAreBounded(t *testing.T) {
	ctx, tr := trace.New(context.Background(), "storm", "retries")
	for range trace.MaxSpans + 5 {
		_, end := trace.Begin(ctx, "lambda:Order", "Invoke")
		end("error")
	}
	assert.Len(t, tr.Spans(), trace.MaxSpans)
	assert.Equal(t, 5, tr.Dropped)
}

func TestRecorderKeepsRecentAndSlowest(t *testing.T) {
	r := trace.NewRecorder(2)
	for _, id := range []string{"a", "b", "c"} {
		_, tr := trace.New(context.Background(), id, id)
		r.Finish(tr, "ok")
	}
	var recent []string
	for _, tr := range r.Recent(5) {
		recent = append(recent, tr.ID)
	}
	assert.Equal(t, []string{"c", "b"}, recent, "newest first, at most keep")
	assert.Len(t, r.Slowest(5), 2)
	assert.NotNil(t, r.Find("c"))
	r.Reset()
	assert.Nil(t, r.Find("c"))
	assert.Empty(t, r.Recent(5))
	var nilRecorder *trace.Recorder
	nilRecorder.Finish(nil, "ok") // a nil recorder keeps nothing and does not panic
}
