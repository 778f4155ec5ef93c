package model

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// MessageAttributeValue is a message attribute: a data type (String, Number, Binary, optionally
// with a custom suffix such as "String.uuid") and its value.
type MessageAttributeValue struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// SendInput is one message to send.
type SendInput struct {
	Body string
	// DelaySeconds overrides the queue's delay for this message (standard queues only); nil
	// keeps the queue's.
	DelaySeconds *int
	Attributes   map[string]MessageAttributeValue
	// SystemAttributes holds AWSTraceHeader, the one system attribute SQS accepts.
	SystemAttributes map[string]MessageAttributeValue
	GroupID          string
	DeduplicationID  string
}

// SendResult is what SendMessage answers.
type SendResult struct {
	MessageID             string
	MD5OfBody             string
	MD5OfAttributes       string
	MD5OfSystemAttributes string
	SequenceNumber        string
}

// Message is a received message.
type Message struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string
	// Attributes are the system attributes asked for (SentTimestamp, ApproximateReceiveCount, …).
	Attributes        map[string]string
	MessageAttributes map[string]MessageAttributeValue
}

// ReceiveInput says how to receive.
type ReceiveInput struct {
	// MaxMessages is 1–10; 0 means 1.
	MaxMessages int
	// WaitTime is the long poll (0–20 s); nil uses the queue's ReceiveMessageWaitTimeSeconds.
	WaitTime *time.Duration
	// VisibilityTimeout (0–12 h) overrides the queue's for these messages; nil keeps it.
	VisibilityTimeout *time.Duration
	// AttributeNames are the system attributes to return ("All" for every one).
	AttributeNames []string
	// MessageAttributeNames select message attributes: "All", ".*", "prefix.*" or names.
	MessageAttributeNames []string
}

// Stats are a queue's gauges, as CloudWatch names them ApproximateNumberOfMessagesVisible,
// ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed and
// ApproximateAgeOfOldestMessage.
type Stats struct {
	Visible, InFlight, Delayed int
	OldestAge                  time.Duration
}

// BatchFailure is one failed entry of a batch request.
type BatchFailure struct {
	ID          string
	Code        string
	Message     string
	SenderFault bool
}

// SendBatchEntry is one entry of SendMessageBatch.
type SendBatchEntry struct {
	ID string
	SendInput
}

// SendBatchResult is one successful entry of SendMessageBatch.
type SendBatchResult struct {
	ID string
	SendResult
}

// HandleEntry is one entry of DeleteMessageBatch or ChangeMessageVisibilityBatch.
type HandleEntry struct {
	ID            string
	ReceiptHandle string
	// VisibilityTimeout is used by ChangeMessageVisibilityBatch only.
	VisibilityTimeout time.Duration
}

// systemAttributeNames are what ReceiveMessage's AttributeNames may ask for.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
var systemAttributeNames = []string{
	"All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
	"SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
}

// Send sends one message.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
func (m *Model) Send(queue string, in SendInput) (SendResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(queue)
	if err != nil {
		return SendResult{}, err
	}
	now := m.now()
	q.sweep(now)
	res, serr := m.send(q, in, now)
	if serr != nil {
		return SendResult{}, serr
	}
	m.count(queue, "NumberOfMessagesSent", 1)
	return res, nil
}

