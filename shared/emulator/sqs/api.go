package sqs

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// The request and response shapes of the SQS API. json tags are the JSON protocol's member
// names; query tags are the query protocol's flattened element names ("Name,KeyName" for maps).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html

type attrValue struct {
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
	DataType    string  `json:"DataType"`
}

type queueURLInput struct {
	QueueUrl string `json:"QueueUrl"`
}

type createQueueInput struct {
	QueueName  string            `json:"QueueName"`
	Attributes map[string]string `json:"Attributes" query:"Attribute"`
	Tags       map[string]string `json:"tags" query:"Tag,Key"`
}

type queueURLOutput struct {
	QueueUrl string `json:"QueueUrl"`
}

type getQueueURLInput struct {
	QueueName              string `json:"QueueName"`
	QueueOwnerAWSAccountId string `json:"QueueOwnerAWSAccountId"`
}

type listQueuesInput struct {
	QueueNamePrefix string `json:"QueueNamePrefix"`
	MaxResults      *int   `json:"MaxResults"`
	NextToken       string `json:"NextToken"`
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty" query:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty"`
}

type listDLQSourcesInput struct {
	QueueUrl   string `json:"QueueUrl"`
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

type listDLQSourcesOutput struct {
	QueueUrls []string `json:"queueUrls" query:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty"`
}

type getQueueAttributesInput struct {
	QueueUrl       string   `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames" query:"AttributeName"`
}

type attributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty" query:"Attribute"`
}

type setQueueAttributesInput struct {
	QueueUrl   string            `json:"QueueUrl"`
	Attributes map[string]string `json:"Attributes" query:"Attribute"`
}

type tagQueueInput struct {
	QueueUrl string            `json:"QueueUrl"`
	Tags     map[string]string `json:"Tags" query:"Tag,Key"`
}

type untagQueueInput struct {
	QueueUrl string   `json:"QueueUrl"`
	TagKeys  []string `json:"TagKeys" query:"TagKey"`
}

type tagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty" query:"Tag,Key"`
}

type empty struct{}

type messageFields struct {
	MessageBody             string               `json:"MessageBody"`
	DelaySeconds            *int                 `json:"DelaySeconds"`
	MessageAttributes       map[string]attrValue `json:"MessageAttributes" query:"MessageAttribute"`
	MessageSystemAttributes map[string]attrValue `json:"MessageSystemAttributes" query:"MessageSystemAttribute"`
	MessageDeduplicationId  string               `json:"MessageDeduplicationId"`
	MessageGroupId          string               `json:"MessageGroupId"`
}

type sendMessageInput struct {
	QueueUrl string `json:"QueueUrl"`
	messageFields
}

type sendResult struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

type sendBatchEntry struct {
	Id string `json:"Id"`
	messageFields
}

type sendMessageBatchInput struct {
	QueueUrl string           `json:"QueueUrl"`
	Entries  []sendBatchEntry `json:"Entries" query:"SendMessageBatchRequestEntry"`
}

type sendBatchResultEntry struct {
	Id string `json:"Id"`
	sendResult
}

type batchErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type sendMessageBatchOutput struct {
	Successful []sendBatchResultEntry `json:"Successful" query:"SendMessageBatchResultEntry"`
	Failed     []batchErrorEntry      `json:"Failed" query:"BatchResultErrorEntry"`
}

type receiveMessageInput struct {
	QueueUrl                    string   `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames" query:"AttributeName"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames" query:"MessageSystemAttributeName"`
	MessageAttributeNames       []string `json:"MessageAttributeNames" query:"MessageAttributeName"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptId     string   `json:"ReceiveRequestAttemptId"`
}

type messageOut struct {
	MessageId              string               `json:"MessageId"`
	ReceiptHandle          string               `json:"ReceiptHandle"`
	MD5OfBody              string               `json:"MD5OfBody"`
	Body                   string               `json:"Body"`
	Attributes             map[string]string    `json:"Attributes,omitempty" query:"Attribute"`
	MD5OfMessageAttributes string               `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]attrValue `json:"MessageAttributes,omitempty" query:"MessageAttribute"`
}

