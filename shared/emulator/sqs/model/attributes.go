package model

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// queueAttrs are a queue's settable attributes.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
type queueAttrs struct {
	delay, visibility, retention, wait time.Duration
	maxSize                            int
	policy                             string
	kmsKey                             string
	kmsReuse                           int
	sseManaged                         bool
	redrive                            *redrivePolicy
	redriveRaw                         string
	allow                              *allowPolicy
	allowRaw                           string
	contentDedup                       bool
	dedupScope, throughputLimit        string
}

type redrivePolicy struct {
	target          string // ARN
	maxReceiveCount int
}

type allowPolicy struct {
	permission string // allowAll, denyAll, byQueue
	sources    []string
}

func defaults(fifo bool) queueAttrs {
	a := queueAttrs{
		visibility: 30 * time.Second, retention: 4 * 24 * time.Hour, maxSize: MaxMessageSize,
		kmsReuse: 300, sseManaged: true,
	}
	if fifo {
		a.dedupScope, a.throughputLimit = "queue", "perQueue"
	}
	return a
}

// attributeNames are the names GetQueueAttributes knows, in the order it lists them.
var attributeNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"ContentBasedDeduplication", "CreatedTimestamp", "DeduplicationScope", "DelaySeconds", "FifoQueue",
	"FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "LastModifiedTimestamp",
	"MaximumMessageSize", "MessageRetentionPeriod", "Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds",
	"RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
}

var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true, "FifoQueue": true}

// seconds parses an integer attribute in [lo, hi].
func seconds(name, v string, lo, hi int) (int, *Error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errorf(CodeInvalidAttributeValue, "Invalid value for the parameter %s.", name)
	}
	return n, nil
}

func boolAttr(name, v string) (bool, *Error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errorf(CodeInvalidAttributeValue, "Invalid value for the parameter %s.", name)
}

// parseAttributes applies in to a copy of a; the caller holds m.mu (redrive targets are looked up).
func (m *Model) parseAttributes(a queueAttrs, name string, fifo bool, in map[string]string, create bool) (queueAttrs, *Error) {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := in[k]
		var err *Error
		var n int
		switch k {
		case "DelaySeconds":
			n, err = seconds(k, v, 0, 900)
			a.delay = time.Duration(n) * time.Second
		case "MaximumMessageSize":
			a.maxSize, err = seconds(k, v, 1024, MaxMessageSize)
		case "MessageRetentionPeriod":
			n, err = seconds(k, v, 60, 1_209_600)
			a.retention = time.Duration(n) * time.Second
		case "ReceiveMessageWaitTimeSeconds":
			n, err = seconds(k, v, 0, 20)
			a.wait = time.Duration(n) * time.Second
		case "VisibilityTimeout":
			n, err = seconds(k, v, 0, 43_200)
			a.visibility = time.Duration(n) * time.Second
		case "Policy":
			if v != "" && !json.Valid([]byte(v)) {
				err = errorf(CodeInvalidAttributeValue, "Invalid value for the parameter Policy.")
			}
			a.policy = v
		case "KmsMasterKeyId":
			a.kmsKey = v
			if v != "" {
				a.sseManaged = false
			}
		case "KmsDataKeyReusePeriodSeconds":
			a.kmsReuse, err = seconds(k, v, 60, 86_400)
		case "SqsManagedSseEnabled":
			a.sseManaged, err = boolAttr(k, v)
			if err == nil && a.sseManaged && in["KmsMasterKeyId"] != "" {
				err = errorf(CodeInvalidAttributeName, "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
			}
		case "RedrivePolicy":
			a.redrive, a.redriveRaw, err = m.parseRedrive(v, name, fifo)
		case "RedriveAllowPolicy":
			a.allow, a.allowRaw, err = parseAllow(v)
		case "FifoQueue":
			if !create {
				err = errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
			}
		case "ContentBasedDeduplication":
			if !fifo {
				err = errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
				break
			}
			a.contentDedup, err = boolAttr(k, v)
		case "DeduplicationScope":
			if !fifo {
				err = errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
			} else if v != "queue" && v != "messageGroup" {
				err = errorf(CodeInvalidAttributeValue, "Invalid value for the parameter %s.", k)
			}
			a.dedupScope = v
		case "FifoThroughputLimit":
			if !fifo {
				err = errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
			} else if v != "perQueue" && v != "perMessageGroupId" {
				err = errorf(CodeInvalidAttributeValue, "Invalid value for the parameter %s.", k)
			}
			a.throughputLimit = v
		default:
			err = errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", k)
		}
		if err != nil {
			return a, err
		}
	}
	if fifo && a.throughputLimit == "perMessageGroupId" && a.dedupScope != "messageGroup" {
		return a, errorf(CodeInvalidAttributeValue, "Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.")
	}
	return a, nil
}

