// Package customresource runs CloudFormation custom resources backed by a Lambda function of the
// same template (AWS::CloudFormation::CustomResource and Custom::<Name>), as CloudFormation does:
// it invokes the function named by ServiceToken with a Create request carrying a pre-signed
// ResponseURL, and waits for the function to PUT its answer there
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html and
// crpg-ref-responses.html). Ref is the PhysicalResourceId the function answered; Fn::GetAtt reads
// its Data.
//
// The ResponseURL points at the emulator (http://emulator.internal/…, or the loopback listener's
// host): a handler must PUT with the HTTP client of the aws.Config it was given, which on AWS is
// the SDK's default client and offline the emulator's in-process transport.
//
// Limitations: only Lambda service tokens of the same emulator (no SNS topics); only Create runs
// (the emulator provisions once and never updates or deletes a stack, so Update and Delete
// requests are never sent); the function is invoked synchronously rather than as an event, and a
// missing answer fails provisioning after Timeout (CloudFormation waits up to an hour).
package customresource

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Types this package provisions; any type starting with "Custom::" is provisioned too.
const (
	TypeCustomResource = "AWS::CloudFormation::CustomResource"
	responsePath       = "/cloudformation-custom-resource-response/"
)

// Timeout is how long provisioning waits for a function's answer.
const Timeout = time.Minute

// Service provisions custom resources.
type Service struct {
	env  *sim.Env
	host string // the host ResponseURLs name

	seq     atomic.Uint64
	mu      sync.Mutex
	waiting map[string]chan response
	made    []sim.Resource
}

// New returns the service. host is the emulator host a ResponseURL names (e.g.
// "emulator.internal"); requests to any host with the response path are accepted.
func New(env *sim.Env, host string) *Service {
	return &Service{env: env, host: host, waiting: map[string]chan response{}}
}

var _ sim.Service = (*Service)(nil)

// Name is "cloudformation".
func (s *Service) Name() string { return "cloudformation" }

// Types lists AWS::CloudFormation::CustomResource; the emulator also sends Custom::* here.
func (s *Service) Types() []string { return []string{TypeCustomResource} }

// Handles reports whether a CloudFormation type is a custom resource.
func Handles(typ string) bool { return typ == TypeCustomResource || strings.HasPrefix(typ, "Custom::") }

// response is what a function PUTs to its ResponseURL.
type response struct {
	Status             string         `json:"Status"`
	Reason             string         `json:"Reason"`
	PhysicalResourceID string         `json:"PhysicalResourceId"`
	StackID            string         `json:"StackId"`
	RequestID          string         `json:"RequestId"`
	LogicalResourceID  string         `json:"LogicalResourceId"`
	NoEcho             bool           `json:"NoEcho"`
	Data               map[string]any `json:"Data"`
}

// Provision sends the Create request and waits for the answer.
func (s *Service) Provision(ctx context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	token, _ := props["ServiceToken"].(string)
	if token == "" {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property ServiceToken is required (the ARN of the function that answers)", res.LogicalID, res.Type)
	}
	if a, err := arn.Parse(token); err != nil || a.Service != "lambda" || !strings.HasPrefix(a.Resource, "function:") {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property ServiceToken %q: the emulator runs Lambda-backed custom resources only", res.LogicalID, res.Type, token)
	}
	id := strconv.FormatUint(s.seq.Add(1), 10)
	reqID := fmt.Sprintf("%08d-0000-4000-8000-000000000000", s.seq.Load())
	stackID := s.env.ARN("cloudformation", "stack/"+s.env.StackName+"/00000000-0000-4000-8000-000000000000")
	ch := make(chan response, 1)
	s.mu.Lock()
	s.waiting[id] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiting, id)
		s.mu.Unlock()
	}()
	event := map[string]any{
		"RequestType":        "Create",
		"ResponseURL":        "http://" + s.host + responsePath + id,
		"StackId":            stackID,
		"RequestId":          reqID,
		"ResourceType":       res.Type,
		"LogicalResourceId":  res.LogicalID,
		"ResourceProperties": props,
		"ServiceToken":       token,
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): %w", res.LogicalID, res.Type, err)
	}
	in, _ := json.Marshal(map[string]any{"FunctionName": token, "InvocationType": "RequestResponse", "Payload": json.RawMessage(payload)})
	out, err := s.env.Call(ctx, "lambda", "Invoke", in)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): invoking %s: %w", res.LogicalID, res.Type, token, err)
	}
	var inv struct {
		FunctionError string
		Payload       json.RawMessage
	}
	_ = json.Unmarshal(out, &inv)
	var r response
	select {
	case r = <-ch:
	default:
		if inv.FunctionError != "" {
			return sim.Physical{}, fmt.Errorf("resource %s (%s): the function %s failed before answering: %s", res.LogicalID, res.Type, token, inv.Payload)
		}
		wait, cancel := context.WithTimeout(ctx, Timeout)
		defer cancel()
		select {
		case r = <-ch:
		case <-wait.Done():
			return sim.Physical{}, fmt.Errorf("resource %s (%s): the function %s did not PUT a response to its ResponseURL within %v", res.LogicalID, res.Type, token, Timeout)
		}
	}
	if r.Status != "SUCCESS" {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the function answered %s: %s", res.LogicalID, res.Type, r.Status, r.Reason)
	}
	attrs := map[string]any{}
	for k, v := range r.Data {
		attrs[k] = v
	}
	physical := r.PhysicalResourceID
	s.mu.Lock()
	s.made = append(s.made, sim.Resource{ID: sim.NewID("cloudformation", res.LogicalID), Type: res.Type, LogicalID: res.LogicalID, Physical: physical,
		Targets: nil})
	s.mu.Unlock()
	return sim.Physical{Ref: physical, Attrs: attrs}, nil
}

// Serves reports whether r is a function's answer to a ResponseURL.
func (s *Service) Serves(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, responsePath) }

// ServeHTTP takes a function's PUT to its ResponseURL.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "a custom resource answers with PUT", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, responsePath)
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096+1))
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case len(body) > 4096:
		// CloudFormation limits the response object to 4,096 bytes.
		http.Error(w, "the response object exceeds 4096 bytes", http.StatusBadRequest)
		return
	}
	var resp response
	if err := json.Unmarshal(body, &resp); err != nil {
		http.Error(w, "the response is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if resp.Status != "SUCCESS" && resp.Status != "FAILED" {
		http.Error(w, fmt.Sprintf("Status must be SUCCESS or FAILED, got %q", resp.Status), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	ch, ok := s.waiting[id]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no custom resource request waits on "+r.URL.Path, http.StatusNotFound)
		return
	}
	select {
	case ch <- resp:
	default:
	}
	w.WriteHeader(http.StatusOK)
}

// Resources lists the custom resources made.
func (s *Service) Resources() []sim.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sim.Resource(nil), s.made...)
}

// Close does nothing: custom resources hold no background work.
func (s *Service) Close() error { return nil }