type receiveMessageOutput struct {
	Messages []messageOut `json:"Messages,omitempty" query:"Message"`
}

type deleteMessageInput struct {
	QueueUrl      string `json:"QueueUrl"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

type handleBatchEntry struct {
	Id                string `json:"Id"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout"`
}

type deleteMessageBatchInput struct {
	QueueUrl string             `json:"QueueUrl"`
	Entries  []handleBatchEntry `json:"Entries" query:"DeleteMessageBatchRequestEntry"`
}

type idEntry struct {
	Id string `json:"Id"`
}

type deleteMessageBatchOutput struct {
	Successful []idEntry         `json:"Successful" query:"DeleteMessageBatchResultEntry"`
	Failed     []batchErrorEntry `json:"Failed" query:"BatchResultErrorEntry"`
}

type changeVisibilityInput struct {
	QueueUrl          string `json:"QueueUrl"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout"`
}

type changeVisibilityBatchInput struct {
	QueueUrl string             `json:"QueueUrl"`
	Entries  []handleBatchEntry `json:"Entries" query:"ChangeMessageVisibilityBatchRequestEntry"`
}

type changeVisibilityBatchOutput struct {
	Successful []idEntry         `json:"Successful" query:"ChangeMessageVisibilityBatchResultEntry"`
	Failed     []batchErrorEntry `json:"Failed" query:"BatchResultErrorEntry"`
}

type startMoveInput struct {
	SourceArn                    string `json:"SourceArn"`
	DestinationArn               string `json:"DestinationArn"`
	MaxNumberOfMessagesPerSecond *int   `json:"MaxNumberOfMessagesPerSecond"`
}

type taskHandleOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

type cancelMoveInput struct {
	TaskHandle string `json:"TaskHandle"`
}

type cancelMoveOutput struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

type listMovesInput struct {
	SourceArn  string `json:"SourceArn"`
	MaxResults *int   `json:"MaxResults"`
}

