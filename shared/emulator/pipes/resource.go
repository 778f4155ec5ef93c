package pipes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// TypePipe is the CloudFormation type the service provisions.
const TypePipe = "AWS::Pipes::Pipe"

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypePipe} }

// pipeProps are AWS::Pipes::Pipe's properties
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-pipes-pipe.html).
// RoleArn, LogConfiguration, Tags and KmsKeyIdentifier are kept and change nothing offline.
type pipeProps struct {
	Name                 string                `json:"Name"`
	Description          *string               `json:"Description"`
	DesiredState         string                `json:"DesiredState"`
	Source               string                `json:"Source"`
	SourceParameters     *SourceParameters     `json:"SourceParameters"`
	Enrichment           *string               `json:"Enrichment"`
	EnrichmentParameters *EnrichmentParameters `json:"EnrichmentParameters"`
	Target               string                `json:"Target"`
	TargetParameters     *TargetParameters     `json:"TargetParameters"`
	RoleArn              string                `json:"RoleArn"`
	LogConfiguration     any                   `json:"LogConfiguration"`
	Tags                 map[string]string     `json:"Tags"`
	KmsKeyIdentifier     *string               `json:"KmsKeyIdentifier"`
}

// Provision creates a pipe. Ref is the pipe's name; GetAtt offers Arn, CurrentState,
// CreationTime and LastModifiedTime (ISO 8601). A pipe whose source cannot be read fails the
// resource, as a CREATE_FAILED pipe fails a stack.
func (s *Service) Provision(ctx context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	if res.Type != TypePipe {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the Pipes service does not provision this type", res.LogicalID, res.Type)
	}
	var p pipeProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	name := p.Name
	if name == "" {
		name = s.env.PhysicalName(res.LogicalID, 64)
	}
	in := Input{Name: name, Description: p.Description, DesiredState: p.DesiredState, Source: p.Source,
		SourceParameters: p.SourceParameters, Enrichment: p.Enrichment, EnrichmentParameters: p.EnrichmentParameters,
		Target: p.Target, TargetParameters: p.TargetParameters, RoleArn: p.RoleArn, Tags: p.Tags,
		LogConfiguration: p.LogConfiguration, KmsKeyIdentifier: p.KmsKeyIdentifier}
	if _, err := s.Create(ctx, in); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) && len(ve.Fields) > 0 {
			return sim.Physical{}, fmt.Errorf("resource %s (%s): property %q: %s", res.LogicalID, res.Type, ve.Fields[0].Name, ve.Message)
		}
		return sim.Physical{}, fmt.Errorf("resource %s (%s): create pipe %s: %w", res.LogicalID, res.Type, name, err)
	}
	d, err := s.Describe(name)
	if err != nil {
		return sim.Physical{}, err
	}
	if d.CurrentState == StateCreateFailed {
		_, _ = s.Delete(name)
		return sim.Physical{}, fmt.Errorf("resource %s (%s): pipe %s is %s: %s", res.LogicalID, res.Type, name, d.CurrentState, d.StateReason)
	}
	s.mu.Lock()
	s.logical[name] = res.LogicalID
	s.mu.Unlock()
	return sim.Physical{Ref: name, Attrs: map[string]any{
		"Arn":              d.Arn,
		"CurrentState":     d.CurrentState,
		"CreationTime":     d.CreationTime.UTC().Format(time.RFC3339),
		"LastModifiedTime": d.LastModifiedTime.UTC().Format(time.RFC3339),
	}}, nil
}
