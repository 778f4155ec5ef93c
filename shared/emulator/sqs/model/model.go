package model

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Limits and defaults from the SQS documentation.
const (
	// MaxMessageSize is the largest message (body plus attributes) SQS accepts, and the most a
	// batch may carry in total: 1 MiB since August 2025.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
	MaxMessageSize = 1 << 20
	// MaxBatchEntries is the most entries a batch request may carry.
	MaxBatchEntries = 10
	// MaxInflight is the in-flight quota of a queue, standard and FIFO alike.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
	MaxInflight = 120_000
	// DedupWindow is FIFO's deduplication interval.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
	DedupWindow = 5 * time.Minute
	// PurgeInterval is how long a purge blocks the next one.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
	PurgeInterval = 60 * time.Second
	// DeletedQueueReuse is how long a deleted queue's name stays unusable.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
	DeletedQueueReuse = 60 * time.Second
	// MaxVisibility bounds a visibility timeout and a message's total time in flight.
	MaxVisibility = 12 * time.Hour
	// MaxWait is the longest a ReceiveMessage long poll waits.
	MaxWait = 20 * time.Second
)

// Options configure a Model.
type Options struct {
	Region    string
	AccountID string
	// Clock gives every time the model uses (visibility, delays, retention, long polls, move
	// tasks); nil is the wall clock.
	Clock sim.Clock
	// Count, if set, receives CloudWatch-style counters per queue (NumberOfMessagesSent,
	// NumberOfMessagesReceived, NumberOfMessagesDeleted, NumberOfEmptyReceives).
	Count func(queue, metric string, n int64)
	// MaxInflight overrides the in-flight quota (tests); 0 is MaxInflight.
	MaxInflight int
}

// Model is the state of the emulated SQS of one account and region. It is safe for concurrent
// use.
type Model struct {
	opts  Options
	clock sim.Clock
	nonce [8]byte

	mu      sync.Mutex
	queues  map[string]*queue
	deleted map[string]time.Time // name → deletion time, for QueueDeletedRecently
	tasks   map[string]*moveTask // task id → task
	handles uint64
	closed  bool
	stops   []func() bool
}

// New returns an empty model.
func New(opts Options) *Model {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.MaxInflight == 0 {
		opts.MaxInflight = MaxInflight
	}
	m := &Model{opts: opts, clock: opts.Clock, queues: map[string]*queue{}, deleted: map[string]time.Time{}, tasks: map[string]*moveTask{}}
	if m.clock == nil {
		m.clock = sim.Real{}
	}
	_, _ = rand.Read(m.nonce[:])
	return m
}

// Close stops running message move tasks.
func (m *Model) Close() {
	m.mu.Lock()
	m.closed = true
	stops := m.stops
	m.stops = nil
	for _, t := range m.tasks {
		if t.Status == TaskRunning {
			t.Status = TaskCancelled
		}
	}
	m.mu.Unlock()
	for _, s := range stops {
		s()
	}
}

func (m *Model) now() time.Time { return m.clock.Now() }

func (m *Model) count(q, metric string, n int64) {
	if m.opts.Count != nil && n > 0 {
		m.opts.Count(q, metric, n)
	}
}

// ARN is a queue's ARN in the model's account and region.
func (m *Model) ARN(name string) string {
	return arn.ARN{Partition: "aws", Service: "sqs", Region: m.opts.Region, AccountID: m.opts.AccountID, Resource: name}.String()
}

// NameOfARN returns the queue name an ARN of this account and region designates.
func (m *Model) NameOfARN(s string) (string, bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != "aws" || a.Service != "sqs" || a.Region != m.opts.Region || a.AccountID != m.opts.AccountID {
		return "", false
	}
	return a.Resource, a.Resource != ""
}

// AccountID is the model's account.
func (m *Model) AccountID() string { return m.opts.AccountID }

// queue returns a live queue; the caller holds m.mu.
func (m *Model) queue(name string) (*queue, *Error) {
	q := m.queues[name]
	if q == nil {
		return nil, noQueue()
	}
	return q, nil
}

// wake tells long polls and Notify channels of q that something changed.
func (q *queue) wake() {
	if q.armed {
		close(q.wakeCh)
		q.wakeCh = make(chan struct{})
		q.armed = false
	}
}

