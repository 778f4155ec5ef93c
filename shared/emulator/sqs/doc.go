// Package sqs emulates Amazon SQS for the offline emulator: both wire protocols the SDKs and CLIs
// speak on one endpoint, queues provisioned from a stage's CloudFormation, and Env.Call for other
// emulated services.
//
// The package is split like moto: model/ holds queues and messages without net/http; api.go is
// the operations shared by both protocols; service.go routes and answers the AWS JSON protocol
// 1.0 (X-Amz-Target AmazonSQS.<Op>, as current SDKs, boto3 and the AWS CLI send it; errors carry
// "__type" and the x-amzn-query-error header that query-compatible SDKs read); query.go answers
// the query protocol (a form with Action and Version=2012-11-05, POSTed to / or to a queue URL,
// answered in XML as in the API reference's examples); resource.go provisions AWS::SQS::Queue
// and accepts AWS::SQS::QueuePolicy.
//
// Queue URLs are http(s)://<host>/<account>/<name> with the host the request came to
// (DefaultBaseURL for Ref and Env.Call); a QueueUrl resolves by its account and name on any
// host. Data-plane calls take the latency model's components "sqs.SendMessage", "sqs.ReceiveMessage" and
// "sqs.DeleteMessage" when the model has them, and none otherwise; control-plane calls take none.
// Counters per queue: NumberOfMessagesSent, NumberOfMessagesReceived, NumberOfMessagesDeleted,
// NumberOfEmptyReceives; gauges through Stats.
//
// Limitations: signatures and IAM are not checked; queue policies, KMS keys, AddPermission and
// RemovePermission are not supported (the latter two answer InvalidAction). Message attributes
// of the list types (StringListValues, BinaryListValues) are ignored, as SQS itself does not
// accept them. The JSON __type of the generic errors (InvalidParameterValue, MissingParameter)
// follows what AWS answers but no AWS page documents. See the model package for the semantics'
// limitations.
package sqs