type moveTaskEntry struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove *int64 `json:"ApproximateNumberOfMessagesToMove,omitempty"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type listMovesOutput struct {
	Results []moveTaskEntry `json:"Results,omitempty" query:"ListMessageMoveTasksResultEntry"`
}

// Latency model components of the data-plane calls; control-plane calls wait nothing.
const (
	componentSend    = "sqs.SendMessage"
	componentReceive = "sqs.ReceiveMessage"
	componentDelete  = "sqs.DeleteMessage"
)

// handler is one operation, typed by its input.
type handler struct {
	newIn func() any
	run   func(s *Service, ctx context.Context, base string, in any) (any, error)
}

func op[I, O any](f func(s *Service, ctx context.Context, base string, in *I) (*O, error)) handler {
	return handler{
		newIn: func() any { return new(I) },
		run: func(s *Service, ctx context.Context, base string, in any) (any, error) {
			out, err := f(s, ctx, base, in.(*I))
			if err != nil {
				return nil, apiError(err)
			}
			return out, nil
		},
	}
}

var handlers = map[string]handler{
	"CreateQueue":                  op((*Service).createQueue),
	"GetQueueUrl":                  op((*Service).getQueueURL),
	"DeleteQueue":                  op((*Service).deleteQueue),
	"ListQueues":                   op((*Service).listQueues),
	"GetQueueAttributes":           op((*Service).getQueueAttributes),
	"SetQueueAttributes":           op((*Service).setQueueAttributes),
	"PurgeQueue":                   op((*Service).purgeQueue),
	"TagQueue":                     op((*Service).tagQueue),
	"UntagQueue":                   op((*Service).untagQueue),
	"ListQueueTags":                op((*Service).listQueueTags),
	"ListDeadLetterSourceQueues":   op((*Service).listDeadLetterSourceQueues),
	"SendMessage":                  op((*Service).sendMessage),
	"SendMessageBatch":             op((*Service).sendMessageBatch),
	"ReceiveMessage":               op((*Service).receiveMessage),
	"DeleteMessage":                op((*Service).deleteMessage),
	"DeleteMessageBatch":           op((*Service).deleteMessageBatch),
	"ChangeMessageVisibility":      op((*Service).changeVisibility),
	"ChangeMessageVisibilityBatch": op((*Service).changeVisibilityBatch),
	"StartMessageMoveTask":         op((*Service).startMoveTask),
	"CancelMessageMoveTask":        op((*Service).cancelMoveTask),
	"ListMessageMoveTasks":         op((*Service).listMoveTasks),
}

// begin does a call's bookkeeping; end must be called with the call's error.
func (s *Service) begin(ctx context.Context, queue, op, component string) (context.Context, func(error), error) {
	if component != "" && (s.env.Latency == nil || !s.env.Latency.Has(component)) {
		component = "" // the latency model has no entry for it yet
	}
	ctx, hop, err := s.env.Begin(ctx, sim.NewID("sqs", queue), op, component)
	end := func(err error) { hop.End(sim.OutcomeOf(err)) }
	if err != nil {
		end(err)
		return ctx, nil, err
	}
	return ctx, end, nil
}

// queueName resolves a queue URL, whatever its host: http(s)://<host>/<account>/<name>.
func (s *Service) queueName(queueURL string) (string, error) {
	if queueURL == "" {
		return "", newError(model.CodeMissingParameter, "The request must contain the parameter QueueUrl.")
	}
	path := queueURL
	if u, err := url.Parse(queueURL); err == nil && u.Scheme != "" {
		path = u.Path
	}
	account, name, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", newError(codeInvalidAddress, "The address "+queueURL+" is not valid for this endpoint.")
	}
	if account != s.env.AccountID {
		return "", newError(model.CodeQueueDoesNotExist, "The specified queue does not exist.")
	}
	return name, nil
}

func (s *Service) url(base, name string) string { return base + "/" + s.env.AccountID + "/" + name }

func (s *Service) createQueue(ctx context.Context, base string, in *createQueueInput) (_ *queueURLOutput, err error) {
	_, end, err := s.begin(ctx, in.QueueName, "CreateQueue", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	if err = s.model.CreateQueue(in.QueueName, in.Attributes, in.Tags); err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: s.url(base, in.QueueName)}, nil
}

func (s *Service) getQueueURL(ctx context.Context, base string, in *getQueueURLInput) (_ *queueURLOutput, err error) {
	if in.QueueName == "" {
		return nil, newError(model.CodeMissingParameter, "The request must contain the parameter QueueName.")
	}
	_, end, err := s.begin(ctx, in.QueueName, "GetQueueUrl", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	if (in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.env.AccountID) || !s.model.Exists(in.QueueName) {
		return nil, newError(model.CodeQueueDoesNotExist, "The specified queue does not exist.")
	}
	return &queueURLOutput{QueueUrl: s.url(base, in.QueueName)}, nil
}

// onQueue runs f on the queue named by a QueueUrl, with the call's bookkeeping.
func (s *Service) onQueue(ctx context.Context, queueURL, op, component string, f func(ctx context.Context, name string) error) error {
	name, err := s.queueName(queueURL)
	if err != nil {
		return err
	}
	ctx, end, err := s.begin(ctx, name, op, component)
	if err != nil {
		return err
	}
	err = f(ctx, name)
	end(err)
	return err
}

func (s *Service) deleteQueue(ctx context.Context, _ string, in *queueURLInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "DeleteQueue", "", func(_ context.Context, name string) error {
		return s.model.DeleteQueue(name)
	})
}

func (s *Service) purgeQueue(ctx context.Context, _ string, in *queueURLInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "PurgeQueue", "", func(_ context.Context, name string) error {
		return s.model.PurgeQueue(name)
	})
}

func (s *Service) listQueues(ctx context.Context, base string, in *listQueuesInput) (_ *listQueuesOutput, err error) {
	_, end, err := s.begin(ctx, "", "ListQueues", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	max := 0
	if in.MaxResults != nil {
		if max = *in.MaxResults; max < 1 {
			return nil, newError(model.CodeInvalidParameterValue, "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.")
		}
	}
	names, next, err := s.model.ListQueues(in.QueueNamePrefix, max, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOutput{NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.url(base, n))
	}
	return out, nil
}

func (s *Service) listDeadLetterSourceQueues(ctx context.Context, base string, in *listDLQSourcesInput) (*listDLQSourcesOutput, error) {
	out := &listDLQSourcesOutput{QueueUrls: []string{}}
	err := s.onQueue(ctx, in.QueueUrl, "ListDeadLetterSourceQueues", "", func(_ context.Context, name string) error {
		max := 0
		if in.MaxResults != nil {
			if max = *in.MaxResults; max < 1 {
				return newError(model.CodeInvalidParameterValue, "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.")
			}
		}
		names, next, err := s.model.ListDeadLetterSourceQueues(name, max, in.NextToken)
		for _, n := range names {
			out.QueueUrls = append(out.QueueUrls, s.url(base, n))
		}
		out.NextToken = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) getQueueAttributes(ctx context.Context, _ string, in *getQueueAttributesInput) (*attributesOutput, error) {
	out := &attributesOutput{}
	err := s.onQueue(ctx, in.QueueUrl, "GetQueueAttributes", "", func(_ context.Context, name string) error {
		var err error
		out.Attributes, err = s.model.GetQueueAttributes(name, in.AttributeNames)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) setQueueAttributes(ctx context.Context, _ string, in *setQueueAttributesInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "SetQueueAttributes", "", func(_ context.Context, name string) error {
		return s.model.SetQueueAttributes(name, in.Attributes)
	})
}

func (s *Service) tagQueue(ctx context.Context, _ string, in *tagQueueInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "TagQueue", "", func(_ context.Context, name string) error {
		return s.model.TagQueue(name, in.Tags)
	})
}

func (s *Service) untagQueue(ctx context.Context, _ string, in *untagQueueInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "UntagQueue", "", func(_ context.Context, name string) error {
		return s.model.UntagQueue(name, in.TagKeys)
	})
}

func (s *Service) listQueueTags(ctx context.Context, _ string, in *queueURLInput) (*tagsOutput, error) {
	out := &tagsOutput{}
	err := s.onQueue(ctx, in.QueueUrl, "ListQueueTags", "", func(_ context.Context, name string) error {
		var err error
		out.Tags, err = s.model.Tags(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func toModelAttrs(in map[string]attrValue) map[string]model.MessageAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]model.MessageAttributeValue, len(in))
	for k, v := range in {
		mv := model.MessageAttributeValue{DataType: v.DataType, BinaryValue: v.BinaryValue}
		if v.StringValue != nil {
			mv.StringValue = *v.StringValue
		}
		out[k] = mv
	}
	return out
}

func fromModelAttrs(in map[string]model.MessageAttributeValue) map[string]attrValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]attrValue, len(in))
	for k, v := range in {
		av := attrValue{DataType: v.DataType, BinaryValue: v.BinaryValue}
		if v.BinaryValue == nil {
			sv := v.StringValue
			av.StringValue = &sv
		}
		out[k] = av
	}
	return out
}

func (f *messageFields) input() model.SendInput {
	return model.SendInput{
		Body: f.MessageBody, DelaySeconds: f.DelaySeconds, Attributes: toModelAttrs(f.MessageAttributes),
		SystemAttributes: toModelAttrs(f.MessageSystemAttributes), GroupID: f.MessageGroupId, DeduplicationID: f.MessageDeduplicationId,
	}
}

func fromSendResult(r model.SendResult) sendResult {
	return sendResult{
		MD5OfMessageBody: r.MD5OfBody, MD5OfMessageAttributes: r.MD5OfAttributes,
		MD5OfMessageSystemAttributes: r.MD5OfSystemAttributes, MessageId: r.MessageID, SequenceNumber: r.SequenceNumber,
	}
}

func (s *Service) sendMessage(ctx context.Context, _ string, in *sendMessageInput) (*sendResult, error) {
	var out sendResult
	err := s.onQueue(ctx, in.QueueUrl, "SendMessage", componentSend, func(_ context.Context, name string) error {
		r, err := s.model.Send(name, in.input())
		out = fromSendResult(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func failures(fs []model.BatchFailure) []batchErrorEntry {
	var out []batchErrorEntry
	for _, f := range fs {
		out = append(out, batchErrorEntry{Id: f.ID, SenderFault: f.SenderFault, Code: batchCode(f.Code), Message: f.Message})
	}
	return out
}

func (s *Service) sendMessageBatch(ctx context.Context, _ string, in *sendMessageBatchInput) (*sendMessageBatchOutput, error) {
	out := &sendMessageBatchOutput{Successful: []sendBatchResultEntry{}, Failed: []batchErrorEntry{}}
	err := s.onQueue(ctx, in.QueueUrl, "SendMessageBatch", componentSend, func(_ context.Context, name string) error {
		entries := make([]model.SendBatchEntry, len(in.Entries))
		for i := range in.Entries {
			entries[i] = model.SendBatchEntry{ID: in.Entries[i].Id, SendInput: in.Entries[i].input()}
		}
		ok, failed, err := s.model.SendBatch(name, entries)
		for _, r := range ok {
			out.Successful = append(out.Successful, sendBatchResultEntry{Id: r.ID, sendResult: fromSendResult(r.SendResult)})
		}
		out.Failed = append(out.Failed, failures(failed)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func seconds(p *int) *time.Duration {
	if p == nil {
		return nil
	}
	d := time.Duration(*p) * time.Second
	return &d
}

func (s *Service) receiveMessage(ctx context.Context, _ string, in *receiveMessageInput) (*receiveMessageOutput, error) {
	out := &receiveMessageOutput{}
	err := s.onQueue(ctx, in.QueueUrl, "ReceiveMessage", componentReceive, func(ctx context.Context, name string) error {
		ri := model.ReceiveInput{
			WaitTime: seconds(in.WaitTimeSeconds), VisibilityTimeout: seconds(in.VisibilityTimeout),
			AttributeNames:        append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...),
			MessageAttributeNames: in.MessageAttributeNames,
		}
		if in.MaxNumberOfMessages != nil {
			ri.MaxMessages = *in.MaxNumberOfMessages
			if ri.MaxMessages == 0 {
				ri.MaxMessages = -1 // explicit 0 is out of range, as on AWS
			}
		}
		msgs, err := s.model.Receive(ctx, name, ri)
		for _, m := range msgs {
			out.Messages = append(out.Messages, messageOut{
				MessageId: m.MessageID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody, Body: m.Body,
				Attributes: m.Attributes, MD5OfMessageAttributes: m.MD5OfMessageAttributes, MessageAttributes: fromModelAttrs(m.MessageAttributes),
			})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) deleteMessage(ctx context.Context, _ string, in *deleteMessageInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "DeleteMessage", componentDelete, func(_ context.Context, name string) error {
		return s.model.Delete(name, in.ReceiptHandle)
	})
}

func handleEntries(in []handleBatchEntry) []model.HandleEntry {
	out := make([]model.HandleEntry, len(in))
	for i, e := range in {
		out[i] = model.HandleEntry{ID: e.Id, ReceiptHandle: e.ReceiptHandle}
		if e.VisibilityTimeout != nil {
			out[i].VisibilityTimeout = time.Duration(*e.VisibilityTimeout) * time.Second
		}
	}
	return out
}

func ids(in []string) []idEntry {
	out := make([]idEntry, 0, len(in))
	for _, id := range in {
		out = append(out, idEntry{Id: id})
	}
	return out
}

func (s *Service) deleteMessageBatch(ctx context.Context, _ string, in *deleteMessageBatchInput) (*deleteMessageBatchOutput, error) {
	out := &deleteMessageBatchOutput{}
	err := s.onQueue(ctx, in.QueueUrl, "DeleteMessageBatch", componentDelete, func(_ context.Context, name string) error {
		ok, failed, err := s.model.DeleteBatch(name, handleEntries(in.Entries))
		out.Successful, out.Failed = ids(ok), failures(failed)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Failed == nil {
		out.Failed = []batchErrorEntry{}
	}
	return out, nil
}

func (s *Service) changeVisibility(ctx context.Context, _ string, in *changeVisibilityInput) (*empty, error) {
	return &empty{}, s.onQueue(ctx, in.QueueUrl, "ChangeMessageVisibility", componentDelete, func(_ context.Context, name string) error {
		if in.VisibilityTimeout == nil {
			return newError(model.CodeMissingParameter, "The request must contain the parameter VisibilityTimeout.")
		}
		return s.model.ChangeVisibility(name, in.ReceiptHandle, time.Duration(*in.VisibilityTimeout)*time.Second)
	})
}

func (s *Service) changeVisibilityBatch(ctx context.Context, _ string, in *changeVisibilityBatchInput) (*changeVisibilityBatchOutput, error) {
	out := &changeVisibilityBatchOutput{}
	err := s.onQueue(ctx, in.QueueUrl, "ChangeMessageVisibilityBatch", componentDelete, func(_ context.Context, name string) error {
		ok, failed, err := s.model.ChangeVisibilityBatch(name, handleEntries(in.Entries))
		out.Successful, out.Failed = ids(ok), failures(failed)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Failed == nil {
		out.Failed = []batchErrorEntry{}
	}
	return out, nil
}

func (s *Service) arnName(arn string) string {
	name, _ := s.model.NameOfARN(arn)
	return name
}

func (s *Service) startMoveTask(ctx context.Context, _ string, in *startMoveInput) (_ *taskHandleOutput, err error) {
	_, end, err := s.begin(ctx, s.arnName(in.SourceArn), "StartMessageMoveTask", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	rate := 0
	if in.MaxNumberOfMessagesPerSecond != nil {
		if rate = *in.MaxNumberOfMessagesPerSecond; rate < 1 {
			rate = -1
		}
	}
	h, err := s.model.StartMessageMoveTask(in.SourceArn, in.DestinationArn, rate)
	if err != nil {
		return nil, err
	}
	return &taskHandleOutput{TaskHandle: h}, nil
}

func (s *Service) cancelMoveTask(ctx context.Context, _ string, in *cancelMoveInput) (_ *cancelMoveOutput, err error) {
	_, end, err := s.begin(ctx, "", "CancelMessageMoveTask", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	n, err := s.model.CancelMessageMoveTask(in.TaskHandle)
	if err != nil {
		return nil, err
	}
	return &cancelMoveOutput{ApproximateNumberOfMessagesMoved: n}, nil
}

func (s *Service) listMoveTasks(ctx context.Context, _ string, in *listMovesInput) (_ *listMovesOutput, err error) {
	_, end, err := s.begin(ctx, s.arnName(in.SourceArn), "ListMessageMoveTasks", "")
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	max := 0
	if in.MaxResults != nil {
		if max = *in.MaxResults; max < 1 {
			max = -1
		}
	}
	tasks, err := s.model.ListMessageMoveTasks(in.SourceArn, max)
	if err != nil {
		return nil, err
	}
	out := &listMovesOutput{}
	for _, t := range tasks {
		e := moveTaskEntry{
			TaskHandle: t.TaskHandle, Status: t.Status, SourceArn: t.SourceARN, DestinationArn: t.DestinationARN,
			ApproximateNumberOfMessagesMoved: t.Moved, FailureReason: t.FailureReason, StartedTimestamp: t.Started.UnixMilli(),
		}
		if t.MaxPerSecond > 0 {
			r := t.MaxPerSecond
			e.MaxNumberOfMessagesPerSecond = &r
		}
		toMove := t.ToMove
		e.ApproximateNumberOfMessagesToMove = &toMove
		out.Results = append(out.Results, e)
	}
	return out, nil
}
