package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ebTags(kv ...string) []ebtypes.Tag {
	var out []ebtypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ebtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestTagging(t *testing.T) {
	const (
		acct         = "arn:aws:events:us-east-1:123456789012:"
		defaultRule  = acct + "rule/paid"
		customRule   = acct + "rule/orders/shipped"
		customBus    = acct + "event-bus/orders"
		tagDoc       = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TagResource.html"
		untagDoc     = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UntagResource.html"
		listDoc      = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTagsForResource.html"
		putRuleDoc   = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"
		createBusDoc = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html"
	)
	many := make([]string, 0, 2*50)
	for i := range 50 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	type step struct {
		op       string // tag, untag, list, putrule (again, with tags)
		arn      string
		tags     []string
		keys     []string
		wantCode string
		wantTags []string
	}
	cases := []struct {
		name, doc string
		steps     []step
	}{
		{"tags given to PutRule and CreateEventBus are listed", listDoc, []step{
			{op: "list", arn: defaultRule, wantTags: []string{"team", "bakery"}},
			{op: "list", arn: customBus, wantTags: []string{"env", "dev"}},
			{op: "list", arn: customRule, wantTags: []string{}},
		}},
		{"TagResource appends new keys and replaces existing values, sorted by key", tagDoc, []step{
			{op: "tag", arn: defaultRule, tags: []string{"team", "kitchen", "cost", "7"}},
			{op: "list", arn: defaultRule, wantTags: []string{"cost", "7", "team", "kitchen"}},
			{op: "tag", arn: customRule, tags: []string{"a", "b"}},
			{op: "list", arn: customRule, wantTags: []string{"a", "b"}},
		}},
		{"UntagResource removes keys and ignores those the resource lacks", untagDoc, []step{
			{op: "untag", arn: customBus, keys: []string{"env", "absent"}},
			{op: "list", arn: customBus, wantTags: []string{}},
		}},
		{"PutRule on an existing rule ignores its Tags", putRuleDoc, []step{
			{op: "putrule", tags: []string{"other", "x"}},
			{op: "list", arn: defaultRule, wantTags: []string{"team", "bakery"}},
		}},
		{"a rule or bus that does not exist is ResourceNotFoundException", listDoc, []step{
			{op: "list", arn: acct + "rule/nope", wantCode: "ResourceNotFoundException"},
			{op: "tag", arn: acct + "rule/orders/nope", tags: []string{"a", "b"}, wantCode: "ResourceNotFoundException"},
			{op: "untag", arn: acct + "event-bus/nope", keys: []string{"a"}, wantCode: "ResourceNotFoundException"},
			{op: "list", arn: acct + "archive/a", wantCode: "ResourceNotFoundException"},
		}},
		{"as many as 50 tags: the 51st is refused and nothing changes", tagDoc, []step{
			{op: "tag", arn: defaultRule, tags: many, wantCode: "ValidationException"},
			{op: "list", arn: defaultRule, wantTags: []string{"team", "bakery"}},
		}},
		{"a key longer than 128 characters is refused",
			"https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Tag.html", []step{
				{op: "tag", arn: defaultRule, tags: []string{strings.Repeat("k", 129), "v"}, wantCode: "ValidationException"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c.doc)
			f := newFixture(t, Options{})
			ctx := context.Background()
			_, err := f.events.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("orders"), Tags: ebTags("env", "dev")})
			require.NoError(t, err)
			_, err = f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("paid"), EventPattern: aws.String(`{"source":["s"]}`), Tags: ebTags("team", "bakery")})
			require.NoError(t, err)
			f.rule(t, "orders", "shipped", `{"source":["s"]}`)
			for i, s := range c.steps {
				var err error
				var got *eb.ListTagsForResourceOutput
				switch s.op {
				case "tag":
					_, err = f.events.TagResource(ctx, &eb.TagResourceInput{ResourceARN: aws.String(s.arn), Tags: ebTags(s.tags...)})
				case "untag":
					_, err = f.events.UntagResource(ctx, &eb.UntagResourceInput{ResourceARN: aws.String(s.arn), TagKeys: s.keys})
				case "list":
					got, err = f.events.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceARN: aws.String(s.arn)})
				case "putrule":
					_, err = f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("paid"), EventPattern: aws.String(`{"source":["s"]}`), Tags: ebTags(s.tags...)})
				}
				if s.wantCode != "" {
					assert.Equal(t, s.wantCode, errCode(err), "step %d", i)
					continue
				}
				require.NoError(t, err, "step %d", i)
				if got != nil {
					want := ebTags(s.wantTags...)
					if want == nil {
						want = []ebtypes.Tag{}
					}
					if len(got.Tags) == 0 {
						got.Tags = []ebtypes.Tag{}
					}
					assert.Equal(t, want, got.Tags, "step %d", i)
				}
			}
		})
	}
}

func TestCustomBusName(t *testing.T) {
	// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html:
	// "Custom event bus names can't contain the / character".
	cases := []struct{ name, wantCode string }{
		{"orders", ""},
		{"orders.v2-x_y", ""},
		{"team/orders", "ValidationException"},
		{"aws.partner/example.com/123/orders", "ValidationException"},
		{"default", "ValidationException"},
		{"bad name", "ValidationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			_, err := f.events.CreateEventBus(context.Background(), &eb.CreateEventBusInput{Name: aws.String(c.name)})
			assert.Equal(t, c.wantCode, errCode(err))
		})
	}
}

func TestListRuleNamesByTarget(t *testing.T) {
	const doc = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRuleNamesByTarget.html"
	f := newFixture(t, Options{})
	ctx := context.Background()
	_, qARN := f.queue(t, "q")
	_, otherARN := f.queue(t, "other")
	_, err := f.events.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("orders")})
	require.NoError(t, err)
	f.rule(t, "default", "b-rule", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("1"), Arn: aws.String(qARN)})
	f.rule(t, "default", "a-rule", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("1"), Arn: aws.String(otherARN)}, ebtypes.Target{Id: aws.String("2"), Arn: aws.String(qARN)})
	f.rule(t, "default", "c-rule", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("1"), Arn: aws.String(otherARN)})
	f.rule(t, "orders", "on-orders", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("1"), Arn: aws.String(qARN)})

	cases := []struct {
		name, target, bus string
		limit             *int32
		want              []string
		wantNext          bool
		wantCode          string
	}{
		{"the default bus's rules with the target, sorted", qARN, "", nil, []string{"a-rule", "b-rule"}, false, ""},
		{"another bus by name", qARN, "orders", nil, []string{"on-orders"}, false, ""},
		{"a target no rule has", "arn:aws:sqs:us-east-1:123456789012:none", "", nil, []string{}, false, ""},
		{"Limit pages with a NextToken", qARN, "", aws.Int32(1), []string{"a-rule"}, true, ""},
		{"a bus that does not exist", qARN, "nope", nil, nil, false, "ResourceNotFoundException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(doc)
			in := &eb.ListRuleNamesByTargetInput{TargetArn: aws.String(c.target), Limit: c.limit}
			if c.bus != "" {
				in.EventBusName = aws.String(c.bus)
			}
			out, err := f.events.ListRuleNamesByTarget(ctx, in)
			if c.wantCode != "" {
				assert.Equal(t, c.wantCode, errCode(err))
				return
			}
			require.NoError(t, err)
			if len(out.RuleNames) == 0 {
				out.RuleNames = []string{}
			}
			assert.Equal(t, c.want, out.RuleNames)
			assert.Equal(t, c.wantNext, out.NextToken != nil)
		})
	}
}
