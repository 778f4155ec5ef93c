package lambda

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Resource types this package provisions.
const (
	TypeFunction          = "AWS::Lambda::Function"
	TypePermission        = "AWS::Lambda::Permission"
	TypeEventInvokeConfig = "AWS::Lambda::EventInvokeConfig"
)

var _ sim.Provisioner = (*Service)(nil)

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string {
	return []string{TypeFunction, TypePermission, TypeEventInvokeConfig}
}

// functionProps are the AWS::Lambda::Function properties the emulator honours or safely ignores.
// Anything else is rejected by cfn.Decode with the property's name.
type functionProps struct {
	FunctionName                 string
	Code                         map[string]any // the code comes from the stage's handler registry
	Handler                      string
	Runtime                      string
	Architectures                []string
	MemorySize                   *int
	Timeout                      *int
	ReservedConcurrentExecutions *int
	Environment                  *struct{ Variables map[string]string }
	Role                         string
	Description                  string
	Tags                         []map[string]string
	LoggingConfig                map[string]any
	TracingConfig                map[string]any
	EphemeralStorage             map[string]any
	DeadLetterConfig             *struct{ TargetArn string }
}

// Provision creates a function, records a permission, or applies an EventInvokeConfig.
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	switch res.Type {
	case TypeFunction:
		return s.provisionFunction(res, props)
	case TypePermission:
		var p struct {
			Action, FunctionName, Principal, SourceArn, SourceAccount string
		}
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		// Permissions matter only on AWS: the emulator does not evaluate IAM.
		return sim.Physical{Ref: s.env.PhysicalName(res.LogicalID, 100)}, nil
	case TypeEventInvokeConfig:
		return s.provisionEventInvokeConfig(res, props)
	}
	return sim.Physical{}, fmt.Errorf("resource %s (%s): not a Lambda type", res.LogicalID, res.Type)
}

