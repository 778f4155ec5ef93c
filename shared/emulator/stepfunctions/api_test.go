package stepfunctions_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

const passDef = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.r","End":true}}}`

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
func TestStateMachineLifecycle(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	arn := f.machine(t, "orders", "STANDARD", passDef)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:orders", arn)

	// Idempotent with the same definition; a different one is StateMachineAlreadyExists.
	again := f.machine(t, "orders", "STANDARD", passDef)
	assert.Equal(t, arn, again)
	_, err := f.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("orders"), RoleArn: aws.String(role),
		Definition: aws.String(`{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`)})
	assert.Equal(t, "StateMachineAlreadyExists", code(err))

	d, err := f.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "orders", aws.ToString(d.Name))
	assert.Equal(t, sfntypes.StateMachineTypeStandard, d.Type)
	assert.Equal(t, sfntypes.StateMachineStatusActive, d.Status)
	assert.Equal(t, passDef, aws.ToString(d.Definition))
	assert.Equal(t, sfntypes.LogLevelOff, d.LoggingConfiguration.Level)
	assert.False(t, d.CreationDate.IsZero())

	f.machine(t, "fast", "EXPRESS", passDef)
	l, err := f.sfn.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 1})
	require.NoError(t, err)
	require.Len(t, l.StateMachines, 1)
	assert.Equal(t, "fast", aws.ToString(l.StateMachines[0].Name))
	l2, err := f.sfn.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: l.NextToken})
	require.NoError(t, err)
	require.Len(t, l2.StateMachines, 1)
	assert.Equal(t, "orders", aws.ToString(l2.StateMachines[0].Name))

	newDef := `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`
	_, err = f.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(newDef)})
	require.NoError(t, err)
	d, err = f.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, newDef, aws.ToString(d.Definition))

	_, err = f.sfn.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = f.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	assert.Equal(t, "StateMachineDoesNotExist", code(err))
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors
func TestCreateStateMachineErrors(t *testing.T) {
	f := newFixture(t, options{})
	tests := []struct {
		name, smName, typ, def, role string
		code, contains               string
	}{
		{name: "unknown state type", smName: "a", def: `{"StartAt":"A","States":{"A":{"Type":"Bake","End":true}}}`, code: "InvalidDefinition", contains: "SCHEMA_VALIDATION_FAILED"},
		{name: "missing Next target", smName: "a", def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`, code: "InvalidDefinition", contains: "MISSING_TRANSITION_TARGET"},
		{name: "unreachable state", smName: "a", def: `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, code: "InvalidDefinition", contains: "UNREACHABLE_STATE"},
		{name: "bad JSONPath", smName: "a", def: `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.[","End":true}}}`, code: "InvalidDefinition", contains: "INVALID_JSON_PATH"},
		{name: "bad JSONata", smName: "a", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $x + %}","End":true}}}`, code: "InvalidDefinition", contains: "The JSONata expression '{% $x + %}' specified for the field 'Output' is invalid"},
		{name: "not JSON", smName: "a", def: `{`, code: "InvalidDefinition"},
		{name: "name with a space", smName: "a b", def: passDef, code: "InvalidName"},
		{name: "unknown type", smName: "a", typ: "FAST", def: passDef, code: "ValidationException"},
		{name: "bad role ARN", smName: "a", def: passDef, role: "role", code: "InvalidArn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.role
			if r == "" {
				r = role
			}
			_, err := f.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
				Name: aws.String(tt.smName), Definition: aws.String(tt.def), RoleArn: aws.String(r), Type: sfntypes.StateMachineType(tt.typ)})
			require.Error(t, err)
			assert.Equal(t, tt.code, code(err))
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
func TestStandardExecution(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	arn := f.machine(t, "orders", "STANDARD", passDef)
	st, err := f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("order-1"), Input: aws.String(`{"id":1}`)})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:orders:order-1", aws.ToString(st.ExecutionArn))
	d := f.wait(t, aws.ToString(st.ExecutionArn))
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, d.Status)
	jsonEq(t, `{"id":1,"r":{"ok":true}}`, aws.ToString(d.Output))
	assert.Equal(t, `{"id":1}`, aws.ToString(d.Input))
	assert.NotNil(t, d.StopDate)

	// A closed execution's name cannot be used again.
	_, err = f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("order-1"), Input: aws.String(`{"id":1}`)})
	assert.Equal(t, "ExecutionAlreadyExists", code(err))

	events := f.history(t, aws.ToString(st.ExecutionArn))
	var types []string
	for i, e := range events {
		types = append(types, string(e.Type))
		assert.Equal(t, int64(i+1), e.Id)
		assert.Equal(t, int64(i), e.PreviousEventId)
		assert.False(t, e.Timestamp.IsZero())
	}
	assert.Equal(t, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}, types)
	assert.Equal(t, `{"id":1}`, aws.ToString(events[0].ExecutionStartedEventDetails.Input))
	assert.Equal(t, "P", aws.ToString(events[1].StateEnteredEventDetails.Name))

	rev, err := f.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn, ReverseOrder: true, MaxResults: 2})
	require.NoError(t, err)
	require.Len(t, rev.Events, 2)
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionSucceeded, rev.Events[0].Type)
	require.NotNil(t, rev.NextToken)
	rest, err := f.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn, ReverseOrder: true, NextToken: rev.NextToken})
	require.NoError(t, err)
	assert.Len(t, rest.Events, 2)
	assert.Nil(t, rest.NextToken)

	_, err = f.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:orders:nope")})
	assert.Equal(t, "ExecutionDoesNotExist", code(err))
	_, err = f.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("nope")})
	assert.Equal(t, "InvalidArn", code(err))
	_, err = f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{`)})
	assert.Equal(t, "InvalidExecutionInput", code(err))
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func TestListAndStopExecutions(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	arn := f.machine(t, "slow", "STANDARD", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	quick := f.machine(t, "quick", "STANDARD", passDef)
	var running []string
	for range 2 {
		st, err := f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
		require.NoError(t, err)
		running = append(running, aws.ToString(st.ExecutionArn))
	}
	f.run(t, quick, `{}`)

	list, err := f.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: sfntypes.ExecutionStatusRunning})
	require.NoError(t, err)
	require.Len(t, list.Executions, 2)
	assert.Equal(t, running[1], aws.ToString(list.Executions[0].ExecutionArn), "newest first")

	_, err = f.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(running[0]), Error: aws.String("Cancelled"), Cause: aws.String("customer left")})
	require.NoError(t, err)
	d := f.wait(t, running[0])
	assert.Equal(t, sfntypes.ExecutionStatusAborted, d.Status)
	assert.Equal(t, "Cancelled", aws.ToString(d.Error))
	assert.Equal(t, "customer left", aws.ToString(d.Cause))
	events := f.history(t, running[0])
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionAborted, events[len(events)-1].Type)

	aborted, err := f.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: sfntypes.ExecutionStatusAborted})
	require.NoError(t, err)
	require.Len(t, aborted.Executions, 1)
	assert.Equal(t, running[0], aws.ToString(aborted.Executions[0].ExecutionArn))
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html
func TestStartSyncExecution(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	express := f.machine(t, "fast", "EXPRESS", passDef)
	failing := f.machine(t, "failing", "EXPRESS", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"OutOfFlour","Cause":"no flour"}}}`)
	standard := f.machine(t, "slow", "STANDARD", passDef)

	out := f.sync(t, express, `{"id":7}`)
	assert.Equal(t, sfntypes.SyncExecutionStatusSucceeded, out.Status)
	jsonEq(t, `{"id":7,"r":{"ok":true}}`, aws.ToString(out.Output))
	assert.Contains(t, aws.ToString(out.ExecutionArn), ":express:fast:")
	require.NotNil(t, out.BillingDetails)
	assert.Equal(t, int64(64), out.BillingDetails.BilledMemoryUsedInMB)
	assert.Equal(t, int64(100), out.BillingDetails.BilledDurationInMilliseconds)

	bad := f.sync(t, failing, `{}`)
	assert.Equal(t, sfntypes.SyncExecutionStatusFailed, bad.Status)
	assert.Equal(t, "OutOfFlour", aws.ToString(bad.Error))
	assert.Equal(t, "no flour", aws.ToString(bad.Cause))
	assert.Nil(t, bad.Output)

	_, err := f.sfn.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(standard)})
	assert.Equal(t, "StateMachineTypeNotSupported", code(err))

	// Express executions keep no history.
	_, err = f.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
	assert.Equal(t, "ExecutionDoesNotExist", code(err))
	_, err = f.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(express)})
	assert.Equal(t, "StateMachineTypeNotSupported", code(err))

	m := f.env.Metrics.Resource("states", "fast").Snapshot()
	assert.Equal(t, int64(1), m.Counters["ExecutionsSucceeded"])
	assert.Equal(t, int64(1), m.Counters["StateTransitions"])
	assert.Equal(t, int64(6400), m.Counters["ExpressBilledMBms"])
}

