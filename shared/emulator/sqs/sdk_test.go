package sqs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SDK checks MD5OfMessageBody and MD5OfBody itself, so every send and receive below also
// checks the digests. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
func TestSDKMessageLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.createQueue(t, "orders", map[string]string{"VisibilityTimeout": "10"})

	sent, err := f.client.SendMessage(ctx, &awssqs.SendMessageInput{
		QueueUrl: &u, MessageBody: aws.String("croissant"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"qty":  {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob": {DataType: aws.String("Binary.gz"), BinaryValue: []byte{0, 1, 2}},
		},
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(sent.MessageId))
	assert.Len(t, aws.ToString(sent.MD5OfMessageAttributes), 32)
	assert.Len(t, aws.ToString(sent.MD5OfMessageSystemAttributes), 32)

	got, err := f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
		QueueUrl: &u, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	msg := got.Messages[0]
	assert.Equal(t, "croissant", aws.ToString(msg.Body))
	assert.Equal(t, aws.ToString(sent.MD5OfMessageAttributes), aws.ToString(msg.MD5OfMessageAttributes))
	assert.Equal(t, []byte{0, 1, 2}, msg.MessageAttributes["blob"].BinaryValue)
	assert.Equal(t, "3", aws.ToString(msg.MessageAttributes["qty"].StringValue))
	assert.Equal(t, "1", msg.Attributes["ApproximateReceiveCount"])
	assert.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793", msg.Attributes["AWSTraceHeader"])

	_, err = f.client.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: &u, ReceiptHandle: msg.ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)
	got, err = f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &u, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	assert.Equal(t, "2", got.Messages[0].Attributes["ApproximateReceiveCount"])

	_, err = f.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: &u, ReceiptHandle: got.Messages[0].ReceiptHandle})
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	got, err = f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &u})
	require.NoError(t, err)
	assert.Empty(t, got.Messages)

	snap := f.env.Metrics.Resource("sqs", "orders").Snapshot()
	assert.Equal(t, int64(1), snap.Counters["NumberOfMessagesSent"])
	assert.Equal(t, int64(2), snap.Counters["NumberOfMessagesReceived"])
	assert.Equal(t, int64(1), snap.Counters["NumberOfMessagesDeleted"])
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
func TestSDKBatches(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.createQueue(t, "batch", nil)
	out, err := f.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: &u, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two"), DelaySeconds: 1},
		{Id: aws.String("c"), MessageBody: aws.String("bad \x01")},
	}})
	require.NoError(t, err)
	assert.Len(t, out.Successful, 2)
	require.Len(t, out.Failed, 1)
	assert.Equal(t, "c", aws.ToString(out.Failed[0].Id))
	assert.Equal(t, "InvalidMessageContents", aws.ToString(out.Failed[0].Code))
	assert.True(t, out.Failed[0].SenderFault)

	f.clock.Advance(time.Second)
	got, err := f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &u, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 2)

	vis, err := f.client.ChangeMessageVisibilityBatch(ctx, &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: &u, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 100},
		{Id: aws.String("y"), ReceiptHandle: aws.String("bogus"), VisibilityTimeout: 100},
	}})
	require.NoError(t, err)
	assert.Len(t, vis.Successful, 1)
	require.Len(t, vis.Failed, 1)
	assert.Equal(t, "ReceiptHandleIsInvalid", aws.ToString(vis.Failed[0].Code))

	del, err := f.client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: &u, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("1"), ReceiptHandle: got.Messages[0].ReceiptHandle},
		{Id: aws.String("2"), ReceiptHandle: got.Messages[1].ReceiptHandle},
	}})
	require.NoError(t, err)
	assert.Len(t, del.Successful, 2)
	assert.Empty(t, del.Failed)
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
func TestSDKQueueManagement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	created, err := f.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("jobs.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}, Tags: map[string]string{"team": "bakery"}})
	require.NoError(t, err)
	u := aws.ToString(created.QueueUrl)
	assert.Equal(t, f.server.URL+"/000000000000/jobs.fifo", u, "the URL takes the request's host")
	for _, n := range []string{"a-1", "a-2", "b-1"} {
		f.createQueue(t, n, nil)
	}

	byName, err := f.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("jobs.fifo")})
	require.NoError(t, err)
	assert.Equal(t, u, aws.ToString(byName.QueueUrl))

	attrs, err := f.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: &u, AttributeNames: []types.QueueAttributeName{"All"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesDelayed": "0", "ApproximateNumberOfMessagesNotVisible": "0",
		"ContentBasedDeduplication": "true", "CreatedTimestamp": "1767323045", "DeduplicationScope": "queue", "DelaySeconds": "0",
		"FifoQueue": "true", "FifoThroughputLimit": "perQueue", "LastModifiedTimestamp": "1767323045", "MaximumMessageSize": "1048576",
		"MessageRetentionPeriod": "345600", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:jobs.fifo", "ReceiveMessageWaitTimeSeconds": "0",
		"SqsManagedSseEnabled": "true", "VisibilityTimeout": "30",
	}, attrs.Attributes)

	_, err = f.client.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: &u, Attributes: map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"}})
	require.NoError(t, err)
	attrs, err = f.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: &u, AttributeNames: []types.QueueAttributeName{"VisibilityTimeout", "DelaySeconds"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"}, attrs.Attributes)

	_, err = f.client.TagQueue(ctx, &awssqs.TagQueueInput{QueueUrl: &u, Tags: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	_, err = f.client.UntagQueue(ctx, &awssqs.UntagQueueInput{QueueUrl: &u, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := f.client.ListQueueTags(ctx, &awssqs.ListQueueTagsInput{QueueUrl: &u})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev"}, tags.Tags)

	list, err := f.client.ListQueues(ctx, &awssqs.ListQueuesInput{QueueNamePrefix: aws.String("a-")})
	require.NoError(t, err)
	assert.Equal(t, []string{f.server.URL + "/000000000000/a-1", f.server.URL + "/000000000000/a-2"}, list.QueueUrls)
	var pages [][]string
	p := awssqs.NewListQueuesPaginator(f.client, &awssqs.ListQueuesInput{MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages = append(pages, page.QueueUrls)
	}
	require.Len(t, pages, 2)
	assert.Len(t, pages[0], 3)
	assert.Len(t, pages[1], 1)

	_, err = f.client.PurgeQueue(ctx, &awssqs.PurgeQueueInput{QueueUrl: &u})
	require.NoError(t, err)
	_, err = f.client.DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: &u})
	require.NoError(t, err)
	_, err = f.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("jobs.fifo")})
	var missing *types.QueueDoesNotExist
	assert.ErrorAs(t, err, &missing)
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListDeadLetterSourceQueues.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html
func TestSDKDeadLetterAndMoveTasks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dlq := f.createQueue(t, "dlq", nil)
	dlqARN := "arn:aws:sqs:us-east-1:000000000000:dlq"
	src := f.createQueue(t, "src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`, "VisibilityTimeout": "1"})
	_, err := f.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("x")})
	require.NoError(t, err)
	_, err = f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &src})
	require.NoError(t, err)
	f.clock.Advance(time.Second)
	got, err := f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &src})
	require.NoError(t, err)
	assert.Empty(t, got.Messages, "moved to the dead-letter queue")

	sources, err := f.client.ListDeadLetterSourceQueues(ctx, &awssqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	require.NoError(t, err)
	assert.Equal(t, []string{src}, sources.QueueUrls)

	started, err := f.client.StartMessageMoveTask(ctx, &awssqs.StartMessageMoveTaskInput{SourceArn: &dlqARN})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(started.TaskHandle))
	tasks, err := f.client.ListMessageMoveTasks(ctx, &awssqs.ListMessageMoveTasksInput{SourceArn: &dlqARN})
	require.NoError(t, err)
	require.Len(t, tasks.Results, 1)
	assert.Equal(t, "COMPLETED", aws.ToString(tasks.Results[0].Status))
	assert.Equal(t, int64(1), tasks.Results[0].ApproximateNumberOfMessagesMoved)
	assert.Equal(t, epoch.Add(time.Second).UnixMilli(), tasks.Results[0].StartedTimestamp)

	_, err = f.client.CancelMessageMoveTask(ctx, &awssqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	var notFound *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &notFound, "a completed task cannot be cancelled")
}