// CreateQueue creates a queue, or returns nil if a queue of that name exists with the same
// values for the given attributes (CreateQueue is idempotent that way).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
func (m *Model) CreateQueue(name string, attrs, tags map[string]string) error {
	if name == "" {
		return missing("QueueName")
	}
	fifo := attrs["FifoQueue"] == "true"
	if v, ok := attrs["FifoQueue"]; ok && v != "true" && v != "false" {
		return errorf(CodeInvalidAttributeValue, "Invalid value for the parameter FifoQueue.")
	}
	if !validQueueName(name, fifo) {
		if strings.HasSuffix(name, ".fifo") && !fifo {
			return errorf(CodeInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
		}
		if fifo {
			return errorf(CodeInvalidParameterValue, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return errorf(CodeInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if len(tags) > 50 {
		return errorf(CodeInvalidParameterValue, "Too many tags added for queue %s.", name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if q := m.queues[name]; q != nil {
		want, err := m.parseAttributes(defaults(q.fifo), name, q.fifo, attrs, true)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(attrs))
		for k := range attrs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if k == "FifoQueue" && fifo == q.fifo {
				continue
			}
			if formatAttr(want, k, q.fifo) != formatAttr(q.attrs, k, q.fifo) || k == "FifoQueue" {
				return errorf(CodeQueueNameExists, "A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return nil
	}
	if at, ok := m.deleted[name]; ok && now.Sub(at) < DeletedQueueReuse {
		return errorf(CodeQueueDeletedRecently, "You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	a, err := m.parseAttributes(defaults(fifo), name, fifo, attrs, true)
	if err != nil {
		return err
	}
	q := &queue{
		name: name, arn: m.ARN(name), fifo: fifo, attrs: a, tags: map[string]string{},
		created: now, modified: now, handles: map[string]*message{}, wakeCh: make(chan struct{}),
	}
	if fifo {
		q.groups = map[string]*group{}
		q.dedup = map[string]dedupEntry{}
	}
	for k, v := range tags {
		q.tags[k] = v
	}
	m.queues[name] = q
	return nil
}

// DeleteQueue deletes a queue and its messages.
func (m *Model) DeleteQueue(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return err
	}
	delete(m.queues, name)
	m.deleted[name] = m.now()
	q.gone = true
	q.armed = true
	q.wake()
	return nil
}

// Exists reports whether a queue exists.
func (m *Model) Exists(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.queues[name] != nil
}

// Names lists every queue, sorted.
func (m *Model) Names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.queues))
	for n := range m.queues {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ListQueues lists queue names with the prefix in name order. max 0 returns up to 1,000 names
// without paging; otherwise max must be 1–1,000 and next continues from a token.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
func (m *Model) ListQueues(prefix string, max int, token string) ([]string, string, error) {
	return page(m.Names(), func(n string) bool { return strings.HasPrefix(n, prefix) }, max, token)
}

// ListDeadLetterSourceQueues lists the queues whose redrive policy names the queue as their
// dead-letter queue.
func (m *Model) ListDeadLetterSourceQueues(name string, max int, token string) ([]string, string, error) {
	m.mu.Lock()
	q, err := m.queue(name)
	var arn string
	if err == nil {
		arn = q.arn
	}
	m.mu.Unlock()
	if err != nil {
		return nil, "", err
	}
	names := m.Names()
	m.mu.Lock()
	defer m.mu.Unlock()
	return page(names, func(n string) bool {
		s := m.queues[n]
		return s != nil && s.attrs.redrive != nil && s.attrs.redrive.target == arn
	}, max, token)
}

func page(names []string, keep func(string) bool, max int, token string) ([]string, string, error) {
	if max < 0 || max > 1000 {
		return nil, "", invalidValue("MaxResults", max, "MaxResults must be an integer between 1 and 1000.")
	}
	after := ""
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", errorf(CodeInvalidParameterValue, "Invalid NextToken value.")
		}
		after = string(b)
	}
	limit := max
	if limit == 0 {
		limit = 1000
	}
	var out []string
	for _, n := range names {
		if n <= after || !keep(n) {
			continue
		}
		if len(out) == limit {
			if max == 0 {
				break
			}
			return out, base64.RawURLEncoding.EncodeToString([]byte(out[len(out)-1])), nil
		}
		out = append(out, n)
	}
	return out, "", nil
}

// Tags returns a queue's tags.
func (m *Model) Tags(name string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(q.tags))
	for k, v := range q.tags {
		out[k] = v
	}
	return out, nil
}

// TagQueue adds or overwrites tags (at most 50 per queue).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
func (m *Model) TagQueue(name string, tags map[string]string) error {
	if len(tags) == 0 {
		return missing("Tags")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return err
	}
	n := len(q.tags)
	for k := range tags {
		if _, ok := q.tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return errorf(CodeInvalidParameterValue, "Too many tags added for queue %s.", name)
	}
	for k, v := range tags {
		q.tags[k] = v
	}
	return nil
}

// UntagQueue removes tags.
func (m *Model) UntagQueue(name string, keys []string) error {
	if len(keys) == 0 {
		return missing("TagKeys")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return err
	}
	for _, k := range keys {
		delete(q.tags, k)
	}
	return nil
}

// PurgeQueue deletes every message of a queue, in flight or not. A second purge within 60
// seconds fails with PurgeQueueInProgress.
func (m *Model) PurgeQueue(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return err
	}
	now := m.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < PurgeInterval {
		return errorf(CodePurgeQueueInProgress, "Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
	}
	q.lastPurge = now
	for _, msg := range q.all[q.allHead:] {
		if !msg.deleted {
			q.remove(msg)
		}
	}
	q.all, q.allHead = nil, 0
	return nil
}

// newHandle makes a receipt handle: a marker, the model's nonce, a counter and the queue name,
// base64-encoded, so that a handle of another queue or a made-up one is recognised as invalid.
func (m *Model) newHandle(q string) string {
	m.handles++
	b := make([]byte, 0, 18+len(q))
	b = append(b, 'R', 'H')
	b = append(b, m.nonce[:]...)
	b = binary.BigEndian.AppendUint64(b, m.handles)
	b = append(b, q...)
	return base64.StdEncoding.EncodeToString(b)
}

// handleValid reports whether h is a receipt handle this model issued for queue q.
func (m *Model) handleValid(q, h string) bool {
	b, err := base64.StdEncoding.DecodeString(h)
	return err == nil && len(b) == 18+len(q) && b[0] == 'R' && b[1] == 'H' && string(b[2:10]) == string(m.nonce[:]) && string(b[18:]) == q
}
