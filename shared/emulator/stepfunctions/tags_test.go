package stepfunctions_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sfnTags(kv ...string) []sfntypes.Tag {
	var out []sfntypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, sfntypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func TestTagging(t *testing.T) {
	const missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
	many := make([]string, 0, 2*51)
	for i := range 51 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	type step struct {
		op       string // tag, untag, list
		arn      string // "" is the fixture's state machine
		tags     []string
		keys     []string
		wantCode string
		wantTags []string // after a successful list
	}
	cases := []struct {
		name, doc string
		steps     []step
	}{
		{"tags given at creation are listed, sorted by key",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListTagsForResource.html",
			[]step{{op: "list", wantTags: []string{"team", "bakery"}}}},
		{"TagResource adds and replaces values, UntagResource removes and ignores unknown keys",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html",
			[]step{
				{op: "tag", tags: []string{"team", "kitchen", "env", "dev"}},
				{op: "list", wantTags: []string{"env", "dev", "team", "kitchen"}},
				{op: "untag", keys: []string{"env", "absent"}},
				{op: "list", wantTags: []string{"team", "kitchen"}},
			}},
		{"a missing state machine is ResourceNotFound for each tagging call",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_UntagResource.html",
			[]step{
				{op: "list", arn: missing, wantCode: "ResourceNotFound"},
				{op: "tag", arn: missing, tags: []string{"a", "b"}, wantCode: "ResourceNotFound"},
				{op: "untag", arn: missing, keys: []string{"a"}, wantCode: "ResourceNotFound"},
			}},
		{"an ARN that is no state machine's or activity's is InvalidArn",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html",
			[]step{
				{op: "list", arn: "bogus", wantCode: "InvalidArn"},
				{op: "tag", arn: "arn:aws:sqs:us-east-1:123456789012:q", tags: []string{"a", "b"}, wantCode: "InvalidArn"},
			}},
		{"more than 50 tags is TooManyTags and changes nothing",
			"https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html",
			[]step{
				{op: "tag", tags: many, wantCode: "TooManyTags"},
				{op: "list", wantTags: []string{"team", "bakery"}},
			}},
		{"characters outside letters, digits, space and _ . : / = + - @ are refused",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html",
			[]step{{op: "tag", tags: []string{"a*b", "v"}, wantCode: "ValidationException"}}},
		{"a key longer than 128 characters is refused",
			"https://docs.aws.amazon.com/step-functions/latest/apireference/API_Tag.html",
			[]step{{op: "tag", tags: []string{strings.Repeat("k", 129), "v"}, wantCode: "ValidationException"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c.doc)
			f := newFixture(t, options{})
			ctx := context.Background()
			out, err := f.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("orders"), RoleArn: aws.String(role),
				Definition: aws.String(passDef), Tags: sfnTags("team", "bakery")})
			require.NoError(t, err)
			for i, s := range c.steps {
				target := s.arn
				if target == "" {
					target = aws.ToString(out.StateMachineArn)
				}
				var err error
				var got *sfn.ListTagsForResourceOutput
				switch s.op {
				case "tag":
					_, err = f.sfn.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(target), Tags: sfnTags(s.tags...)})
				case "untag":
					_, err = f.sfn.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: aws.String(target), TagKeys: s.keys})
				case "list":
					got, err = f.sfn.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(target)})
				}
				if s.wantCode != "" {
					assert.Equal(t, s.wantCode, code(err), "step %d", i)
					continue
				}
				require.NoError(t, err, "step %d", i)
				if got != nil {
					assert.Equal(t, sfnTags(s.wantTags...), got.Tags, "step %d", i)
				}
			}
		})
	}
}

func TestTagsSurviveUpdate(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html
	// changes the definition, not the state machine's tags.
	f := newFixture(t, options{})
	ctx := context.Background()
	smArn := f.machine(t, "orders", "STANDARD", passDef)
	_, err := f.sfn.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(smArn), Tags: sfnTags("a", "1")})
	require.NoError(t, err)
	_, err = f.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(smArn),
		Definition: aws.String(`{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`)})
	require.NoError(t, err)
	got, err := f.sfn.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(smArn)})
	require.NoError(t, err)
	assert.Equal(t, sfnTags("a", "1"), got.Tags)
}

