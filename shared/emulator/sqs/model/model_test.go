package model

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newModel(t testing.TB) (*Model, *sim.Fake) {
	t.Helper()
	clock := sim.NewFake(epoch)
	m := New(Options{Clock: clock})
	t.Cleanup(m.Close)
	return m, clock
}

func create(t testing.TB, m *Model, name string, attrs map[string]string) {
	t.Helper()
	require.NoError(t, m.CreateQueue(name, attrs, nil))
}

func send(t testing.TB, m *Model, q, body string) SendResult {
	t.Helper()
	r, err := m.Send(q, SendInput{Body: body})
	require.NoError(t, err)
	return r
}

func sendFIFO(t testing.TB, m *Model, q, group, body string) SendResult {
	t.Helper()
	r, err := m.Send(q, SendInput{Body: body, GroupID: group})
	require.NoError(t, err)
	return r
}

var noWait = new(time.Duration)

func receive(t testing.TB, m *Model, q string, max int) []Message {
	t.Helper()
	msgs, err := m.Receive(context.Background(), q, ReceiveInput{MaxMessages: max, WaitTime: noWait, AttributeNames: []string{"All"}})
	require.NoError(t, err)
	return msgs
}

func bodies(msgs []Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Body)
	}
	return out
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
func TestVisibilityTimeoutRedelivers(t *testing.T) {
	tests := []struct {
		name     string
		attrs    map[string]string
		override *time.Duration
		hidden   time.Duration
	}{
		{name: "queue default 30 s", hidden: 30 * time.Second},
		{name: "queue attribute", attrs: map[string]string{"VisibilityTimeout": "5"}, hidden: 5 * time.Second},
		{name: "per receive", override: durationPtr(2 * time.Second), hidden: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, clock := newModel(t)
			create(t, m, "q", tt.attrs)
			send(t, m, "q", "a")
			first, err := m.Receive(context.Background(), "q", ReceiveInput{WaitTime: noWait, VisibilityTimeout: tt.override, AttributeNames: []string{"All"}})
			require.NoError(t, err)
			require.Len(t, first, 1)
			assert.Equal(t, "1", first[0].Attributes["ApproximateReceiveCount"])
			clock.Advance(tt.hidden - time.Millisecond)
			assert.Empty(t, receive(t, m, "q", 1), "still in flight")
			clock.Advance(time.Millisecond)
			again := receive(t, m, "q", 1)
			require.Len(t, again, 1)
			assert.Equal(t, "2", again[0].Attributes["ApproximateReceiveCount"])
			assert.Equal(t, first[0].Attributes["ApproximateFirstReceiveTimestamp"], again[0].Attributes["ApproximateFirstReceiveTimestamp"])
			assert.NotEqual(t, first[0].ReceiptHandle, again[0].ReceiptHandle)
		})
	}
}

