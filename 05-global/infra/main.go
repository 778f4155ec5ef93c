// Command infra is the CDK app of the 2025 global shop: the 2024 system deployed to two regions,
// one stack per region, sharing the orders, catalog, stock and sales through DynamoDB global
// tables. The CDK CLI runs it from the stage directory (see ../cdk.json).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewStacks(app, ".")
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
}
