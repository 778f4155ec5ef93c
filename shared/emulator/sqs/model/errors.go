package model

import "fmt"

// Error codes the model returns. They are the SQS API's error shape names as the JSON protocol
// spells them; the wire layer maps each to its HTTP status and query-protocol code.
const (
	CodeQueueDoesNotExist        = "QueueDoesNotExist"
	CodeQueueNameExists          = "QueueNameExists"
	CodeQueueDeletedRecently     = "QueueDeletedRecently"
	CodeInvalidParameterValue    = "InvalidParameterValue"
	CodeMissingParameter         = "MissingParameter"
	CodeInvalidAttributeName     = "InvalidAttributeName"
	CodeInvalidAttributeValue    = "InvalidAttributeValue"
	CodeInvalidMessageContents   = "InvalidMessageContents"
	CodeReceiptHandleIsInvalid   = "ReceiptHandleIsInvalid"
	CodeMessageNotInflight       = "MessageNotInflight"
	CodeBatchEntryIdsNotDistinct = "BatchEntryIdsNotDistinct"
	CodeTooManyEntries           = "TooManyEntriesInBatchRequest"
	CodeEmptyBatchRequest        = "EmptyBatchRequest"
	CodeInvalidBatchEntryID      = "InvalidBatchEntryId"
	CodeBatchRequestTooLong      = "BatchRequestTooLong"
	CodeOverLimit                = "OverLimit"
	CodePurgeQueueInProgress     = "PurgeQueueInProgress"
	CodeResourceNotFound         = "ResourceNotFoundException"
	CodeUnsupportedOperation     = "UnsupportedOperation"
)

// Error is an SQS API error: a code above and AWS's message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func noQueue() *Error {
	return &Error{Code: CodeQueueDoesNotExist, Message: "The specified queue does not exist."}
}

func missing(param string) *Error {
	return errorf(CodeMissingParameter, "The request must contain the parameter %s.", param)
}

// invalidValue is AWS's message for a parameter whose value it rejects.
func invalidValue(param string, value any, reason string) *Error {
	return errorf(CodeInvalidParameterValue, "Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}
