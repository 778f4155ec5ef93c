package model

import (
	"fmt"
	"strings"
)

// Namespaces of DynamoDB's error types as they appear in the wire "__type".
const (
	nsDynamoDB     = "com.amazonaws.dynamodb.v20120810"
	nsValidate     = "com.amazon.coral.validate"
	nsAvailability = "com.amazon.coral.availability"
	nsService      = "com.amazon.coral.service"
)

// Error codes the model returns.
const (
	CodeValidation          = "ValidationException"
	CodeResourceNotFound    = "ResourceNotFoundException"
	CodeResourceInUse       = "ResourceInUseException"
	CodeConditionalCheck    = "ConditionalCheckFailedException"
	CodeTransactionCanceled = "TransactionCanceledException"
	CodeThrottling          = "ThrottlingException"
	CodeProvisioned         = "ProvisionedThroughputExceededException"
	CodeInternal            = "InternalServerError"
	CodeSerialization       = "SerializationException"
	CodeUnknownOperation    = "UnknownOperationException"
	CodeIdempotentMismatch  = "IdempotentParameterMismatchException"
	CodeLimitExceeded       = "LimitExceededException"
	CodeTrimmedDataAccess   = "TrimmedDataAccessException"

	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
)

// Messages DynamoDB uses, quoted so that clients matching on them behave as on AWS.
const (
	// MsgOnDemandThrottle is what an on-demand table answers when a partition (or the table) is
	// over its throughput, with the code ThrottlingException.
	MsgOnDemandThrottle = "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
	// MsgProvisionedThrottle is a provisioned table's ProvisionedThroughputExceededException.
	MsgProvisionedThrottle = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
	// MsgProvisionedIndexThrottle is the same for a provisioned global secondary index.
	MsgProvisionedIndexThrottle = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API"
	msgConditionalFailed        = "The conditional request failed"
	msgNotFound                 = "Requested resource not found"
)

// Error is a DynamoDB API error, shaped for the wire by the api layer.
type Error struct {
	Code    string
	Message string
	// Item is the existing item of a failed condition with ReturnValuesOnConditionCheckFailure
	// ALL_OLD.
	Item Item
	// CancellationReasons explain a TransactionCanceledException, one per action.
	CancellationReasons []CancellationReason
	// ThrottlingReasons explain a throttle (the 2025 API addition).
	ThrottlingReasons []ThrottlingReason

	consumed *ConsumedCapacity // what a failed conditional write still consumed
}

// ConsumedCapacity returns what the failed request still consumed (a failed conditional write
// pays for the existing item's size).
func (e *Error) ConsumedCapacity() (ConsumedCapacity, bool) {
	if e.consumed == nil {
		return ConsumedCapacity{}, false
	}
	return *e.consumed, true
}

// CancellationReason is one action's outcome in a cancelled transaction.
type CancellationReason struct {
	Code    string
	Message string
	Item    Item
}

// ThrottlingReason says which limit throttled a request and the ARN it applies to.
type ThrottlingReason struct {
	Reason   string
	Resource string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Type is the wire "__type", namespace included.
func (e *Error) Type() string {
	switch e.Code {
	case CodeValidation:
		return nsValidate + "#" + e.Code
	case CodeThrottling:
		return nsAvailability + "#" + e.Code
	case CodeSerialization, CodeUnknownOperation, CodeMissingAuthenticationToken:
		return nsService + "#" + e.Code
	}
	return nsDynamoDB + "#" + e.Code
}

// Status is the HTTP status DynamoDB answers the error with.
func (e *Error) Status() int {
	if e.Code == CodeInternal {
		return 500
	}
	return 400
}

// Throttle reports whether the error is one of DynamoDB's throttling errors.
func (e *Error) Throttle() bool {
	return e.Code == CodeThrottling || e.Code == CodeProvisioned
}

func validation(format string, args ...any) *Error {
	return &Error{Code: CodeValidation, Message: fmt.Sprintf(format, args...)}
}

func notFound() *Error { return &Error{Code: CodeResourceNotFound, Message: msgNotFound} }

func tableNotFound(name string) *Error {
	return &Error{Code: CodeResourceNotFound, Message: "Requested resource not found: Table: " + name + " not found"}
}

// InternalError is DynamoDB's 500, used for injected faults.
func InternalError() *Error {
	return &Error{Code: CodeInternal, Message: "Internal server error"}
}

func transactionCanceled(reasons []CancellationReason) *Error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	return &Error{
		Code:                CodeTransactionCanceled,
		Message:             "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
		CancellationReasons: reasons,
	}
}