func (s *Service) provisionFunction(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p functionProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	where := fmt.Sprintf("resource %s (%s)", res.LogicalID, res.Type)
	deadLetter := ""
	if p.DeadLetterConfig != nil && p.DeadLetterConfig.TargetArn != "" {
		if destinationService(p.DeadLetterConfig.TargetArn) != "sqs" {
			return sim.Physical{}, fmt.Errorf("%s: property DeadLetterConfig.TargetArn %q: the emulator's dead-letter queues are SQS queues (SNS topics are not emulated)", where, p.DeadLetterConfig.TargetArn)
		}
		deadLetter = p.DeadLetterConfig.TargetArn
	}
	ctor, keys := s.constructorFor(res)
	if ctor == nil {
		return sim.Physical{}, fmt.Errorf("%s: no handler registered for this function; register one of %s in the stage's handler registry", where, strings.Join(keys, ", "))
	}
	f := &Function{
		Name:         p.FunctionName,
		LogicalID:    res.LogicalID,
		CDKPath:      res.CDKPath(),
		Description:  p.Description,
		Runtime:      p.Runtime,
		Handler:      p.Handler,
		Architecture: "x86_64",
		MemoryMB:     128,
		Timeout:      3 * time.Second,
		ctor:         ctor,
		svc:          s,
		async:        asyncConfig{maxRetries: DefaultMaxRetries, maxAge: DefaultMaxAge, deadLetter: deadLetter},
	}
	if f.Name == "" {
		f.Name = s.env.PhysicalName(res.LogicalID, 64)
	}
	if len(p.Architectures) > 1 {
		return sim.Physical{}, fmt.Errorf("%s: property Architectures takes one value, got %v", where, p.Architectures)
	}
	if len(p.Architectures) == 1 {
		f.Architecture = p.Architectures[0]
	}
	if f.Architecture != "x86_64" && f.Architecture != "arm64" {
		return sim.Physical{}, fmt.Errorf("%s: property Architectures must be x86_64 or arm64, got %q", where, f.Architecture)
	}
	if !strings.HasPrefix(p.Runtime, "provided") && p.Runtime != "go1.x" {
		return sim.Physical{}, fmt.Errorf("%s: property Runtime %q is not supported: the emulator runs Go handlers (provided.al2023, provided.al2)", where, p.Runtime)
	}
	if p.MemorySize != nil {
		if *p.MemorySize < 128 || *p.MemorySize > 10240 {
			return sim.Physical{}, fmt.Errorf("%s: property MemorySize must be 128–10240 MB, got %d", where, *p.MemorySize)
		}
		f.MemoryMB = *p.MemorySize
	}
	if p.Timeout != nil {
		if *p.Timeout < 1 || *p.Timeout > 900 {
			return sim.Physical{}, fmt.Errorf("%s: property Timeout must be 1–900 seconds, got %d", where, *p.Timeout)
		}
		f.Timeout = time.Duration(*p.Timeout) * time.Second
	}
	if p.Environment != nil {
		f.Environment = p.Environment.Variables
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.functions[f.Name]; dup {
		return sim.Physical{}, fmt.Errorf("%s: a function named %q already exists", where, f.Name)
	}
	if p.ReservedConcurrentExecutions != nil {
		r := *p.ReservedConcurrentExecutions
		if r < 0 || s.reserved+r > s.opts.AccountConcurrency-MinUnreserved {
			return sim.Physical{}, fmt.Errorf("%s: property ReservedConcurrentExecutions %d leaves less than %d of the account's %d unreserved (already reserved: %d)",
				where, r, MinUnreserved, s.opts.AccountConcurrency, s.reserved)
		}
		f.Reserved = &r
		s.reserved += r
	}
	f.ARN = s.env.ARN("lambda", "function:"+f.Name)
	f.id = sim.NewID(ServiceName, f.Name)
	f.metrics = s.env.Metrics.Resource(ServiceName, f.Name)
	s.functions[f.Name] = f
	return sim.Physical{Ref: f.Name, Attrs: map[string]any{"Arn": f.ARN}}, nil
}

// constructorFor finds the function's handler by construct path or logical ID, and lists the keys
// it tried for the error message.
func (s *Service) constructorFor(res *cfn.Resource) (Constructor, []string) {
	var keys []string
	if p := res.CDKPath(); p != "" {
		keys = append(keys, strings.TrimSuffix(p, "/Resource"), p)
	}
	keys = append(keys, res.LogicalID)
	for _, k := range keys {
		if c := s.registry[k]; c != nil {
			return c, nil
		}
	}
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	have := make([]string, 0, len(s.registry))
	for k := range s.registry {
		have = append(have, k)
	}
	sort.Strings(have)
	return nil, append(quoted, fmt.Sprintf("(registered: %s)", strings.Join(have, ", ")))
}

func (s *Service) provisionEventInvokeConfig(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p struct {
		FunctionName             string
		Qualifier                string
		MaximumRetryAttempts     *int
		MaximumEventAgeInSeconds *int
		DestinationConfig        *struct {
			OnFailure *struct{ Destination string }
			OnSuccess *struct{ Destination string }
		}
	}
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	where := fmt.Sprintf("resource %s (%s)", res.LogicalID, res.Type)
	f, err := s.Lookup(p.FunctionName)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("%s: property FunctionName: %w", where, err)
	}
	if p.Qualifier != "" && p.Qualifier != "$LATEST" {
		return sim.Physical{}, fmt.Errorf("%s: property Qualifier %q: only $LATEST is supported (no versions or aliases)", where, p.Qualifier)
	}
	if p.MaximumRetryAttempts != nil {
		if *p.MaximumRetryAttempts < 0 || *p.MaximumRetryAttempts > 2 {
			return sim.Physical{}, fmt.Errorf("%s: property MaximumRetryAttempts must be 0–2, got %d", where, *p.MaximumRetryAttempts)
		}
		f.async.maxRetries = *p.MaximumRetryAttempts
	}
	if p.MaximumEventAgeInSeconds != nil {
		if *p.MaximumEventAgeInSeconds < 60 || *p.MaximumEventAgeInSeconds > 21600 {
			return sim.Physical{}, fmt.Errorf("%s: property MaximumEventAgeInSeconds must be 60–21600, got %d", where, *p.MaximumEventAgeInSeconds)
		}
		f.async.maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
	}
	if d := p.DestinationConfig; d != nil {
		for _, dest := range []struct {
			name string
			to   *struct{ Destination string }
			set  *string
		}{{"OnFailure", d.OnFailure, &f.async.onFailure}, {"OnSuccess", d.OnSuccess, &f.async.onSuccess}} {
			if dest.to == nil {
				continue
			}
			switch destinationService(dest.to.Destination) {
			case "sqs", "lambda", "events":
				*dest.set = dest.to.Destination
			default:
				return sim.Physical{}, fmt.Errorf("%s: property DestinationConfig.%s.Destination %q: the emulator delivers to SQS queues, Lambda functions and EventBridge buses (SNS and S3 are not emulated)", where, dest.name, dest.to.Destination)
			}
		}
	}
	return sim.Physical{Ref: s.env.PhysicalName(res.LogicalID, 100)}, nil
}
