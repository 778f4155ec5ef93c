// Command infra is the CDK app of the 2024 refactor: ten functions, two state machines, an event
// bus, queues with dead-letter queues, a pipe, direct API Gateway integrations and an AppSync
// Events API. The CDK CLI runs it from the stage directory (see ../cdk.json).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewStack(app, StackName, &StackProps{StageDir: "."})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
}
