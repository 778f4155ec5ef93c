package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppression is a cdk-nag rule this stage accepts, and why.
type suppression struct{ id, reason string }

// stackSuppressions are the AwsSolutions findings the stage accepts everywhere, each with the
// reason a reviewer would want.
var stackSuppressions = []suppression{
	{"AwsSolutions-IAM4", "AWSLambdaBasicExecutionRole is AWS's minimal managed policy for writing a function's logs; a hand-copied policy would only drift from it."},
	{"AwsSolutions-IAM5", "The wildcards are the CDK grants' own: a table's index/* ARN, a queue's or a state machine's actions (sqs:*Message*, states:SendTask*), the nested workflows' states:SendTaskFailure on this account's and region's state machines (naming OrderLifecycle would be a cycle: it starts them; the task token is the capability), X-Ray segments and log delivery, which have no resource-level permissions; every statement is scoped to this stack's resources."},
	{"AwsSolutions-APIG1", "Access logging needs the account-wide API Gateway CloudWatch role, which a workshop stage must not change (CloudWatchRole false, as in 01-03); enable it per account (README, deploy notes)."},
	{"AwsSolutions-APIG6", "Execution logging needs the same account-wide CloudWatch role as access logging; X-Ray tracing is on instead."},
	{"AwsSolutions-APIG3", "A WAF web ACL costs a monthly fee per ACL and rule, out of proportion for a workshop; production puts the shop's WAF in front (README)."},
	{"AwsSolutions-APIG4", "The shop's customers order without an account, as in 01-03; /kitchen/ready needs the order's task token, a single-use capability only the kitchen's tablets receive."},
	{"AwsSolutions-COG4", "No Cognito user pool: customers order as guests (see APIG4)."},
	{"AwsSolutions-SQS3", "These queues are dead-letter queues themselves: of the work queues (redrive policies), of the Lambda failure destinations and of the EventBridge targets."},
	{"AwsSolutions-SF1", "The express workflows (PlaceOrder behind every POST; ChargeOrder, PrepareOrder and RecordReady nested in each order's lifecycle) log at ERROR: ALL would write every execution's history and cost more than the executions; OrderLifecycle, the order's audit trail, logs ALL."},
	{"AwsSolutions-DDB3", "Point-in-time recovery is on for every table."},
	{"AwsSolutions-ASC3", "No AppSync request logging: the L2 adds a LogRetention custom resource for it, an eleventh (Node.js) function; the channels carry order statuses only, and EventBridge keeps the events in its archive."},
}

// suppress applies the accepted findings to the stack.
func suppress(r *resources) {
	var s []*cdknag.NagPackSuppression
	for _, x := range stackSuppressions {
		s = append(s, &cdknag.NagPackSuppression{Id: jsii.String(x.id), Reason: jsii.String(x.reason)})
	}
	cdknag.NagSuppressions_AddStackSuppressions(r.stack, &s, nil)
}
