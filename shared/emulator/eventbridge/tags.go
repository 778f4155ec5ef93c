package eventbridge

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// maxTags is how many tags a rule or event bus may carry: "You can associate as many as 50
// tags with a resource." (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TagResource.html).
const maxTags = 50

// checkTag applies the Tag type's length constraints
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Tag.html).
func checkTag(t tagProp) error {
	if len(t.Key) < 1 || len(t.Key) > 128 {
		return validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128 and greater than or equal to 1", t.Key)
	}
	if len(t.Value) > 256 {
		return validation("1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	return nil
}

// newTags builds a new resource's tags from PutRule's or CreateEventBus's Tags.
func newTags(in []tagProp) (map[string]string, error) {
	m := make(map[string]string, len(in))
	return m, addTags(m, in)
}

// addTags adds or replaces tags, all or none: more than maxTags in all is refused. AWS
// documents the limit but not the error; ValidationException is the emulator's choice.
func addTags(m map[string]string, in []tagProp) error {
	n := len(m)
	for _, t := range in {
		if err := checkTag(t); err != nil {
			return err
		}
		if _, ok := m[t.Key]; !ok {
			n++
		}
	}
	if n > maxTags {
		return validation("A resource can have at most %d tags; this request would leave it with %d.", maxTags, n)
	}
	for _, t := range in {
		m[t.Key] = t.Value
	}
	return nil
}

// taggedResource finds the tags of the rule or event bus an ARN names: rule/<name> on the
// default bus, rule/<bus>/<name> on another, event-bus/<name>. Those are the only resources
// EventBridge tags. Callers hold s.mu.
func (s *Service) taggedResource(resourceARN string) (map[string]string, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil || a.Service != ServiceName {
		return nil, validation("Parameter ResourceARN is not valid. Reason: %s is not an EventBridge rule or event bus ARN.", resourceARN)
	}
	switch {
	case strings.HasPrefix(a.Resource, "rule/"):
		busName, name := DefaultBus, strings.TrimPrefix(a.Resource, "rule/")
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			busName, name = name[:i], name[i+1:]
		}
		r, err := s.lookupRule(busName, name)
		if err != nil {
			return nil, err
		}
		if r.tags == nil {
			r.tags = map[string]string{}
		}
		return r.tags, nil
	case strings.HasPrefix(a.Resource, "event-bus/"):
		b, err := s.lookupBus(strings.TrimPrefix(a.Resource, "event-bus/"))
		if err != nil {
			return nil, err
		}
		if b.tags == nil {
			b.tags = map[string]string{}
		}
		return b.tags, nil
	}
	return nil, notFound("Resource %s does not exist: only rules and event buses can be tagged.", resourceARN)
}

type tagResourceInput struct {
	ResourceARN string
	Tags        []tagProp
	TagKeys     []string
}

// TagResource (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TagResource.html)
// appends new keys and replaces the values of existing ones.
func (s *Service) tagResource(_ context.Context, in *tagResourceInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nil, addTags(m, in.Tags)
}

// UntagResource (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UntagResource.html);
// keys the resource does not have are ignored.
func (s *Service) untagResource(_ context.Context, in *tagResourceInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(m, k)
	}
	return nil, nil
}

// ListTagsForResource (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTagsForResource.html)
// answers the tags sorted by key.
func (s *Service) listTagsForResource(_ context.Context, in *tagResourceInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := make([]tagProp, 0, len(m))
	for k, v := range m {
		out = append(out, tagProp{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return map[string]any{"Tags": out}, nil
}
