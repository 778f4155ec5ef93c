package esm

import (
	"context"
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// TypeMapping is the CloudFormation type this package provisions.
const TypeMapping = "AWS::Lambda::EventSourceMapping"

var _ sim.Service = (*Service)(nil)

// Name is "esm": mappings are part of Lambda on AWS, but nothing calls them by name.
func (s *Service) Name() string { return "esm" }

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypeMapping} }

// mappingProps are the AWS::Lambda::EventSourceMapping properties an SQS mapping can have.
// Stream and Kafka properties are rejected by cfn.Decode with their names.
type mappingProps struct {
	EventSourceArn                 string
	FunctionName                   string
	Enabled                        *bool
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	FunctionResponseTypes          []string
	FilterCriteria                 *FilterCriteria
	ScalingConfig                  *ScalingConfig
	ProvisionedPollerConfig        *ProvisionedPollerConfig
	Tags                           []map[string]string
	MetricsConfig                  map[string]any
}

// Provision creates the mapping. Ref is its UUID, as CloudFormation answers; GetAtt Id too.
func (s *Service) Provision(ctx context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p mappingProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	c, err := s.Create(ctx, Input{
		EventSourceArn: p.EventSourceArn, FunctionName: p.FunctionName, Enabled: p.Enabled,
		BatchSize: p.BatchSize, MaximumBatchingWindowInSeconds: p.MaximumBatchingWindowInSeconds,
		FunctionResponseTypes: p.FunctionResponseTypes, FilterCriteria: p.FilterCriteria,
		ScalingConfig: p.ScalingConfig, ProvisionedPollerConfig: p.ProvisionedPollerConfig,
	})
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): %w", res.LogicalID, res.Type, err)
	}
	return sim.Physical{Ref: c.UUID, Attrs: map[string]any{"Id": c.UUID, "EventSourceMappingArn": c.EventSourceMappingArn}}, nil
}

// Resources lists the mappings, each with its queue and function as the topology's edge.
func (s *Service) Resources() []sim.Resource {
	var out []sim.Resource
	for _, c := range s.List("", "") {
		out = append(out, sim.Resource{
			ID: sim.NewID("esm", c.UUID), Type: TypeMapping, Physical: c.UUID, ARN: c.EventSourceMappingArn,
			Targets: []sim.ID{sim.NewID("lambda", functionName(c.FunctionArn))},
			Sources: []sim.ID{sim.NewID("sqs", queueName(c.EventSourceArn))},
		})
	}
	return out
}

func queueName(queueARN string) string { return sim.ARNResource(queueARN) }

func functionName(fnARN string) string { return sim.FunctionName(fnARN) }
