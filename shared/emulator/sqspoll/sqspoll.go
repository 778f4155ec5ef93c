// Package sqspoll is the SQS side that Lambda's event source mappings (package esm) and
// EventBridge Pipes (package pipes) share: a poller's loop, the long-polled ReceiveMessage calls
// that gather one batch within a batch size, a batching window and a byte limit, and the
// DeleteMessageBatch calls that settle what was handled. Every call goes through sim.Env.Call
// with the JSON protocol's bodies, and every wait is on the emulator's clock (Env.Now,
// Env.Sleep), so a fake clock drives a poller in tests.
//
// What a poller does with a batch stays with its service: filtering, invoking, which messages
// count as handled, how failures return (ReportBatchItemFailures, a pipe's partial failures),
// and how many pollers run (ESM's scaling and MaximumConcurrency, a pipe's fixed five).
//
// Behaviour, from with-sqs.html, services-sqs-scaling.html and eb-pipes-sqs.html: receives
// long-poll for up to 20 seconds and ask for every system and message attribute; a batch ends
// at its size, when the batching window that opens with its first message closes, or at its
// byte limit (each message counts its body and 512 bytes of record around it); an SQS error
// after the batch has messages ends the batch with what it has; a failed delete is ignored,
// so the message comes back after its visibility timeout (at-least-once delivery).
package sqspoll

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqsrecord"
)

// LongPollSeconds is the receives' WaitTimeSeconds, SQS's longest (with-sqs.html; eb-pipes-sqs.html:
// "EventBridge might wait for up to 20 seconds").
const LongPollSeconds = 20

// recordOverhead is what a message adds to a batch's size besides its body: the record's other
// fields, roughly.
const recordOverhead = 512

// maxReceive is ReceiveMessage's and DeleteMessageBatch's limit of 10 messages a call.
const maxReceive = 10

// errorBackoff is how long a poller waits after an SQS error before it polls again.
const errorBackoff = time.Second

// Message is one received message in the JSON protocol's shape.
type Message = sqsrecord.Message

// Queue is an SQS queue read and settled through Env.Call.
type Queue struct {
	Env *sim.Env
	URL string
}

// Batching says when a batch is complete.
type Batching struct {
	// Size is the most messages in a batch.
	Size int
	// Window is how long the batch waits for more messages after its first arrived; 0 means
	// one receive makes the batch.
	Window time.Duration
	// MaxBytes ends the batch once its messages reach this size; 0 means no limit.
	MaxBytes int
}

// Collect gathers one batch: up to b.Size messages, or what arrives within b.Window of the first,
// or up to b.MaxBytes. The first receive waits LongPollSeconds; later ones only what is left of
// the window, rounded up to a second. An SQS error ends a batch that has messages and is
// returned when it has none; an empty batch with a nil error means the long poll found nothing.
func (q Queue) Collect(ctx context.Context, b Batching) ([]Message, error) {
	var batch []Message
	size := 0
	var deadline time.Time
	for len(batch) < b.Size {
		wait := LongPollSeconds
		if len(batch) > 0 {
			left := deadline.Sub(q.Env.Now())
			if left <= 0 {
				break
			}
			wait = min(LongPollSeconds, int((left+time.Second-1)/time.Second))
		}
		msgs, err := q.Receive(ctx, min(maxReceive, b.Size-len(batch)), wait)
		if err != nil {
			if len(batch) > 0 {
				break
			}
			return nil, err
		}
		if len(batch) == 0 && len(msgs) > 0 {
			deadline = q.Env.Now().Add(b.Window)
		}
		for _, msg := range msgs {
			size += len(msg.Body) + recordOverhead
			batch = append(batch, msg)
		}
		if b.Window == 0 || (b.MaxBytes > 0 && size >= b.MaxBytes) || len(batch) == 0 {
			break
		}
	}
	return batch, nil
}

// receiveInput is ReceiveMessage's request. Its fields are in the order of their names, so it
// encodes to the same bytes as the map the pollers used to send.
type receiveInput struct {
	MaxNumberOfMessages         int      `json:"MaxNumberOfMessages"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	QueueURL                    string   `json:"QueueUrl"`
	WaitTimeSeconds             int      `json:"WaitTimeSeconds"`
}

var all = []string{"All"}

// Receive is one ReceiveMessage call for up to n messages with every attribute, long-polling
// for wait seconds.
func (q Queue) Receive(ctx context.Context, n, wait int) ([]Message, error) {
	in, _ := json.Marshal(receiveInput{MaxNumberOfMessages: n, MessageAttributeNames: all,
		MessageSystemAttributeNames: all, QueueURL: q.URL, WaitTimeSeconds: wait})
	out, err := q.Env.Call(ctx, "sqs", "ReceiveMessage", in)
	if err != nil {
		return nil, err
	}
	var r struct{ Messages []Message }
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	return r.Messages, nil
}

// deleteInput is DeleteMessageBatch's request, in the order of its names as receiveInput is.
type deleteInput struct {
	Entries  []deleteEntry `json:"Entries"`
	QueueURL string        `json:"QueueUrl"`
}

type deleteEntry struct {
	ID            string `json:"Id"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// Delete deletes the messages with these receipt handles, ten a call. A failed delete leaves the
// message to come back after its visibility timeout, as on AWS (at-least-once delivery).
func (q Queue) Delete(ctx context.Context, handles []string) {
	deleteEach(ctx, q, handles, func(h string) string { return h })
}

// DeleteMessages is Delete of the messages' receipt handles.
func (q Queue) DeleteMessages(ctx context.Context, msgs []Message) {
	deleteEach(ctx, q, msgs, func(m Message) string { return m.ReceiptHandle })
}

func deleteEach[T any](ctx context.Context, q Queue, items []T, handle func(T) string) {
	for len(items) > 0 {
		n := min(maxReceive, len(items))
		entries := make([]deleteEntry, n)
		for i, it := range items[:n] {
			entries[i] = deleteEntry{ID: strconv.Itoa(i), ReceiptHandle: handle(it)}
		}
		in, _ := json.Marshal(deleteInput{Entries: entries, QueueURL: q.URL})
		_, _ = q.Env.Call(ctx, "sqs", "DeleteMessageBatch", in)
		items = items[n:]
	}
}

// Poll runs one poller until ctx ends or handle returns false. Each round it calls next for the
// settings of the next batch (the caller's configuration, the queue and the batching), collects
// a batch with them and hands it to handle, an empty batch too (a long poll that found nothing).
// After an SQS error (the queue gone, a fault) it waits a second on the emulator's clock, as
// AWS's pollers do, and polls again. A batch collected while ctx ended is dropped: its messages
// return after their visibility timeout.
func Poll[C any](ctx context.Context, env *sim.Env, next func() (C, Queue, Batching), handle func(ctx context.Context, cfg C, batch []Message) bool) {
	for ctx.Err() == nil {
		cfg, q, b := next()
		batch, err := q.Collect(ctx, b)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			_ = env.Sleep(ctx, errorBackoff)
			continue
		}
		if !handle(ctx, cfg, batch) {
			return
		}
	}
}
