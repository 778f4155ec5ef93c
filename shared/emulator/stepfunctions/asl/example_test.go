package asl_test

import (
	"context"
	"fmt"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// A service parses the definition once (CreateStateMachine), then runs executions with its
// task integrations, its clock and a listener that stores the history.
func Example() {
	m, err := asl.Parse([]byte(`{
	  "StartAt": "Bake",
	  "States": {
	    "Bake": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
	             "Parameters": {"FunctionName": "bake", "Payload.$": "$"},
	             "ResultSelector": {"loaves.$": "$.Payload.loaves"}, "ResultPath": "$.baked", "Next": "Done"},
	    "Done": {"Type": "Succeed"}
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	bake := asl.TasksFunc(func(_ context.Context, resource string, args any, _ string, _, _ time.Duration) (any, error) {
		return map[string]any{"Payload": map[string]any{"loaves": 12}}, nil
	})
	var history []string
	res, err := m.Run(context.Background(), []byte(`{"bread":"sourdough"}`), asl.RunOptions{
		ExecutionArn: "arn:aws:states:us-east-1:123456789012:execution:bakery:1",
		Tasks:        bake,
		Listener:     func(e asl.HistoryEvent) { history = append(history, e.Type) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, string(res.Output), res.Transitions)
	fmt.Println(history)
	// Output:
	// SUCCEEDED {"baked":{"loaves":12},"bread":"sourdough"} 2
	// [ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded]
}

// Parse answers an invalid definition with CreateStateMachine's InvalidDefinition message.
func ExampleParse_invalid() {
	_, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`))
	fmt.Println(err)
	// Output:
	// Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'
}
