package sqspoll_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqspoll"
)

const url = "http://emulator.internal/000000000000/jobs"

// fakeSQS answers ReceiveMessage with receive and records every call's input.
type fakeSQS struct {
	receive func(n, wait int) ([]sqspoll.Message, error)

	mu    sync.Mutex
	calls []map[string]any
	ops   []string
}

func (f *fakeSQS) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	var in map[string]any
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.calls = append(f.calls, in)
	f.mu.Unlock()
	switch op {
	case "ReceiveMessage":
		msgs, err := f.receive(int(in["MaxNumberOfMessages"].(float64)), int(in["WaitTimeSeconds"].(float64)))
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"Messages": msgs})
	case "DeleteMessageBatch":
		return []byte(`{"Successful":[],"Failed":[]}`), nil
	}
	return nil, errors.New("unexpected " + op)
}

func (f *fakeSQS) inputs(op string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for i, o := range f.ops {
		if o == op {
			out = append(out, f.calls[i])
		}
	}
	return out
}

func newQueue(clock sim.Clock, f *fakeSQS) sqspoll.Queue {
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", Clock: clock}
	env.Register("sqs", f)
	return sqspoll.Queue{Env: env, URL: url}
}

// msgs returns n messages numbered from *next, each with a body of size bytes.
func msgs(next *int, n, size int) []sqspoll.Message {
	out := make([]sqspoll.Message, n)
	for i := range out {
		id := strconv.Itoa(*next)
		*next++
		out[i] = sqspoll.Message{MessageId: "m-" + id, ReceiptHandle: "h-" + id, Body: strings.Repeat("x", size)}
	}
	return out
}

func waits(f *fakeSQS) (maxes, wait []int) {
	for _, in := range f.inputs("ReceiveMessage") {
		maxes = append(maxes, int(in["MaxNumberOfMessages"].(float64)))
		wait = append(wait, int(in["WaitTimeSeconds"].(float64)))
	}
	return maxes, wait
}

func TestCollectWithoutAWindowReceivesOnce(t *testing.T) {
	next := 0
	f := &fakeSQS{receive: func(n, _ int) ([]sqspoll.Message, error) { return msgs(&next, min(n, 3), 10), nil }}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	batch, err := q.Collect(context.Background(), sqspoll.Batching{Size: 10})
	require.NoError(t, err)
	assert.Len(t, batch, 3)
	maxes, wait := waits(f)
	assert.Equal(t, []int{10}, maxes)
	assert.Equal(t, []int{sqspoll.LongPollSeconds}, wait)
	in := f.inputs("ReceiveMessage")[0]
	assert.Equal(t, url, in["QueueUrl"])
	assert.Equal(t, []any{"All"}, in["MessageSystemAttributeNames"])
	assert.Equal(t, []any{"All"}, in["MessageAttributeNames"])
}

// The window opens with the first message; later receives long-poll only what is left of it,
// rounded up to a second, and the batch ends when it has closed.
func TestCollectWaitsOutTheBatchingWindow(t *testing.T) {
	clock := sim.NewFake(time.Unix(0, 0))
	next := 0
	f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) {
		clock.Advance(2 * time.Second) // each receive takes two seconds to find one message
		return msgs(&next, 1, 10), nil
	}}
	q := newQueue(clock, f)
	batch, err := q.Collect(context.Background(), sqspoll.Batching{Size: 100, Window: 5 * time.Second})
	require.NoError(t, err)
	assert.Len(t, batch, 4)
	maxes, wait := waits(f)
	assert.Equal(t, []int{10, 10, 10, 10}, maxes)
	assert.Equal(t, []int{20, 5, 3, 1}, wait)
}

func TestCollectStopsAtTheBatchSize(t *testing.T) {
	next := 0
	f := &fakeSQS{receive: func(n, _ int) ([]sqspoll.Message, error) { return msgs(&next, n, 10), nil }}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	batch, err := q.Collect(context.Background(), sqspoll.Batching{Size: 25, Window: time.Minute})
	require.NoError(t, err)
	assert.Len(t, batch, 25)
	maxes, _ := waits(f)
	assert.Equal(t, []int{10, 10, 5}, maxes)
	assert.Equal(t, "m-24", batch[24].MessageId)
}

// Each message counts its body and 512 bytes; the batch ends once it reaches MaxBytes.
func TestCollectStopsAtMaxBytes(t *testing.T) {
	next := 0
	f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) { return msgs(&next, 2, 488), nil }}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	batch, err := q.Collect(context.Background(), sqspoll.Batching{Size: 100, Window: time.Minute, MaxBytes: 5000})
	require.NoError(t, err)
	assert.Len(t, batch, 6) // 6 × 1000 ≥ 5000 after the third receive
}

// An empty receive ends the collection even inside a window: nothing has opened it.
func TestCollectEmptyQueue(t *testing.T) {
	f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) { return nil, nil }}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	batch, err := q.Collect(context.Background(), sqspoll.Batching{Size: 10, Window: time.Minute})
	require.NoError(t, err)
	assert.Empty(t, batch)
	assert.Len(t, f.inputs("ReceiveMessage"), 1)
}

