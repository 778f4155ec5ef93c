package asl

import "time"

// HistoryEvent is one event of an execution's history, with the fields and JSON names of
// GetExecutionHistory's HistoryEvent
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
// Exactly one details field is set, matching Type; payloads are JSON text as in the API.
type HistoryEvent struct {
	Timestamp       time.Time `json:"timestamp"`
	Type            string    `json:"type"`
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`

	ExecutionStartedEventDetails      *ExecutionStartedEventDetails   `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails    *ExecutionSucceededEventDetails `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails       *ErrorEventDetails              `json:"executionFailedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails     *ErrorEventDetails              `json:"executionTimedOutEventDetails,omitempty"`
	ExecutionAbortedEventDetails      *ErrorEventDetails              `json:"executionAbortedEventDetails,omitempty"`
	StateEnteredEventDetails          *StateEnteredEventDetails       `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails           *StateExitedEventDetails        `json:"stateExitedEventDetails,omitempty"`
	TaskScheduledEventDetails         *TaskScheduledEventDetails      `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails           *TaskStartedEventDetails        `json:"taskStartedEventDetails,omitempty"`
	TaskSubmittedEventDetails         *TaskSubmittedEventDetails      `json:"taskSubmittedEventDetails,omitempty"`
	TaskSucceededEventDetails         *TaskSucceededEventDetails      `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails            *TaskFailedEventDetails         `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails          *TaskFailedEventDetails         `json:"taskTimedOutEventDetails,omitempty"`
	MapStateStartedEventDetails       *MapStateStartedEventDetails    `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails   *MapIterationEventDetails       `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededEventDetails *MapIterationEventDetails       `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails    *MapIterationEventDetails       `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails   *MapIterationEventDetails       `json:"mapIterationAbortedEventDetails,omitempty"`
}

// Event types this package emits.
const (
	EventExecutionStarted       = "ExecutionStarted"
	EventExecutionSucceeded     = "ExecutionSucceeded"
	EventExecutionFailed        = "ExecutionFailed"
	EventExecutionTimedOut      = "ExecutionTimedOut"
	EventExecutionAborted       = "ExecutionAborted"
	EventTaskScheduled          = "TaskScheduled"
	EventTaskStarted            = "TaskStarted"
	EventTaskSubmitted          = "TaskSubmitted"
	EventTaskSucceeded          = "TaskSucceeded"
	EventTaskFailed             = "TaskFailed"
	EventTaskTimedOut           = "TaskTimedOut"
	EventParallelStateStarted   = "ParallelStateStarted"
	EventParallelStateSucceeded = "ParallelStateSucceeded"
	EventParallelStateFailed    = "ParallelStateFailed"
	EventParallelStateAborted   = "ParallelStateAborted"
	EventMapStateStarted        = "MapStateStarted"
	EventMapStateSucceeded      = "MapStateSucceeded"
	EventMapStateFailed         = "MapStateFailed"
	EventMapStateAborted        = "MapStateAborted"
	EventMapIterationStarted    = "MapIterationStarted"
	EventMapIterationSucceeded  = "MapIterationSucceeded"
	EventMapIterationFailed     = "MapIterationFailed"
	EventMapIterationAborted    = "MapIterationAborted"
	EventEvaluationFailed       = "EvaluationFailed"
	// State entered and exited events are "<Type>StateEntered" and "<Type>StateExited",
	// e.g. PassStateEntered.
)

// ExecutionStartedEventDetails are the details of ExecutionStarted.
type ExecutionStartedEventDetails struct {
	Input   string `json:"input"`
	RoleArn string `json:"roleArn,omitempty"`
}

// ExecutionSucceededEventDetails are the details of ExecutionSucceeded.
type ExecutionSucceededEventDetails struct {
	Output string `json:"output"`
}

// ErrorEventDetails are the details of ExecutionFailed, ExecutionTimedOut and ExecutionAborted.
type ErrorEventDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredEventDetails are the details of every <Type>StateEntered.
type StateEnteredEventDetails struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

// StateExitedEventDetails are the details of every <Type>StateExited. AssignedVariables maps
// each variable the state assigned to its value as JSON text.
type StateExitedEventDetails struct {
	Name              string            `json:"name"`
	Output            string            `json:"output"`
	AssignedVariables map[string]string `json:"assignedVariables,omitempty"`
}

// TaskScheduledEventDetails are the details of TaskScheduled.
type TaskScheduledEventDetails struct {
	ResourceType       string `json:"resourceType"`
	Resource           string `json:"resource"`
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   int64  `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64  `json:"heartbeatInSeconds,omitempty"`
}

// TaskStartedEventDetails are the details of TaskStarted.
type TaskStartedEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskSubmittedEventDetails are the details of TaskSubmitted, emitted when a
// .waitForTaskToken task has been handed its token.
type TaskSubmittedEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Output       string `json:"output"`
}

// TaskSucceededEventDetails are the details of TaskSucceeded.
type TaskSucceededEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Output       string `json:"output"`
}

// TaskFailedEventDetails are the details of TaskFailed and TaskTimedOut.
type TaskFailedEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// MapStateStartedEventDetails are the details of MapStateStarted.
type MapStateStartedEventDetails struct {
	Length int `json:"length"`
}

// MapIterationEventDetails are the details of the MapIteration* events.
type MapIterationEventDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}
