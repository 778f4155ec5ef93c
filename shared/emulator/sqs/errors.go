package sqs

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// wireError is how one model error code goes on the wire: its HTTP status, its JSON __type
// (the SQS API's error shape, or the generic service shape for errors SQS shares with every
// query service) and its query-protocol code, which the JSON protocol also sends in the
// x-amzn-query-error header for SDKs that predate the JSON protocol.
// Codes and statuses: the SQS API model (aws-sdk-go-v2 service/sqs schemas) and
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
type wireError struct {
	status   int
	jsonType string
	query    string
}

var wireErrors = map[string]wireError{
	model.CodeQueueDoesNotExist:        {400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"},
	model.CodeQueueNameExists:          {400, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists"},
	model.CodeQueueDeletedRecently:     {400, "com.amazonaws.sqs#QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently"},
	model.CodeInvalidParameterValue:    {400, "com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue"},
	model.CodeMissingParameter:         {400, "com.amazon.coral.service#MissingParameterException", "MissingParameter"},
	model.CodeInvalidAttributeName:     {400, "com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName"},
	model.CodeInvalidAttributeValue:    {400, "com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue"},
	model.CodeInvalidMessageContents:   {400, "com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents"},
	model.CodeReceiptHandleIsInvalid:   {404, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"},
	model.CodeMessageNotInflight:       {400, "com.amazonaws.sqs#MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"},
	model.CodeBatchEntryIdsNotDistinct: {400, "com.amazonaws.sqs#BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
	model.CodeTooManyEntries:           {400, "com.amazonaws.sqs#TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
	model.CodeEmptyBatchRequest:        {400, "com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"},
	model.CodeInvalidBatchEntryID:      {400, "com.amazonaws.sqs#InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"},
	model.CodeBatchRequestTooLong:      {400, "com.amazonaws.sqs#BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong"},
	model.CodeOverLimit:                {403, "com.amazonaws.sqs#OverLimit", "OverLimit"},
	model.CodePurgeQueueInProgress:     {403, "com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress"},
	model.CodeResourceNotFound:         {404, "com.amazonaws.sqs#ResourceNotFoundException", "ResourceNotFoundException"},
	model.CodeUnsupportedOperation:     {400, "com.amazonaws.sqs#UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation"},
	codeInvalidAddress:                 {404, "com.amazonaws.sqs#InvalidAddress", "InvalidAddress"},
	codeInternal:                       {500, "com.amazonaws.sqs#InternalError", "InternalError"},
	codeInvalidAction:                  {400, "com.amazon.coral.service#InvalidActionException", "InvalidAction"},
}

const (
	codeInvalidAddress = "InvalidAddress"
	codeInternal       = "InternalError"
	codeInvalidAction  = "InvalidAction"
)

// queryCodes maps a JSON __type back to its query code.
var queryCodes = func() map[string]string {
	m := make(map[string]string, len(wireErrors))
	for _, w := range wireErrors {
		m[w.jsonType] = w.query
	}
	return m
}()

func newError(code, message string) *sim.APIError {
	w, ok := wireErrors[code]
	if !ok {
		return &sim.APIError{Status: http.StatusBadRequest, Code: code, Message: message, Sender: true}
	}
	return &sim.APIError{Status: w.status, Code: w.jsonType, Message: message, Sender: w.status < 500}
}

// apiError turns any error of a handler into the API error to answer with.
func apiError(err error) *sim.APIError {
	var me *model.Error
	switch {
	case errors.As(err, &me):
		return newError(me.Code, me.Message)
	case errors.Is(err, sim.ErrInjected):
		return newError(codeInternal, "We encountered an internal error. Please try again. (fault injected)")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return awsjson.AsAPIError(err)
	}
	return awsjson.AsAPIError(err)
}

// queryCode is an API error's query-protocol code.
func queryCode(e *sim.APIError) string {
	if q, ok := queryCodes[e.Code]; ok {
		return q
	}
	code := e.Code
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}

func faultType(e *sim.APIError) string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// batchCode is the code a batch answer's failed entry carries (the query code, as on AWS).
func batchCode(code string) string {
	if w, ok := wireErrors[code]; ok {
		return w.query
	}
	return code
}