func TestCollectErrors(t *testing.T) {
	boom := errors.New("boom")
	t.Run("an error before any message is returned", func(t *testing.T) {
		f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) { return nil, boom }}
		batch, err := newQueue(sim.NewFake(time.Unix(0, 0)), f).Collect(context.Background(), sqspoll.Batching{Size: 10})
		require.Error(t, err)
		assert.Empty(t, batch)
	})
	t.Run("an error after messages ends the batch with them", func(t *testing.T) {
		next, calls := 0, 0
		f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) {
			calls++
			if calls > 1 {
				return nil, boom
			}
			return msgs(&next, 3, 10), nil
		}}
		batch, err := newQueue(sim.NewFake(time.Unix(0, 0)), f).Collect(context.Background(), sqspoll.Batching{Size: 10, Window: time.Minute})
		require.NoError(t, err)
		assert.Len(t, batch, 3)
	})
}

func TestDeleteTenACall(t *testing.T) {
	next := 0
	all := msgs(&next, 23, 1)
	handles := make([]string, len(all))
	for i, m := range all {
		handles[i] = m.ReceiptHandle
	}
	for name, del := range map[string]func(sqspoll.Queue){
		"Delete":         func(q sqspoll.Queue) { q.Delete(context.Background(), handles) },
		"DeleteMessages": func(q sqspoll.Queue) { q.DeleteMessages(context.Background(), all) },
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeSQS{}
			del(newQueue(nil, f))
			calls := f.inputs("DeleteMessageBatch")
			require.Len(t, calls, 3)
			var got []string
			for _, in := range calls {
				assert.Equal(t, url, in["QueueUrl"])
				for i, e := range in["Entries"].([]any) {
					e := e.(map[string]any)
					assert.Equal(t, strconv.Itoa(i), e["Id"])
					got = append(got, e["ReceiptHandle"].(string))
				}
			}
			assert.Equal(t, handles, got)
			assert.Len(t, calls[2]["Entries"], 3)
		})
	}
	t.Run("nothing to delete makes no call", func(t *testing.T) {
		f := &fakeSQS{}
		newQueue(nil, f).Delete(context.Background(), nil)
		assert.Empty(t, f.inputs("DeleteMessageBatch"))
	})
}

// Poll reads the settings once a batch, hands every batch (empty ones too) to handle, and ends
// when handle says so.
func TestPollHandsBatchesUntilHandleStops(t *testing.T) {
	next := 0
	f := &fakeSQS{receive: func(n, _ int) ([]sqspoll.Message, error) {
		if next >= 4 {
			return nil, nil
		}
		return msgs(&next, 2, 1), nil
	}}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	rounds := 0
	var sizes []int
	sqspoll.Poll(context.Background(), q.Env, func() (int, sqspoll.Queue, sqspoll.Batching) {
		rounds++
		return rounds, q, sqspoll.Batching{Size: 10}
	}, func(_ context.Context, round int, batch []sqspoll.Message) bool {
		assert.Equal(t, rounds, round)
		sizes = append(sizes, len(batch))
		return len(batch) > 0
	})
	assert.Equal(t, []int{2, 2, 0}, sizes)
	assert.Equal(t, 3, rounds)
}

// After an SQS error the poller waits a second on the emulator's clock before it polls again.
func TestPollBacksOffASecondAfterAnError(t *testing.T) {
	clock := sim.NewFake(time.Unix(0, 0))
	var mu sync.Mutex
	fail := true
	f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return nil, errors.New("queue gone")
		}
		return nil, nil
	}}
	q := newQueue(clock, f)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sqspoll.Poll(context.Background(), q.Env, func() (struct{}, sqspoll.Queue, sqspoll.Batching) {
			return struct{}{}, q, sqspoll.Batching{Size: 10}
		}, func(context.Context, struct{}, []sqspoll.Message) bool { return false })
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, clock.WaitForTimers(ctx, 1))
	assert.Len(t, f.inputs("ReceiveMessage"), 1)
	mu.Lock()
	fail = false
	mu.Unlock()
	clock.Advance(999 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("polled again before the second was up")
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(time.Millisecond)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the poller did not poll again after its back-off")
	}
	assert.Len(t, f.inputs("ReceiveMessage"), 2)
}

// A batch collected while the context ended is not handed on, and the poller returns.
func TestPollStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	next := 0
	f := &fakeSQS{receive: func(int, int) ([]sqspoll.Message, error) {
		cancel()
		return msgs(&next, 1, 1), nil
	}}
	q := newQueue(sim.NewFake(time.Unix(0, 0)), f)
	handled := 0
	sqspoll.Poll(ctx, q.Env, func() (struct{}, sqspoll.Queue, sqspoll.Batching) {
		return struct{}{}, q, sqspoll.Batching{Size: 10}
	}, func(context.Context, struct{}, []sqspoll.Message) bool { handled++; return true })
	assert.Zero(t, handled)
}
