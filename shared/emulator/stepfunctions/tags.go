package stepfunctions

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// maxTags is the number of tags a state machine may carry: "Maximum number of tags per
// resource: 50" in https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html.
const maxTags = 50

// tagSet is a state machine's tags. Every version UpdateStateMachine makes shares it, since
// tags belong to the state machine, not to a definition.
type tagSet struct {
	mu sync.Mutex
	m  map[string]string
}

func newTagSet(m map[string]string) *tagSet {
	if m == nil {
		m = map[string]string{}
	}
	return &tagSet{m: m}
}

// list answers the tags sorted by key, so that answers are stable.
func (ts *tagSet) list() []tag {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := make([]tag, 0, len(ts.m))
	for k, v := range ts.m {
		out = append(out, tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// validTagText reports whether s has only the characters the API reference allows in tags:
// Unicode letters, digits, white space and _ . : / = + - @.
func validTagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// taggable finds the state machine a tagging call names. The tagging operations answer
// ResourceNotFound (not StateMachineDoesNotExist) for a well-formed ARN that names nothing,
// and activities, which the emulator does not model, are among those.
func (s *Service) taggable(a string) (*stateMachine, error) {
	p, err := arn.Parse(a)
	if err != nil || p.Service != ServiceName {
		return nil, invalidArn(a)
	}
	if !strings.HasPrefix(p.Resource, "stateMachine:") && !strings.HasPrefix(p.Resource, "activity:") {
		return nil, invalidArn(a)
	}
	sm, err := s.machineByArn(a)
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "ResourceNotFound", "Resource not found: '%s'", a)
	}
	return sm, nil
}

// ListTagsForResource (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListTagsForResource.html).
func (s *Service) listTagsForResource(_ context.Context, body []byte) (any, error) {
	var in arnInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": sm.tags.list()}, nil
}

// checkTags applies the Tag type's constraints
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_Tag.html).
func checkTags(tags []tag) error {
	for _, t := range tags {
		switch {
		case len(t.Key) < 1 || len(t.Key) > 128:
			return sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128 and greater than or equal to 1", t.Key)
		case len(t.Value) > 256:
			return sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
		case !validTagText(t.Key) || !validTagText(t.Value):
			return sim.Errorf(http.StatusBadRequest, "ValidationException", "Tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @")
		}
	}
	return nil
}

// checkNewTags checks CreateStateMachine's tags: their constraints, and at most 50 distinct
// keys (TooManyTags, which API_CreateStateMachine.html lists among its errors).
func checkNewTags(name string, tags []tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	keys := map[string]bool{}
	for _, t := range tags {
		keys[t.Key] = true
	}
	if len(keys) > maxTags {
		return sim.Errorf(http.StatusBadRequest, "TooManyTags", "Too many tags: state machine '%s' would have %d tags, and a resource can have at most %d", name, len(keys), maxTags)
	}
	return nil
}

// TagResource (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html)
// adds tags or replaces the values of existing keys; more than 50 in all is TooManyTags.
func (s *Service) tagResource(_ context.Context, body []byte) (any, error) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
		Tags        []tag  `json:"tags"`
	}
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	sm, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	ts := sm.tags
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := len(ts.m)
	for _, t := range in.Tags {
		if _, ok := ts.m[t.Key]; !ok {
			n++
		}
	}
	if n > maxTags {
		return nil, sim.Errorf(http.StatusBadRequest, "TooManyTags", "Too many tags: '%s' would have %d tags, and a resource can have at most %d", in.ResourceArn, n, maxTags)
	}
	for _, t := range in.Tags {
		ts.m[t.Key] = t.Value
	}
	return struct{}{}, nil
}

// UntagResource (https://docs.aws.amazon.com/step-functions/latest/apireference/API_UntagResource.html):
// keys the resource does not have are ignored.
func (s *Service) untagResource(_ context.Context, body []byte) (any, error) {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	sm.tags.mu.Lock()
	for _, k := range in.TagKeys {
		delete(sm.tags.m, k)
	}
	sm.tags.mu.Unlock()
	return struct{}{}, nil
}

// DescribeStateMachineForExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html)
// answers the version of the state machine the execution started with, even when the state
// machine has since been updated or deleted.
func (s *Service) describeStateMachineForExecution(_ context.Context, body []byte) (any, error) {
	var in arnInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	ex, err := s.executionByArn(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	sm := ex.sm
	out := map[string]any{
		"stateMachineArn": sm.arn, "name": sm.name, "definition": sm.definition, "roleArn": sm.roleArn,
		"updateDate": epoch(sm.updated), "loggingConfiguration": sm.config("logging"),
		"tracingConfiguration": sm.config("tracing"), "revisionId": sm.revisionID,
	}
	if sm.description != "" {
		out["description"] = sm.description
	}
	return out, nil
}
