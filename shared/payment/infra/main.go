// Command infra is the CDK app of the payment provider for AWS runs: the provider that stages from
// 02-split on call, deployed as one Lambda function behind a function URL. The CDK CLI runs it
// from shared/payment (see ../cdk.json); `make deploy-provider` does, and `make deploy` does it
// first for every stage whose stack takes the provider's URL.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewStack(app, StackName, &StackProps{ProviderDir: "."})
	app.Synth(nil)
}