func TestDescribeStateMachineForExecution(t *testing.T) {
	const doc = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html"
	f := newFixture(t, options{})
	ctx := context.Background()
	smArn := f.machine(t, "orders", "STANDARD", passDef)
	d := f.run(t, smArn, `{}`)
	newDef := `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`
	_, err := f.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(smArn), Definition: aws.String(newDef)})
	require.NoError(t, err)
	after := f.run(t, smArn, `{}`)

	cases := []struct {
		name, execArn, wantCode, wantDef string
	}{
		{"an execution started before an update answers the definition it ran", aws.ToString(d.ExecutionArn), "", passDef},
		{"one started after it answers the new definition", aws.ToString(after.ExecutionArn), "", newDef},
		{"a missing execution is ExecutionDoesNotExist", "arn:aws:states:us-east-1:123456789012:execution:orders:nope", "ExecutionDoesNotExist", ""},
		{"a state machine's ARN is InvalidArn", smArn, "InvalidArn", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(doc)
			out, err := f.sfn.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(c.execArn)})
			if c.wantCode != "" {
				assert.Equal(t, c.wantCode, code(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.wantDef, aws.ToString(out.Definition))
			assert.Equal(t, smArn, aws.ToString(out.StateMachineArn))
			assert.Equal(t, "orders", aws.ToString(out.Name))
			assert.Equal(t, role, aws.ToString(out.RoleArn))
			assert.False(t, out.UpdateDate.IsZero())
		})
	}
}

func TestCreateStateMachineTags(t *testing.T) {
	const doc = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"
	fifty := make([]string, 0, 2*51)
	for i := range 51 {
		fifty = append(fifty, fmt.Sprintf("k%d", i), "v")
	}
	cases := []struct {
		name     string
		tags     []string
		wantCode string
	}{
		{"50 tags are accepted", fifty[:100], ""},
		{"51 are TooManyTags", fifty, "TooManyTags"},
		{"a value of more than 256 characters is refused", []string{"k", strings.Repeat("v", 257)}, "ValidationException"},
		{"a key with a character outside the allowed set is refused", []string{"k#", "v"}, "ValidationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(doc)
			f := newFixture(t, options{})
			_, err := f.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("orders"), RoleArn: aws.String(role),
				Definition: aws.String(passDef), Tags: sfnTags(c.tags...)})
			assert.Equal(t, c.wantCode, code(err))
		})
	}
}

// StopExecution's and SendTaskFailure's error and cause have length constraints that are
// checked before the execution or token is looked up.
func TestErrorAndCauseLengths(t *testing.T) {
	const (
		stopDoc = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html"
		failDoc = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html"
		missing = "arn:aws:states:us-east-1:123456789012:execution:orders:nope"
	)
	f := newFixture(t, options{})
	ctx := context.Background()
	cases := []struct {
		name, doc string
		stop      bool
		errName   string
		cause     string
		wantCode  string
	}{
		{"StopExecution: an error of 257 characters", stopDoc, true, strings.Repeat("e", 257), "", "ValidationException"},
		{"StopExecution: a cause of 32,769 characters", stopDoc, true, "", strings.Repeat("c", 32769), "ValidationException"},
		{"StopExecution: at the limits, the execution is looked up", stopDoc, true, strings.Repeat("é", 256), strings.Repeat("c", 32768), "ExecutionDoesNotExist"},
		{"SendTaskFailure: an error of 257 characters", failDoc, false, strings.Repeat("e", 257), "", "ValidationException"},
		{"SendTaskFailure: at the limits, the token is checked", failDoc, false, strings.Repeat("e", 256), "", "InvalidToken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c.doc)
			var err error
			if c.stop {
				_, err = f.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(missing), Error: aws.String(c.errName), Cause: aws.String(c.cause)})
			} else {
				_, err = f.sfn.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("bogus"), Error: aws.String(c.errName), Cause: aws.String(c.cause)})
			}
			assert.Equal(t, c.wantCode, code(err))
		})
	}
}
