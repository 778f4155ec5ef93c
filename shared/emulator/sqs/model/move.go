package model

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Message move task statuses.
const (
	TaskRunning    = "RUNNING"
	TaskCompleted  = "COMPLETED"
	TaskCancelling = "CANCELLING"
	TaskCancelled  = "CANCELLED"
	TaskFailed     = "FAILED"
)

// MoveTask is a message move task as ListMessageMoveTasks answers it.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasksResultEntry.html
type MoveTask struct {
	TaskHandle     string // only while RUNNING
	Status         string
	SourceARN      string
	DestinationARN string // "" when messages go back to their source queues
	// MaxPerSecond is the requested rate (0: unset, the emulator then moves everything at once).
	MaxPerSecond  int
	Moved, ToMove int64
	FailureReason string
	Started       time.Time
}

type moveTask struct {
	MoveTask
	id, handle string
	seq        int
}

// StartMessageMoveTask starts moving the messages of a dead-letter queue back to their source
// queues, or to destinationARN, at up to maxPerSecond messages a second (1–500; 0 for as fast
// as possible). The messages to move are those visible when the task starts.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
func (m *Model) StartMessageMoveTask(sourceARN, destinationARN string, maxPerSecond int) (string, error) {
	if sourceARN == "" {
		return "", missing("SourceArn")
	}
	if maxPerSecond < 0 || maxPerSecond > 500 {
		return "", invalidValue("MaxNumberOfMessagesPerSecond", maxPerSecond, "Must be between 1 and 500, if provided.")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	src := m.byARN(sourceARN)
	if src == nil {
		return "", errorf(CodeResourceNotFound, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	isDLQ := false
	for _, q := range m.queues {
		if q.attrs.redrive != nil && q.attrs.redrive.target == sourceARN {
			isDLQ = true
			break
		}
	}
	if !isDLQ {
		return "", invalidValue("SourceArn", sourceARN, "Source queue must be configured as a Dead Letter Queue.")
	}
	if destinationARN != "" && m.byARN(destinationARN) == nil {
		return "", errorf(CodeResourceNotFound, "The resource that you specified for the DestinationArn parameter doesn't exist.")
	}
	for _, t := range m.tasks {
		if t.SourceARN == sourceARN && t.Status == TaskRunning {
			return "", errorf(CodeUnsupportedOperation, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	now := m.now()
	src.sweep(now)
	t := &moveTask{id: newUUID(), seq: len(m.tasks)}
	t.Status, t.SourceARN, t.DestinationARN, t.MaxPerSecond = TaskRunning, sourceARN, destinationARN, maxPerSecond
	t.ToMove, t.Started = int64(src.nVisible), now
	b, _ := json.Marshal(map[string]string{"taskId": t.id, "sourceArn": sourceARN})
	t.handle = base64.StdEncoding.EncodeToString(b)
	t.TaskHandle = t.handle
	m.tasks[t.id] = t
	m.stepTask(t, now)
	return t.handle, nil
}

func (m *Model) byARN(arn string) *queue {
	name, ok := m.NameOfARN(arn)
	if !ok {
		return nil
	}
	return m.queues[name]
}

// stepTask moves one second's worth of messages; the caller holds m.mu.
func (m *Model) stepTask(t *moveTask, now time.Time) {
	if t.Status != TaskRunning {
		return
	}
	src := m.byARN(t.SourceARN)
	if src == nil {
		t.Status, t.FailureReason, t.TaskHandle = TaskFailed, "AWS.SimpleQueueService.NonExistentQueue", ""
		return
	}
	src.sweep(now)
	budget := t.ToMove - t.Moved
	if t.MaxPerSecond > 0 && int64(t.MaxPerSecond) < budget {
		budget = int64(t.MaxPerSecond)
	}
	for ; budget > 0; budget-- {
		msg := src.firstVisible()
		if msg == nil {
			break
		}
		dst := m.byARN(t.DestinationARN)
		if t.DestinationARN == "" {
			dst = m.byARN(msg.deadLetterSource)
		}
		if dst == nil {
			t.Status, t.TaskHandle = TaskFailed, ""
			t.FailureReason = "AWS.SimpleQueueService.NonExistentQueue"
			return
		}
		m.moveTo(src, msg, dst, now, "", true)
		t.Moved++
	}
	if t.Moved >= t.ToMove || src.firstVisible() == nil {
		t.Status, t.TaskHandle = TaskCompleted, ""
		return
	}
	if m.closed {
		return
	}
	m.stops = append(m.stops, sim.AfterFunc(m.clock, time.Second, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.stepTask(t, m.now())
	}))
}

// firstVisible is the next message a move task takes.
func (q *queue) firstVisible() *message {
	if !q.fifo {
		return q.ready.head
	}
	for _, g := range q.groupOrder {
		if !g.dead && g.inflight == 0 && len(g.msgs) > 0 && g.msgs[0].state == stateVisible {
			return g.msgs[0]
		}
	}
	return nil
}

// CancelMessageMoveTask cancels a running task and returns how many messages it moved.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CancelMessageMoveTask.html
func (m *Model) CancelMessageMoveTask(handle string) (int64, error) {
	if handle == "" {
		return 0, missing("TaskHandle")
	}
	var key struct {
		TaskID string `json:"taskId"`
	}
	b, err := base64.StdEncoding.DecodeString(handle)
	if err == nil {
		err = json.Unmarshal(b, &key)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tasks[key.TaskID]
	if err != nil || t == nil || t.Status != TaskRunning {
		return 0, errorf(CodeResourceNotFound, "Task does not exist or is not running.")
	}
	t.Status, t.TaskHandle = TaskCancelled, ""
	return t.Moved, nil
}

// ListMessageMoveTasks lists a source queue's most recent tasks, newest first (max 1–10; 0 is 1).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html
func (m *Model) ListMessageMoveTasks(sourceARN string, max int) ([]MoveTask, error) {
	if sourceARN == "" {
		return nil, missing("SourceArn")
	}
	if max == 0 {
		max = 1
	}
	if max < 1 || max > 10 {
		return nil, invalidValue("MaxResults", strconv.Itoa(max), "Must be between 1 and 10, if provided.")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byARN(sourceARN) == nil {
		return nil, errorf(CodeResourceNotFound, "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	var ts []*moveTask
	for _, t := range m.tasks {
		if t.SourceARN == sourceARN {
			ts = append(ts, t)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].seq > ts[j].seq })
	var out []MoveTask
	for _, t := range ts {
		if len(out) == max {
			break
		}
		out = append(out, t.MoveTask)
	}
	return out, nil
}