// Errors carry AWS's codes: the SDK reads the query code from x-amzn-query-error.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
func TestSDKErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.createQueue(t, "q", nil)
	gone := strings.Replace(u, "/q", "/gone", 1)
	long := strings.Repeat("x", 1<<20+1)
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"non-existent queue", func() error {
			_, err := f.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: &gone, MessageBody: aws.String("x")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue", 400},
		{"message too long", func() error {
			_, err := f.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: &u, MessageBody: &long})
			return err
		}, "InvalidParameterValue", 400},
		{"duplicate batch id", func() error {
			_, err := f.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: &u, Entries: []types.SendMessageBatchRequestEntry{
				{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")}}})
			return err
		}, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
		{"empty batch", func() error {
			_, err := f.client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: &u, Entries: []types.DeleteMessageBatchRequestEntry{}})
			return err
		}, "AWS.SimpleQueueService.EmptyBatchRequest", 400},
		{"wrong receipt handle", func() error {
			_, err := f.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: &u, ReceiptHandle: aws.String("nonsense")})
			return err
		}, "ReceiptHandleIsInvalid", 404},
		{"queue exists with other attributes", func() error {
			_, err := f.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"DelaySeconds": "9"}})
			return err
		}, "QueueAlreadyExists", 400},
		{"unknown attribute", func() error {
			_, err := f.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: &u, AttributeNames: []types.QueueAttributeName{"Colour"}})
			return err
		}, "InvalidAttributeName", 400},
		{"too many messages asked", func() error {
			_, err := f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &u, MaxNumberOfMessages: 11})
			return err
		}, "InvalidParameterValue", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "got %v", err)
			assert.Equal(t, tt.code, apiErr.ErrorCode())
			var re interface{ HTTPStatusCode() int }
			require.True(t, errors.As(err, &re))
			assert.Equal(t, tt.status, re.HTTPStatusCode())
			st, err := f.svc.Stats("q")
			require.NoError(t, err)
			assert.Zero(t, st.Visible, "nothing was sent")
		})
	}
}

// Step Functions and EventBridge reach SendMessage through Env.Call with the JSON body.
func TestEnvCall(t *testing.T) {
	f := newFixture(t)
	f.createQueue(t, "q", nil)
	out, err := f.env.Call(context.Background(), "arn:aws:sqs:us-east-1:000000000000:q", "SendMessage",
		[]byte(`{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/000000000000/q","MessageBody":"hi"}`))
	require.NoError(t, err)
	assert.Contains(t, string(out), `"MD5OfMessageBody":"49f68a5c8493ec2c0bf489821c21fc3b"`)
	st, err := f.svc.Stats("q")
	require.NoError(t, err)
	assert.Equal(t, 1, st.Visible)
}