// prepare validates a message for q and returns it unsent with its size.
func (m *Model) prepare(q *queue, in SendInput) (*message, *Error) {
	if in.Body == "" {
		return nil, missing("MessageBody")
	}
	if r, bad := badChar(in.Body); bad {
		return nil, invalidContents(r)
	}
	if d := in.DelaySeconds; d != nil {
		if *d < 0 || *d > 900 {
			return nil, invalidValue("DelaySeconds", *d, "DelaySeconds must be >= 0 and <= 900.")
		}
		if q.fifo && *d != 0 {
			return nil, invalidValue("DelaySeconds", *d, "The request include parameter that is not valid for this queue type.")
		}
	}
	size, aerr := checkAttributes(in.Attributes)
	if aerr != nil {
		return nil, aerr
	}
	for name, v := range in.SystemAttributes {
		if name != "AWSTraceHeader" {
			return nil, errorf(CodeInvalidParameterValue, "Message system attribute name '%s' is invalid.", name)
		}
		if v.DataType != "String" || v.StringValue == "" {
			return nil, errorf(CodeInvalidParameterValue, "Message system attribute '%s' must use type 'String' and a non-empty value.", name)
		}
	}
	size += len(in.Body)
	if size > q.attrs.maxSize {
		return nil, errorf(CodeInvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.attrs.maxSize)
	}
	if q.fifo {
		if in.GroupID == "" {
			return nil, missing("MessageGroupId")
		}
		if in.DeduplicationID == "" && !q.attrs.contentDedup {
			return nil, errorf(CodeInvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	} else if in.DeduplicationID != "" {
		return nil, invalidValue("MessageDeduplicationId", in.DeduplicationID, "The request include parameter that is not valid for this queue type")
	}
	if !validTag(in.GroupID) {
		return nil, invalidValue("MessageGroupId", in.GroupID, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if !validTag(in.DeduplicationID) {
		return nil, invalidValue("MessageDeduplicationId", in.DeduplicationID, "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	msg := &message{
		id: newUUID(), body: in.Body, size: size, group: in.GroupID, dedupID: in.DeduplicationID,
		attrs: in.Attributes, sysAttrs: in.SystemAttributes,
		md5Body: md5Hex(in.Body), md5Attrs: md5OfAttributes(in.Attributes), md5Sys: md5OfAttributes(in.SystemAttributes),
	}
	return msg, nil
}

// validTag: up to 128 alphanumeric or punctuation characters ("" passes: absent).
func validTag(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func (m *Model) send(q *queue, in SendInput, now time.Time) (SendResult, *Error) {
	msg, err := m.prepare(q, in)
	if err != nil {
		return SendResult{}, err
	}
	res := SendResult{MessageID: msg.id, MD5OfBody: msg.md5Body, MD5OfAttributes: msg.md5Attrs, MD5OfSystemAttributes: msg.md5Sys}
	if q.fifo {
		if msg.dedupID == "" {
			sum := sha256.Sum256([]byte(msg.body))
			msg.dedupID = hex.EncodeToString(sum[:])
		}
		key := msg.dedupID
		if q.attrs.dedupScope == "messageGroup" {
			key = msg.group + "\x00" + key
		}
		if d, ok := q.dedup[key]; ok && d.expires.After(now) {
			// A duplicate is accepted and not delivered again.
			res.MessageID, res.SequenceNumber = d.messageID, d.seq
			return res, nil
		}
		q.seq++
		msg.seq = fmt.Sprintf("%020d", uint64(18_000_000_000_000_000_000)+q.seq)
		res.SequenceNumber = msg.seq
		exp := now.Add(DedupWindow)
		q.dedup[key] = dedupEntry{expires: exp, messageID: msg.id, seq: msg.seq}
		q.dedupOrder = append(q.dedupOrder, dedupExpiry{key: key, expires: exp})
	}
	delay := q.attrs.delay
	if in.DelaySeconds != nil && !q.fifo {
		delay = time.Duration(*in.DelaySeconds) * time.Second
	}
	msg.sent = now
	msg.visibleAt = now.Add(delay)
	q.add(msg, now)
	return res, nil
}

// SendBatch sends up to 10 messages; each entry succeeds or fails on its own. The request as a
// whole fails for an empty batch, more than 10 entries, bad or repeated ids, or more than
// 1 MiB in total. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
func (m *Model) SendBatch(queue string, entries []SendBatchEntry) ([]SendBatchResult, []BatchFailure, error) {
	ids := make([]string, len(entries))
	total := 0
	for i, e := range entries {
		ids[i] = e.ID
		total += len(e.Body)
		for n, v := range e.Attributes {
			total += len(n) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
		}
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, nil, err
	}
	if total > MaxMessageSize {
		return nil, nil, errorf(CodeBatchRequestTooLong, "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", MaxMessageSize, total)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, qerr := m.queue(queue)
	if qerr != nil {
		return nil, nil, qerr
	}
	now := m.now()
	q.sweep(now)
	var ok []SendBatchResult
	var failed []BatchFailure
	for _, e := range entries {
		res, err := m.send(q, e.SendInput, now)
		if err != nil {
			failed = append(failed, BatchFailure{ID: e.ID, Code: err.Code, Message: err.Message, SenderFault: true})
			continue
		}
		ok = append(ok, SendBatchResult{ID: e.ID, SendResult: res})
	}
	m.count(queue, "NumberOfMessagesSent", int64(len(ok)))
	return ok, failed, nil
}

// checkBatch validates a batch request's entry ids.
func checkBatch(ids []string, entry string) *Error {
	switch {
	case len(ids) == 0:
		return errorf(CodeEmptyBatchRequest, "There should be at least one %s in the request.", entry)
	case len(ids) > MaxBatchEntries:
		return errorf(CodeTooManyEntries, "Maximum number of entries per request are %d. You have sent %d.", MaxBatchEntries, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validBatchID(id) {
			return errorf(CodeInvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errorf(CodeBatchEntryIdsNotDistinct, "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

func checkReceive(in *ReceiveInput) *Error {
	if in.MaxMessages == 0 {
		in.MaxMessages = 1
	}
	if in.MaxMessages < 1 || in.MaxMessages > MaxBatchEntries {
		return invalidValue("MaxNumberOfMessages", in.MaxMessages, "Must be between 1 and 10, if provided.")
	}
	if w := in.WaitTime; w != nil && (*w < 0 || *w > MaxWait) {
		return invalidValue("WaitTimeSeconds", int(*w/time.Second), "Must be >= 0 and <= 20, if provided.")
	}
	if v := in.VisibilityTimeout; v != nil && (*v < 0 || *v > MaxVisibility) {
		return invalidValue("VisibilityTimeout", int(*v/time.Second), "Must be >= 0 and <= 43200, if provided.")
	}
	for _, n := range in.AttributeNames {
		if !contains(systemAttributeNames, n) {
			return errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", n)
		}
	}
	return nil
}

// Receive receives up to in.MaxMessages messages, waiting up to the long-poll time for the first
// to arrive. Messages received more than the redrive policy's maxReceiveCount times go to the
// dead-letter queue instead. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
func (m *Model) Receive(ctx context.Context, queue string, in ReceiveInput) ([]Message, error) {
	if err := checkReceive(&in); err != nil {
		return nil, err
	}
	var deadline time.Time
	for {
		m.mu.Lock()
		q, err := m.queue(queue)
		if err != nil {
			m.mu.Unlock()
			return nil, err
		}
		now := m.now()
		if deadline.IsZero() {
			wait := q.attrs.wait
			if in.WaitTime != nil {
				wait = *in.WaitTime
			}
			deadline = now.Add(wait)
		}
		q.sweep(now)
		out, rerr := m.take(q, in, now)
		if rerr != nil {
			m.mu.Unlock()
			return nil, rerr
		}
		if len(out) > 0 || !now.Before(deadline) {
			m.mu.Unlock()
			m.count(queue, "NumberOfMessagesReceived", int64(len(out)))
			if len(out) == 0 {
				m.count(queue, "NumberOfEmptyReceives", 1)
			}
			return out, nil
		}
		d := deadline.Sub(now)
		if next := q.nextChange(); !next.IsZero() && next.Sub(now) < d {
			d = next.Sub(now)
		}
		q.armed = true
		ch := q.wakeCh
		m.mu.Unlock()
		t := m.clock.NewTimer(d)
		select {
		case <-ch:
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// take receives up to in.MaxMessages visible messages; the caller holds m.mu and swept q.
func (m *Model) take(q *queue, in ReceiveInput, now time.Time) ([]Message, *Error) {
	if q.nInflight >= m.opts.MaxInflight {
		if q.fifo {
			return nil, nil // FIFO queues answer nothing at the quota
		}
		return nil, errorf(CodeOverLimit, "Too many messages in flight on queue %s.", q.name)
	}
	vis := q.attrs.visibility
	if in.VisibilityTimeout != nil {
		vis = *in.VisibilityTimeout
	}
	var out []Message
	deliver := func(msg *message) bool {
		if q.expired(msg, now) {
			q.remove(msg)
			return false
		}
		if r := q.attrs.redrive; r != nil && msg.receiveCount >= r.maxReceiveCount {
			if name, ok := m.NameOfARN(r.target); ok && m.queues[name] != nil {
				m.moveTo(q, msg, m.queues[name], now, q.arn, false)
				return false
			}
		}
		msg.receiveCount++
		if msg.firstReceive.IsZero() {
			msg.firstReceive = now
		}
		if msg.handle != "" {
			delete(q.handles, msg.handle)
		}
		msg.handle = m.newHandle(q.name)
		q.handles[msg.handle] = msg
		msg.receivedAt = now
		msg.visibleAt = now.Add(vis)
		q.setState(msg, stateInflight)
		out = append(out, snapshot(msg, in))
		return true
	}
	if !q.fifo {
		for len(out) < in.MaxMessages && q.ready.head != nil {
			deliver(q.ready.head)
		}
		return out, nil
	}
	alive := q.groupOrder[:0]
	for _, g := range q.groupOrder {
		if !g.dead {
			alive = append(alive, g)
		}
	}
	for i := len(alive); i < len(q.groupOrder); i++ {
		q.groupOrder[i] = nil
	}
	q.groupOrder = alive
	for _, g := range alive {
		if len(out) >= in.MaxMessages {
			break
		}
		if g.inflight > 0 || g.dead {
			continue // one batch of a group in flight at a time keeps the group's order
		}
		for i := 0; i < len(g.msgs) && len(out) < in.MaxMessages; {
			msg := g.msgs[i]
			if msg.state != stateVisible {
				break
			}
			if deliver(msg) {
				i++
			}
		}
	}
	return out, nil
}

// moveTo moves msg from q to dst (a dead-letter queue or a move task's destination). A standard
// message keeps its send time, so retention still counts from the original enqueue; a FIFO one
// is enqueued anew. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
func (m *Model) moveTo(q *queue, msg *message, dst *queue, now time.Time, sourceARN string, redrive bool) {
	q.remove(msg)
	if redrive {
		// Redriven messages start over, or they would go straight back to the dead-letter queue.
		msg.receiveCount, msg.firstReceive = 0, time.Time{}
	}
	moved := &message{
		id: msg.id, body: msg.body, attrs: msg.attrs, sysAttrs: msg.sysAttrs, md5Body: msg.md5Body,
		md5Attrs: msg.md5Attrs, md5Sys: msg.md5Sys, size: msg.size, sent: msg.sent,
		firstReceive: msg.firstReceive, receiveCount: msg.receiveCount, group: msg.group, dedupID: msg.dedupID,
		deadLetterSource: sourceARN, visibleAt: now,
	}
	if dst.fifo {
		moved.sent = now
		if moved.group == "" {
			moved.group = "default"
		}
		dst.seq++
		moved.seq = fmt.Sprintf("%020d", uint64(18_000_000_000_000_000_000)+dst.seq)
	}
	dst.sweep(now)
	dst.add(moved, now)
}

// snapshot copies what a receiver sees of msg.
func snapshot(msg *message, in ReceiveInput) Message {
	out := Message{MessageID: msg.id, ReceiptHandle: msg.handle, Body: msg.body, MD5OfBody: msg.md5Body}
	if len(in.AttributeNames) > 0 {
		all := contains(in.AttributeNames, "All")
		want := func(n string) bool { return all || contains(in.AttributeNames, n) }
		a := map[string]string{}
		if want("SenderId") {
			a["SenderId"] = senderID
		}
		if want("SentTimestamp") {
			a["SentTimestamp"] = strconv.FormatInt(msg.sent.UnixMilli(), 10)
		}
		if want("ApproximateReceiveCount") {
			a["ApproximateReceiveCount"] = strconv.Itoa(msg.receiveCount)
		}
		if want("ApproximateFirstReceiveTimestamp") {
			a["ApproximateFirstReceiveTimestamp"] = strconv.FormatInt(msg.firstReceive.UnixMilli(), 10)
		}
		if want("SequenceNumber") && msg.seq != "" {
			a["SequenceNumber"] = msg.seq
		}
		if want("MessageDeduplicationId") && msg.dedupID != "" {
			a["MessageDeduplicationId"] = msg.dedupID
		}
		if want("MessageGroupId") && msg.group != "" {
			a["MessageGroupId"] = msg.group
		}
		if want("AWSTraceHeader") {
			if v, ok := msg.sysAttrs["AWSTraceHeader"]; ok {
				a["AWSTraceHeader"] = v.StringValue
			}
		}
		if want("DeadLetterQueueSourceArn") && msg.deadLetterSource != "" {
			a["DeadLetterQueueSourceArn"] = msg.deadLetterSource
		}
		out.Attributes = a
	}
	if len(in.MessageAttributeNames) > 0 && len(msg.attrs) > 0 {
		sel := map[string]MessageAttributeValue{}
		for name, v := range msg.attrs {
			if attributeWanted(name, in.MessageAttributeNames) {
				sel[name] = v
			}
		}
		if len(sel) > 0 {
			out.MessageAttributes = sel
			if len(sel) == len(msg.attrs) {
				out.MD5OfMessageAttributes = msg.md5Attrs
			} else {
				out.MD5OfMessageAttributes = md5OfAttributes(sel)
			}
		}
	}
	return out
}

// senderID is what SenderId reads: the emulator has no IAM users, so an access-key-like id.
const senderID = "AIDAEMULATOREXAMPLE"

func attributeWanted(name string, want []string) bool {
	for _, w := range want {
		switch {
		case w == "All", w == ".*", w == name:
			return true
		case strings.HasSuffix(w, ".*") && strings.HasPrefix(name, strings.TrimSuffix(w, "*")):
			return true
		}
	}
	return false
}

// Delete deletes the message a receipt handle designates. A well-formed handle of a message
// already deleted, or received again since, succeeds and changes nothing, as on AWS.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
func (m *Model) Delete(queue, handle string) error {
	if handle == "" {
		return missing("ReceiptHandle")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(queue)
	if err != nil {
		return err
	}
	if derr := m.delete(q, handle); derr != nil {
		return derr
	}
	m.count(queue, "NumberOfMessagesDeleted", 1)
	return nil
}

func (m *Model) delete(q *queue, handle string) *Error {
	if !m.handleValid(q.name, handle) {
		return errorf(CodeReceiptHandleIsInvalid, "The input receipt handle \"%s\" is not a valid receipt handle.", handle)
	}
	if msg := q.handles[handle]; msg != nil {
		q.remove(msg)
	}
	return nil
}

// DeleteBatch deletes up to 10 messages by receipt handle.
func (m *Model) DeleteBatch(name string, entries []HandleEntry) ([]string, []BatchFailure, error) {
	return m.handleBatch(name, entries, "DeleteMessageBatchRequestEntry", func(q *queue, e HandleEntry, _ time.Time) *Error {
		return m.delete(q, e.ReceiptHandle)
	}, "NumberOfMessagesDeleted")
}

// ChangeVisibilityBatch changes the visibility timeout of up to 10 messages.
func (m *Model) ChangeVisibilityBatch(name string, entries []HandleEntry) ([]string, []BatchFailure, error) {
	return m.handleBatch(name, entries, "ChangeMessageVisibilityBatchRequestEntry", func(q *queue, e HandleEntry, now time.Time) *Error {
		return m.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout, now)
	}, "")
}

func (m *Model) handleBatch(name string, entries []HandleEntry, entry string, do func(*queue, HandleEntry, time.Time) *Error, metric string) ([]string, []BatchFailure, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	if err := checkBatch(ids, entry); err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, qerr := m.queue(name)
	if qerr != nil {
		return nil, nil, qerr
	}
	now := m.now()
	q.sweep(now)
	var ok []string
	var failed []BatchFailure
	for _, e := range entries {
		if e.ReceiptHandle == "" {
			failed = append(failed, BatchFailure{ID: e.ID, Code: CodeMissingParameter, Message: "The request must contain the parameter ReceiptHandle.", SenderFault: true})
			continue
		}
		if err := do(q, e, now); err != nil {
			failed = append(failed, BatchFailure{ID: e.ID, Code: err.Code, Message: err.Message, SenderFault: true})
			continue
		}
		ok = append(ok, e.ID)
	}
	if metric != "" {
		m.count(name, metric, int64(len(ok)))
	}
	return ok, failed, nil
}

// ChangeVisibility sets the visibility timeout of an in-flight message to timeout from now; a
// message's total time in flight stays within 12 hours of its receive.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
func (m *Model) ChangeVisibility(queue, handle string, timeout time.Duration) error {
	if handle == "" {
		return missing("ReceiptHandle")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(queue)
	if err != nil {
		return err
	}
	now := m.now()
	q.sweep(now)
	if cerr := m.changeVisibility(q, handle, timeout, now); cerr != nil {
		return cerr
	}
	return nil
}

func (m *Model) changeVisibility(q *queue, handle string, timeout time.Duration, now time.Time) *Error {
	secs := int(timeout / time.Second)
	if timeout < 0 || timeout > MaxVisibility {
		return invalidValue("VisibilityTimeout", secs, "Must be between 0 and 43200, if provided.")
	}
	if !m.handleValid(q.name, handle) {
		return errorf(CodeReceiptHandleIsInvalid, "The input receipt handle \"%s\" is not a valid receipt handle.", handle)
	}
	msg := q.handles[handle]
	if msg == nil {
		return invalidValue("ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change.")
	}
	if msg.state != stateInflight {
		return errorf(CodeMessageNotInflight, "The message referred to isn't in flight.")
	}
	if now.Add(timeout).Sub(msg.receivedAt) > MaxVisibility {
		return invalidValue("VisibilityTimeout", secs, "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	}
	msg.visibleAt = now.Add(timeout)
	q.setState(msg, stateInflight)
	if timeout == 0 {
		q.sweep(now)
	}
	q.wake()
	return nil
}

// Notify returns a channel that is closed at the queue's next change: a message sent, moved in,
// made visible by ChangeVisibility or by a Receive's sweep, a FIFO group unblocked, the queue's
// attributes set or the queue deleted. A delay or visibility timeout running out on its own
// closes it only when the queue is next looked at; a long-polling Receive covers that.
func (m *Model) Notify(queue string) (<-chan struct{}, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(queue)
	if err != nil {
		return nil, err
	}
	q.armed = true
	return q.wakeCh, nil
}

// Stats returns a queue's gauges.
func (m *Model) Stats(queue string) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(queue)
	if err != nil {
		return Stats{}, err
	}
	now := m.now()
	q.sweep(now)
	s := Stats{Visible: q.nVisible, InFlight: q.nInflight, Delayed: q.nDelayed}
	for _, msg := range q.all[q.allHead:] {
		if !msg.deleted {
			s.OldestAge = now.Sub(msg.sent)
			break
		}
	}
	return s, nil
}

// newUUID is a random version 4 UUID, the form of SQS message ids.
func newUUID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	return uuid.Format(b)
}
