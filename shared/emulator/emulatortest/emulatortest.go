// Package emulatortest gives handler tests the emulator's own services, so that one engine
// answers in tests and in runs: DynamoDB returns an aws.Config whose SDK clients reach the
// emulator's DynamoDB in process, with the given tables created and no modelled latency.
//
// Limitations: only DynamoDB for now; the tables live as long as the test; the latency model is
// zero, so tests see the model's semantics (conditions, capacity, transactions), not its timing.
package emulatortest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// emptyStack is a template with nothing to emulate (a template needs one resource).
const emptyStack = `{"Resources": {"CDKMetadata": {"Type": "AWS::CDK::Metadata"}}}`

// DynamoDB starts an emulator with no stack, creates tables through the SDK and returns the
// aws.Config that reaches it. The emulator is closed when the test ends.
func DynamoDB(t testing.TB, tables ...*dynamodb.CreateTableInput) aws.Config {
	t.Helper()
	emu, err := emulator.New(emulator.Stage{Name: t.Name(), StackName: "Test", Template: []byte(emptyStack)},
		emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	cfg := emu.Config()
	db := dynamodb.NewFromConfig(cfg)
	for _, in := range tables {
		_, err := db.CreateTable(context.Background(), in)
		require.NoError(t, err, "create table %s", aws.ToString(in.TableName))
	}
	return cfg
}