// parseRedrive reads a RedrivePolicy: {"deadLetterTargetArn": ARN, "maxReceiveCount": 1–1000}.
// The target must exist, be of the same type, and allow this queue as a source.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
func (m *Model) parseRedrive(v, name string, fifo bool) (*redrivePolicy, string, *Error) {
	if v == "" {
		return nil, "", nil
	}
	bad := func(reason string) (*redrivePolicy, string, *Error) {
		return nil, "", invalidValue("RedrivePolicy", v, reason)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return bad("Redrive policy is not a valid JSON map.")
	}
	target, _ := raw["deadLetterTargetArn"].(string)
	if target == "" {
		return bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	var count int
	switch c := raw["maxReceiveCount"].(type) {
	case float64:
		count = int(c)
		if float64(count) != c {
			count = 0
		}
	case string:
		count, _ = strconv.Atoi(c)
	case nil:
		return bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	if count < 1 || count > 1000 {
		return bad("Invalid value for maxReceiveCount: must be an integer from 1 to 1000.")
	}
	dlqName, ok := m.NameOfARN(target)
	dlq := m.queues[dlqName]
	if !ok || dlq == nil {
		return bad("Dead letter target does not exist.")
	}
	if dlq.fifo != fifo {
		return bad("Dead-letter queue must be same type of queue as the source.")
	}
	if a := dlq.attrs.allow; a != nil {
		src := m.ARN(name)
		allowed := a.permission == "allowAll" || a.permission == "byQueue" && contains(a.sources, src)
		if !allowed {
			return bad("Queue " + src + " is not allowed to use " + target + " as a dead-letter queue.")
		}
	}
	out, _ := json.Marshal(struct {
		Target string `json:"deadLetterTargetArn"`
		Count  int    `json:"maxReceiveCount"`
	}{target, count})
	return &redrivePolicy{target: target, maxReceiveCount: count}, string(out), nil
}

// parseAllow reads a RedriveAllowPolicy: {"redrivePermission": "allowAll"|"denyAll"|"byQueue",
// "sourceQueueArns": [...]} (sources only, and 1–10 of them, with byQueue).
func parseAllow(v string) (*allowPolicy, string, *Error) {
	if v == "" {
		return nil, "", nil
	}
	bad := func(reason string) (*allowPolicy, string, *Error) {
		return nil, "", invalidValue("RedriveAllowPolicy", v, reason)
	}
	var raw struct {
		Permission string   `json:"redrivePermission"`
		Sources    []string `json:"sourceQueueArns"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return bad("Invalid JSON.")
	}
	switch raw.Permission {
	case "allowAll", "denyAll":
		if len(raw.Sources) > 0 {
			return bad("Only byQueue permission allows specifying sourceQueueArns.")
		}
	case "byQueue":
		if len(raw.Sources) == 0 || len(raw.Sources) > 10 {
			return bad("byQueue permission requires 1 to 10 sourceQueueArns.")
		}
	default:
		return bad("Amazon SQS supports only allowAll, denyAll and byQueue redrive permissions.")
	}
	return &allowPolicy{permission: raw.Permission, sources: raw.Sources}, v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// formatAttr is a settable attribute's value as GetQueueAttributes answers it ("" when unset).
func formatAttr(a queueAttrs, name string, fifo bool) string {
	secs := func(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
	switch name {
	case "DelaySeconds":
		return secs(a.delay)
	case "MaximumMessageSize":
		return strconv.Itoa(a.maxSize)
	case "MessageRetentionPeriod":
		return secs(a.retention)
	case "ReceiveMessageWaitTimeSeconds":
		return secs(a.wait)
	case "VisibilityTimeout":
		return secs(a.visibility)
	case "Policy":
		return a.policy
	case "KmsMasterKeyId":
		return a.kmsKey
	case "KmsDataKeyReusePeriodSeconds":
		if a.kmsKey == "" {
			return ""
		}
		return strconv.Itoa(a.kmsReuse)
	case "SqsManagedSseEnabled":
		return strconv.FormatBool(a.sseManaged)
	case "RedrivePolicy":
		return a.redriveRaw
	case "RedriveAllowPolicy":
		return a.allowRaw
	case "FifoQueue":
		if fifo {
			return "true"
		}
	case "ContentBasedDeduplication":
		if fifo {
			return strconv.FormatBool(a.contentDedup)
		}
	case "DeduplicationScope":
		if fifo {
			return a.dedupScope
		}
	case "FifoThroughputLimit":
		if fifo {
			return a.throughputLimit
		}
	}
	return ""
}

// GetQueueAttributes answers the named attributes ("All" for every one). Unset attributes are
// left out; an unknown name is InvalidAttributeName.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
func (m *Model) GetQueueAttributes(name string, names []string) (map[string]string, error) {
	for _, n := range names {
		if n != "All" && !contains(attributeNames, n) {
			return nil, errorf(CodeInvalidAttributeName, "Unknown Attribute %s.", n)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return nil, err
	}
	now := m.now()
	q.sweep(now)
	want := names
	if contains(names, "All") {
		want = attributeNames
	}
	out := make(map[string]string, len(want))
	for _, n := range want {
		var v string
		switch n {
		case "ApproximateNumberOfMessages":
			v = strconv.Itoa(q.nVisible)
		case "ApproximateNumberOfMessagesNotVisible":
			v = strconv.Itoa(q.nInflight)
		case "ApproximateNumberOfMessagesDelayed":
			v = strconv.Itoa(q.nDelayed)
		case "CreatedTimestamp":
			v = strconv.FormatInt(q.created.Unix(), 10)
		case "LastModifiedTimestamp":
			v = strconv.FormatInt(q.modified.Unix(), 10)
		case "QueueArn":
			v = q.arn
		default:
			if fifoOnly[n] && !q.fifo {
				continue
			}
			v = formatAttr(q.attrs, n, q.fifo)
		}
		if v != "" {
			out[n] = v
		}
	}
	return out, nil
}

// SetQueueAttributes changes attributes; all are checked before any changes.
func (m *Model) SetQueueAttributes(name string, attrs map[string]string) error {
	if len(attrs) == 0 {
		return missing("Attribute.1.Name")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.queue(name)
	if err != nil {
		return err
	}
	a, perr := m.parseAttributes(q.attrs, name, q.fifo, attrs, false)
	if perr != nil {
		return perr
	}
	q.attrs = a
	q.modified = m.now()
	q.armed = true
	q.wake()
	return nil
}