func durationPtr(d time.Duration) *time.Duration { return &d }

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
func TestChangeVisibility(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", nil)
	send(t, m, "q", "a")
	msg := receive(t, m, "q", 1)[0]

	require.NoError(t, m.ChangeVisibility("q", msg.ReceiptHandle, 0))
	again := receive(t, m, "q", 1)
	require.Len(t, again, 1, "visibility 0 makes the message visible at once")

	err := m.ChangeVisibility("q", msg.ReceiptHandle, time.Minute)
	assert.Equal(t, CodeInvalidParameterValue, codeOf(err), "an old receipt handle no longer designates the message")

	require.NoError(t, m.ChangeVisibility("q", again[0].ReceiptHandle, 11*time.Hour))
	clock.Advance(2 * time.Hour)
	err = m.ChangeVisibility("q", again[0].ReceiptHandle, 11*time.Hour)
	assert.Equal(t, CodeInvalidParameterValue, codeOf(err), "12 hours in flight at most")
	assert.Contains(t, err.Error(), "Total VisibilityTimeout")

	err = m.ChangeVisibility("q", "not-a-handle", time.Second)
	assert.Equal(t, CodeReceiptHandleIsInvalid, codeOf(err))

	clock.Advance(10 * time.Hour)
	err = m.ChangeVisibility("q", again[0].ReceiptHandle, time.Second)
	assert.Equal(t, CodeMessageNotInflight, codeOf(err))
}

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "not an *Error: " + err.Error()
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
func TestDeadLetterQueueAndRedrive(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "dlq", nil)
	create(t, m, "src", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + m.ARN("dlq") + `","maxReceiveCount":2}`,
	})
	send(t, m, "src", "poison")
	for i := 1; i <= 2; i++ {
		got := receive(t, m, "src", 1)
		require.Len(t, got, 1, "receive %d", i)
		clock.Advance(10 * time.Second)
	}
	assert.Empty(t, receive(t, m, "src", 1), "the third receive attempt moves the message instead")
	dead := receive(t, m, "dlq", 1)
	require.Len(t, dead, 1)
	assert.Equal(t, "poison", dead[0].Body)
	assert.Equal(t, m.ARN("src"), dead[0].Attributes["DeadLetterQueueSourceArn"])
	require.NoError(t, m.ChangeVisibility("dlq", dead[0].ReceiptHandle, 0))

	sources, _, err := m.ListDeadLetterSourceQueues("dlq", 0, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"src"}, sources)

	_, err = m.StartMessageMoveTask(m.ARN("src"), "", 0)
	assert.Equal(t, CodeInvalidParameterValue, codeOf(err), "only a dead-letter queue can be a source")

	handle, err := m.StartMessageMoveTask(m.ARN("dlq"), "", 0)
	require.NoError(t, err)
	require.NotEmpty(t, handle)
	tasks, err := m.ListMessageMoveTasks(m.ARN("dlq"), 10)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, TaskCompleted, tasks[0].Status)
	assert.Equal(t, int64(1), tasks[0].Moved)
	back := receive(t, m, "src", 1)
	require.Len(t, back, 1)
	assert.Equal(t, "poison", back[0].Body)
	assert.Equal(t, "1", back[0].Attributes["ApproximateReceiveCount"], "a redriven message starts over")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
