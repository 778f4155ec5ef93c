package asl

import (
	"errors"
)

// Predefined error names of the States Language
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
const (
	ErrAll                          = "States.ALL"
	ErrHeartbeatTimeout             = "States.HeartbeatTimeout"
	ErrTimeout                      = "States.Timeout"
	ErrTaskFailed                   = "States.TaskFailed"
	ErrPermissions                  = "States.Permissions"
	ErrResultPathMatchFailure       = "States.ResultPathMatchFailure"
	ErrParameterPathFailure         = "States.ParameterPathFailure"
	ErrBranchFailed                 = "States.BranchFailed"
	ErrNoChoiceMatched              = "States.NoChoiceMatched"
	ErrIntrinsicFailure             = "States.IntrinsicFailure"
	ErrExceedToleratedFailure       = "States.ExceedToleratedFailureThreshold"
	ErrItemReaderFailed             = "States.ItemReaderFailed"
	ErrResultWriterFailed           = "States.ResultWriterFailed"
	ErrRuntime                      = "States.Runtime"
	ErrDataLimitExceeded            = "States.DataLimitExceeded"
	ErrQueryEvaluationError         = "States.QueryEvaluationError"
	ErrTaskFailedLegacyLambdaPrefix = "Lambda."
)

// Failure is an error with an ASL error name: what a Tasks implementation returns for a
// catchable failure, and what an execution fails with. Name is what Retry and Catch match in
// ErrorEquals.
type Failure struct {
	Name  string
	Cause string
}

func (f *Failure) Error() string {
	if f.Cause == "" {
		return f.Name
	}
	return f.Name + ": " + f.Cause
}

// asFailure turns any error into a Failure: a Failure as is, anything else as
// States.TaskFailed with the error text as cause, the way AWS reports a task whose
// integration failed without an error name.
func asFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Name: ErrTaskFailed, Cause: err.Error()}
}

// Errors of the task-token API, for the service to map to SendTask* errors.
var (
	// ErrTaskDoesNotExist answers a token that no execution waits on (TaskDoesNotExist).
	ErrTaskDoesNotExist = errors.New("task does not exist anymore")
	// ErrInvalidToken answers a token this package never issued (InvalidToken).
	ErrInvalidToken = errors.New("invalid token")
)
