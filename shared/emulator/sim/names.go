package sim

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// FunctionName is the Lambda function a reference names: a name ("order-api"), a qualified name
// ("order-api:$LATEST"), a partial ARN ("123456789012:function:order-api") or a full function
// ARN, qualified or not, as the Lambda API accepts them
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#lambda-Invoke-request-FunctionName).
func FunctionName(ref string) string {
	if a, err := arn.Parse(ref); err == nil {
		if rest, ok := strings.CutPrefix(a.Resource, "function:"); ok && a.Service == "lambda" {
			name, _, _ := strings.Cut(rest, ":")
			return name
		}
	}
	if _, after, ok := strings.Cut(ref, "function:"); ok {
		ref = after // a partial ARN
	}
	name, _, _ := strings.Cut(ref, ":")
	return name
}

// ARNResource is the resource part of an ARN (a queue's name in an SQS ARN), or ref itself when
// it is not an ARN.
func ARNResource(ref string) string {
	if a, err := arn.Parse(ref); err == nil {
		return a.Resource
	}
	return ref
}