func TestMoveTaskRateAndCancel(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "dlq", nil)
	create(t, m, "other", nil)
	create(t, m, "src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + m.ARN("dlq") + `","maxReceiveCount":1}`})
	for i := 0; i < 5; i++ {
		send(t, m, "dlq", strconv.Itoa(i))
	}
	handle, err := m.StartMessageMoveTask(m.ARN("dlq"), m.ARN("other"), 2)
	require.NoError(t, err)
	st, _ := m.Stats("other")
	assert.Equal(t, 2, st.Visible, "the first second moves 2")
	require.NoError(t, clock.WaitForTimers(context.Background(), 1))
	clock.Advance(time.Second)
	require.Eventually(t, func() bool { st, _ := m.Stats("other"); return st.Visible == 4 }, time.Second, time.Millisecond)

	_, err = m.StartMessageMoveTask(m.ARN("dlq"), "", 0)
	assert.Equal(t, CodeUnsupportedOperation, codeOf(err), "one running task per source queue")

	moved, err := m.CancelMessageMoveTask(handle)
	require.NoError(t, err)
	assert.Equal(t, int64(4), moved)
	tasks, err := m.ListMessageMoveTasks(m.ARN("dlq"), 0)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, TaskCancelled, tasks[0].Status)
	assert.Empty(t, tasks[0].TaskHandle)
	_, err = m.CancelMessageMoveTask(handle)
	assert.Equal(t, CodeResourceNotFound, codeOf(err))
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
func TestFIFOOrderAndGroupBlocking(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, b := range []string{"a1", "a2", "a3"} {
		sendFIFO(t, m, "q.fifo", "A", b)
	}
	sendFIFO(t, m, "q.fifo", "B", "b1")

	first := receive(t, m, "q.fifo", 2)
	assert.Equal(t, []string{"a1", "a2"}, bodies(first), "as many of one group as possible, in order")
	assert.Equal(t, []string{"b1"}, bodies(receive(t, m, "q.fifo", 10)), "group A is blocked while a1 and a2 are in flight")
	assert.Empty(t, receive(t, m, "q.fifo", 10))

	require.NoError(t, m.Delete("q.fifo", first[0].ReceiptHandle))
	assert.Empty(t, receive(t, m, "q.fifo", 10), "a2 is still in flight")
	clock.Advance(30 * time.Second)
	again := receive(t, m, "q.fifo", 10)
	assert.Equal(t, []string{"a2", "a3", "b1"}, bodies(again), "a2 comes back before a3")
	assert.Less(t, first[0].Attributes["SequenceNumber"], first[1].Attributes["SequenceNumber"])
	assert.Equal(t, "A", again[0].Attributes["MessageGroupId"])
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
func TestFIFODeduplication(t *testing.T) {
	tests := []struct {
		name    string
		attrs   map[string]string
		first   SendInput
		second  SendInput
		after   time.Duration
		wantDup bool
	}{
		{name: "same id within 5 minutes", first: SendInput{Body: "x", GroupID: "g", DeduplicationID: "d"}, second: SendInput{Body: "y", GroupID: "g", DeduplicationID: "d"}, after: 4 * time.Minute, wantDup: true},
		{name: "same id after 5 minutes", first: SendInput{Body: "x", GroupID: "g", DeduplicationID: "d"}, second: SendInput{Body: "y", GroupID: "g", DeduplicationID: "d"}, after: 5 * time.Minute},
		{name: "content based", attrs: map[string]string{"ContentBasedDeduplication": "true"}, first: SendInput{Body: "x", GroupID: "g"}, second: SendInput{Body: "x", GroupID: "h"}, wantDup: true},
		{name: "content based, other body", attrs: map[string]string{"ContentBasedDeduplication": "true"}, first: SendInput{Body: "x", GroupID: "g"}, second: SendInput{Body: "z", GroupID: "g"}},
		{name: "scope messageGroup", attrs: map[string]string{"DeduplicationScope": "messageGroup"}, first: SendInput{Body: "x", GroupID: "g", DeduplicationID: "d"}, second: SendInput{Body: "x", GroupID: "h", DeduplicationID: "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, clock := newModel(t)
			attrs := map[string]string{"FifoQueue": "true"}
			for k, v := range tt.attrs {
				attrs[k] = v
			}
			create(t, m, "q.fifo", attrs)
			r1, err := m.Send("q.fifo", tt.first)
			require.NoError(t, err)
			clock.Advance(tt.after)
			r2, err := m.Send("q.fifo", tt.second)
			require.NoError(t, err)
			st, _ := m.Stats("q.fifo")
			if tt.wantDup {
				assert.Equal(t, r1.MessageID, r2.MessageID)
				assert.Equal(t, 1, st.Visible)
			} else {
				assert.NotEqual(t, r1.MessageID, r2.MessageID)
				assert.Equal(t, 2, st.Visible)
			}
		})
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
func TestDelay(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", map[string]string{"DelaySeconds": "60", "VisibilityTimeout": "300"})
	send(t, m, "q", "queue delay")
	_, err := m.Send("q", SendInput{Body: "message delay", DelaySeconds: intPtr(10)})
	require.NoError(t, err)
	st, _ := m.Stats("q")
	assert.Equal(t, Stats{Delayed: 2}, st)
	clock.Advance(10 * time.Second)
	assert.Equal(t, []string{"message delay"}, bodies(receive(t, m, "q", 10)))
	clock.Advance(50 * time.Second)
	assert.Equal(t, []string{"queue delay"}, bodies(receive(t, m, "q", 10)))

	create(t, m, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	_, err = m.Send("f.fifo", SendInput{Body: "x", GroupID: "g", DelaySeconds: intPtr(5)})
	assert.Equal(t, CodeInvalidParameterValue, codeOf(err), "FIFO queues take a delay per queue only")
}

func intPtr(n int) *int { return &n }

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html (MessageRetentionPeriod)
func TestRetentionExpiry(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", map[string]string{"MessageRetentionPeriod": "60"})
	send(t, m, "q", "old")
	clock.Advance(30 * time.Second)
	send(t, m, "q", "new")
	st, _ := m.Stats("q")
	assert.Equal(t, 30*time.Second, st.OldestAge)
	clock.Advance(30 * time.Second)
	assert.Equal(t, []string{"new"}, bodies(receive(t, m, "q", 10)))
	st, _ = m.Stats("q")
	assert.Equal(t, Stats{InFlight: 1, OldestAge: 30 * time.Second}, st)
	clock.Advance(30 * time.Second)
	st, _ = m.Stats("q")
	assert.Equal(t, Stats{}, st, "in-flight messages expire too")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
func TestLongPollWokenBySend(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	got := make(chan []Message)
	go func() {
		msgs, err := m.Receive(context.Background(), "q", ReceiveInput{})
		assert.NoError(t, err)
		got <- msgs
	}()
	require.NoError(t, clock.WaitForTimers(context.Background(), 1))
	clock.Advance(5 * time.Second)
	send(t, m, "q", "hello")
	select {
	case msgs := <-got:
		assert.Equal(t, []string{"hello"}, bodies(msgs))
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not wake on send")
	}
}

func TestLongPollWokenByVisibilityExpiry(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", map[string]string{"VisibilityTimeout": "5"})
	send(t, m, "q", "a")
	receive(t, m, "q", 1)
	got := make(chan []Message)
	go func() {
		msgs, err := m.Receive(context.Background(), "q", ReceiveInput{WaitTime: durationPtr(20 * time.Second)})
		assert.NoError(t, err)
		got <- msgs
	}()
	require.NoError(t, clock.WaitForTimers(context.Background(), 1))
	clock.Advance(5 * time.Second)
	select {
	case msgs := <-got:
		assert.Equal(t, []string{"a"}, bodies(msgs))
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not wake when the message became visible")
	}
}

func TestLongPollTimesOutEmpty(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", nil)
	got := make(chan []Message)
	go func() {
		msgs, err := m.Receive(context.Background(), "q", ReceiveInput{WaitTime: durationPtr(20 * time.Second)})
		assert.NoError(t, err)
		got <- msgs
	}()
	require.NoError(t, clock.WaitForTimers(context.Background(), 1))
	clock.Advance(20 * time.Second)
	assert.Empty(t, <-got)
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
func TestMD5OfMessageAttributes(t *testing.T) {
	attrs := map[string]MessageAttributeValue{
		"b": {DataType: "Binary", BinaryValue: []byte{1, 2}},
		"a": {DataType: "String", StringValue: "x"},
	}
	// Built by hand from the documented encoding: sorted names, 4-byte lengths, transport byte.
	want := md5.Sum([]byte("\x00\x00\x00\x01a\x00\x00\x00\x06String\x01\x00\x00\x00\x01x" +
		"\x00\x00\x00\x01b\x00\x00\x00\x06Binary\x02\x00\x00\x00\x02\x01\x02"))
	assert.Equal(t, hex.EncodeToString(want[:]), md5OfAttributes(attrs))
	assert.Equal(t, "5d41402abc4b2a76b9719d911017c592", md5Hex("hello"))
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
func TestSendRejects(t *testing.T) {
	tests := []struct {
		name string
		in   SendInput
		code string
	}{
		{name: "empty body", in: SendInput{}, code: CodeMissingParameter},
		{name: "control character", in: SendInput{Body: "a\x01"}, code: CodeInvalidMessageContents},
		{name: "too long", in: SendInput{Body: strings.Repeat("x", MaxMessageSize+1)}, code: CodeInvalidParameterValue},
		{name: "attributes count toward size", in: SendInput{Body: strings.Repeat("x", MaxMessageSize-5), Attributes: map[string]MessageAttributeValue{"abc": {DataType: "String", StringValue: "v"}}}, code: CodeInvalidParameterValue},
		{name: "delay too long", in: SendInput{Body: "x", DelaySeconds: intPtr(901)}, code: CodeInvalidParameterValue},
		{name: "dedup id on standard", in: SendInput{Body: "x", DeduplicationID: "d"}, code: CodeInvalidParameterValue},
		{name: "attribute without value", in: SendInput{Body: "x", Attributes: map[string]MessageAttributeValue{"a": {DataType: "String"}}}, code: CodeInvalidParameterValue},
		{name: "attribute bad type", in: SendInput{Body: "x", Attributes: map[string]MessageAttributeValue{"a": {DataType: "Date", StringValue: "x"}}}, code: CodeInvalidParameterValue},
		{name: "attribute bad number", in: SendInput{Body: "x", Attributes: map[string]MessageAttributeValue{"a": {DataType: "Number", StringValue: "1x"}}}, code: CodeInvalidParameterValue},
		{name: "attribute reserved name", in: SendInput{Body: "x", Attributes: map[string]MessageAttributeValue{"AWS.x": {DataType: "String", StringValue: "x"}}}, code: CodeInvalidParameterValue},
		{name: "eleven attributes", in: SendInput{Body: "x", Attributes: elevenAttributes()}, code: CodeInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newModel(t)
			create(t, m, "q", nil)
			_, err := m.Send("q", tt.in)
			assert.Equal(t, tt.code, codeOf(err))
			st, _ := m.Stats("q")
			assert.Equal(t, Stats{}, st, "nothing was stored")
		})
	}
}

func elevenAttributes() map[string]MessageAttributeValue {
	out := map[string]MessageAttributeValue{}
	for i := 0; i < 11; i++ {
		out["a"+strconv.Itoa(i)] = MessageAttributeValue{DataType: "Number", StringValue: strconv.Itoa(i)}
	}
	return out
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html (in-flight quota)
func TestInflightQuota(t *testing.T) {
	clock := sim.NewFake(epoch)
	m := New(Options{Clock: clock, MaxInflight: 2})
	create(t, m, "q", nil)
	create(t, m, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for i := 0; i < 3; i++ {
		send(t, m, "q", strconv.Itoa(i))
		sendFIFO(t, m, "q.fifo", strconv.Itoa(i), strconv.Itoa(i))
	}
	assert.Len(t, receive(t, m, "q", 2), 2)
	_, err := m.Receive(context.Background(), "q", ReceiveInput{WaitTime: noWait})
	assert.Equal(t, CodeOverLimit, codeOf(err))
	assert.Len(t, receive(t, m, "q.fifo", 2), 2)
	assert.Empty(t, receive(t, m, "q.fifo", 1), "FIFO queues answer nothing at the quota")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
func TestCreateQueue(t *testing.T) {
	tests := []struct {
		name  string
		queue string
		attrs map[string]string
		code  string
	}{
		{name: "same attributes is idempotent", queue: "q", attrs: map[string]string{"VisibilityTimeout": "30"}},
		{name: "different attribute", queue: "q", attrs: map[string]string{"VisibilityTimeout": "31"}, code: CodeQueueNameExists},
		{name: "bad name", queue: "q!", code: CodeInvalidParameterValue},
		{name: "81 characters", queue: strings.Repeat("q", 81), code: CodeInvalidParameterValue},
		{name: "fifo without suffix", queue: "f", attrs: map[string]string{"FifoQueue": "true"}, code: CodeInvalidParameterValue},
		{name: "visibility out of range", queue: "v", attrs: map[string]string{"VisibilityTimeout": "43201"}, code: CodeInvalidAttributeValue},
		{name: "retention below a minute", queue: "r", attrs: map[string]string{"MessageRetentionPeriod": "59"}, code: CodeInvalidAttributeValue},
		{name: "unknown attribute", queue: "u", attrs: map[string]string{"Colour": "blue"}, code: CodeInvalidAttributeName},
		{name: "dead-letter target missing", queue: "d", attrs: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":3}`}, code: CodeInvalidParameterValue},
		{name: "dead-letter target denies", queue: "d", attrs: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:closed","maxReceiveCount":3}`}, code: CodeInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newModel(t)
			create(t, m, "q", nil)
			create(t, m, "closed", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
			err := m.CreateQueue(tt.queue, tt.attrs, nil)
			assert.Equal(t, tt.code, codeOf(err))
			if tt.code != "" && tt.queue != "q" {
				assert.False(t, m.Exists(tt.queue))
			}
		})
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
func TestDeleteAndPurge(t *testing.T) {
	m, clock := newModel(t)
	create(t, m, "q", nil)
	send(t, m, "q", "a")
	receive(t, m, "q", 1)
	send(t, m, "q", "b")
	require.NoError(t, m.PurgeQueue("q"))
	st, _ := m.Stats("q")
	assert.Equal(t, Stats{}, st)
	assert.Equal(t, CodePurgeQueueInProgress, codeOf(m.PurgeQueue("q")))
	clock.Advance(60 * time.Second)
	assert.NoError(t, m.PurgeQueue("q"))

	require.NoError(t, m.DeleteQueue("q"))
	assert.Equal(t, CodeQueueDoesNotExist, codeOf(m.DeleteQueue("q")))
	assert.Equal(t, CodeQueueDeletedRecently, codeOf(m.CreateQueue("q", nil, nil)))
	clock.Advance(60 * time.Second)
	assert.NoError(t, m.CreateQueue("q", nil, nil))
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
func TestBatchRejectsAndChangesNothing(t *testing.T) {
	tests := []struct {
		name    string
		entries []SendBatchEntry
		code    string
	}{
		{name: "empty", code: CodeEmptyBatchRequest},
		{name: "eleven", entries: batch(11, 1), code: CodeTooManyEntries},
		{name: "repeated id", entries: []SendBatchEntry{{ID: "a", SendInput: SendInput{Body: "x"}}, {ID: "a", SendInput: SendInput{Body: "y"}}}, code: CodeBatchEntryIdsNotDistinct},
		{name: "bad id", entries: []SendBatchEntry{{ID: "a b", SendInput: SendInput{Body: "x"}}}, code: CodeInvalidBatchEntryID},
		{name: "over 1 MiB in total", entries: batch(2, MaxMessageSize/2+1), code: CodeBatchRequestTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newModel(t)
			create(t, m, "q", nil)
			_, _, err := m.SendBatch("q", tt.entries)
			assert.Equal(t, tt.code, codeOf(err))
			st, _ := m.Stats("q")
			assert.Equal(t, Stats{}, st)
		})
	}
}