// Express executions end at five minutes
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html).
func TestExpressTimesOutAtFiveMinutes(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	f := newFixture(t, options{clock: clock})
	arn := f.machine(t, "long", "EXPRESS", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`)
	done := make(chan *sfn.StartSyncExecutionOutput, 1)
	go func() {
		out, err := f.sfn.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			done <- nil
			return
		}
		done <- out
	}()
	require.NoError(t, clock.WaitForTimers(context.Background(), 2))
	clock.Advance(5 * time.Minute)
	out := <-done
	require.NotNil(t, out)
	assert.Equal(t, sfntypes.SyncExecutionStatusTimedOut, out.Status)
	assert.Equal(t, "States.Timeout", aws.ToString(out.Error))
}

// StartExecution is throttled with a token bucket of 1,300 refilled at 300 per second for
// standard workflows, answered with ThrottlingException
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-api-action-throttling-general).
func TestStartExecutionThrottling(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	f := newFixture(t, options{clock: clock})
	arn := f.machine(t, "spiky", "STANDARD", passDef)
	start := func() error {
		_, err := f.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
		return err
	}
	for i := range 1300 {
		require.NoError(t, start(), "start %d within the burst", i)
	}
	err := start()
	require.Error(t, err)
	assert.Equal(t, "ThrottlingException", code(err))
	var re interface{ HTTPStatusCode() int }
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 400, re.HTTPStatusCode())

	clock.Advance(time.Second)
	for i := range 300 {
		require.NoError(t, start(), "start %d after one second's refill", i)
	}
	assert.Equal(t, "ThrottlingException", code(start()))
	m := f.env.Metrics.Resource("states", "spiky").Snapshot()
	assert.Equal(t, int64(2), m.Counters["ExecutionThrottled"])
	assert.Equal(t, int64(1600), m.Counters["ExecutionsStarted"])
}
