package sqs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.createQueue(t, "orders", nil)
	t.Log(u)
	_, err := f.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: &u, MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{"a": {DataType: aws.String("String"), StringValue: aws.String("x")}}})
	require.NoError(t, err)
	out, err := f.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: &u, MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	require.NoError(t, err)
	t.Logf("%+v", out.Messages)
	_, err = f.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	t.Logf("%v", err)
	code, h, body := f.post(t, "/", "application/x-www-form-urlencoded", "", "Action=SendMessage&Version=2012-11-05&QueueUrl="+u+"&MessageBody=hi")
	t.Log(code, h, body)
	code, h, body = f.post(t, "/000000000000/nope", "application/x-www-form-urlencoded", "", "Action=SendMessage&Version=2012-11-05&MessageBody=hi")
	t.Log(code, h, body)
}
