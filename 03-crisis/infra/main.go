// Command infra is the CDK app of the 2022 crisis: 42 Lambda functions that call each other
// synchronously, one shared DynamoDB table and a REST API in front. The CDK CLI runs it from the
// stage directory (see ../cdk.json).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewStack(app, StackName, &StackProps{StageDir: "."})
	app.Synth(nil)
}