func batch(n, size int) []SendBatchEntry {
	var out []SendBatchEntry
	for i := 0; i < n; i++ {
		out = append(out, SendBatchEntry{ID: "e" + strconv.Itoa(i), SendInput: SendInput{Body: strings.Repeat("x", size)}})
	}
	return out
}

func TestBatchPartialFailure(t *testing.T) {
	m, _ := newModel(t)
	create(t, m, "q", nil)
	ok, failed, err := m.SendBatch("q", []SendBatchEntry{{ID: "good", SendInput: SendInput{Body: "x"}}, {ID: "bad", SendInput: SendInput{Body: "\x00"}}})
	require.NoError(t, err)
	require.Len(t, ok, 1)
	assert.Equal(t, "good", ok[0].ID)
	assert.Equal(t, []BatchFailure{{ID: "bad", Code: CodeInvalidMessageContents, Message: failed[0].Message, SenderFault: true}}, failed)

	msgs := receive(t, m, "q", 1)
	deleted, failedDel, err := m.DeleteBatch("q", []HandleEntry{{ID: "a", ReceiptHandle: msgs[0].ReceiptHandle}, {ID: "b", ReceiptHandle: "junk"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, deleted)
	require.Len(t, failedDel, 1)
	assert.Equal(t, CodeReceiptHandleIsInvalid, failedDel[0].Code)
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
func TestReceiveSelectsAttributes(t *testing.T) {
	m, _ := newModel(t)
	create(t, m, "q", nil)
	attrs := map[string]MessageAttributeValue{
		"order.id":  {DataType: "String", StringValue: "42"},
		"order.qty": {DataType: "Number", StringValue: "3"},
		"other":     {DataType: "Binary", BinaryValue: []byte("b")},
	}
	r, err := m.Send("q", SendInput{Body: "x", Attributes: attrs})
	require.NoError(t, err)
	msgs, err := m.Receive(context.Background(), "q", ReceiveInput{WaitTime: noWait, MessageAttributeNames: []string{"order.*"}, AttributeNames: []string{"SentTimestamp"}})
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Len(t, msgs[0].MessageAttributes, 2)
	assert.Equal(t, md5OfAttributes(map[string]MessageAttributeValue{"order.id": attrs["order.id"], "order.qty": attrs["order.qty"]}), msgs[0].MD5OfMessageAttributes)
	assert.NotEqual(t, r.MD5OfAttributes, msgs[0].MD5OfMessageAttributes, "the digest covers the returned attributes")
	assert.Equal(t, map[string]string{"SentTimestamp": strconv.FormatInt(epoch.UnixMilli(), 10)}, msgs[0].Attributes)

	_, err = m.Receive(context.Background(), "q", ReceiveInput{MaxMessages: 11})
	assert.Equal(t, CodeInvalidParameterValue, codeOf(err))
	_, err = m.Receive(context.Background(), "q", ReceiveInput{AttributeNames: []string{"Colour"}})
	assert.Equal(t, CodeInvalidAttributeName, codeOf(err))
}

func TestNotify(t *testing.T) {
	m, _ := newModel(t)
	create(t, m, "q", nil)
	ch, err := m.Notify("q")
	require.NoError(t, err)
	select {
	case <-ch:
		t.Fatal("closed before any change")
	default:
	}
	send(t, m, "q", "x")
	select {
	case <-ch:
	default:
		t.Fatal("not closed by a send")
	}
}
