package dynamodb

import (
	"context"
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// CloudFormation resource types the service provisions.
const (
	TypeTable       = "AWS::DynamoDB::Table"
	TypeGlobalTable = "AWS::DynamoDB::GlobalTable"
)

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypeTable, TypeGlobalTable} }

// tableProps are AWS::DynamoDB::Table's properties. Fields typed any are accepted and ignored:
// they change nothing offline (see the package documentation).
type tableProps struct {
	TableName                        string                         `json:"TableName"`
	AttributeDefinitions             []model.AttributeDefinition    `json:"AttributeDefinitions"`
	KeySchema                        []model.KeySchemaElement       `json:"KeySchema"`
	BillingMode                      string                         `json:"BillingMode"`
	ProvisionedThroughput            *model.ProvisionedThroughput   `json:"ProvisionedThroughput"`
	OnDemandThroughput               *model.OnDemandThroughput      `json:"OnDemandThroughput"`
	WarmThroughput                   *model.WarmThroughput          `json:"WarmThroughput"`
	GlobalSecondaryIndexes           []gsiProps                     `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes            []model.LocalSecondaryIndex    `json:"LocalSecondaryIndexes"`
	StreamSpecification              *streamProps                   `json:"StreamSpecification"`
	TimeToLiveSpecification          *model.TimeToLiveSpecification `json:"TimeToLiveSpecification"`
	SSESpecification                 *sseProps                      `json:"SSESpecification"`
	Tags                             []model.Tag                    `json:"Tags"`
	DeletionProtectionEnabled        bool                           `json:"DeletionProtectionEnabled"`
	TableClass                       string                         `json:"TableClass"`
	PointInTimeRecoverySpecification any                            `json:"PointInTimeRecoverySpecification"`
	ContributorInsightsSpecification any                            `json:"ContributorInsightsSpecification"`
	ResourcePolicy                   any                            `json:"ResourcePolicy"`
}

type gsiProps struct {
	IndexName                        string                       `json:"IndexName"`
	KeySchema                        []model.KeySchemaElement     `json:"KeySchema"`
	Projection                       model.Projection             `json:"Projection"`
	ProvisionedThroughput            *model.ProvisionedThroughput `json:"ProvisionedThroughput"`
	OnDemandThroughput               *model.OnDemandThroughput    `json:"OnDemandThroughput"`
	WarmThroughput                   *model.WarmThroughput        `json:"WarmThroughput"`
	ContributorInsightsSpecification any                          `json:"ContributorInsightsSpecification"`
}

type streamProps struct {
	StreamViewType string `json:"StreamViewType"`
	ResourcePolicy any    `json:"ResourcePolicy"`
}

type sseProps struct {
	SSEEnabled     *bool  `json:"SSEEnabled"`
	SSEType        string `json:"SSEType"`
	KMSMasterKeyID string `json:"KMSMasterKeyId"`
}

// Provision creates a table from its CloudFormation properties. Ref is the table name; GetAtt
// offers Arn, and StreamArn when the table has a stream specification (GlobalTable adds TableId;
// see provisionGlobal).
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	switch res.Type {
	case TypeTable:
	case TypeGlobalTable:
		return s.provisionGlobal(res, props)
	default:
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the DynamoDB service does not provision this type", res.LogicalID, res.Type)
	}
	in, err := s.tableInput(res, props)
	if err != nil {
		return sim.Physical{}, err
	}
	desc, err := s.model.CreateTable(in)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): create table %s: %w", res.LogicalID, res.Type, in.TableName, err)
	}
	attrs := map[string]any{"Arn": desc.TableArn}
	if desc.LatestStreamArn != "" {
		attrs["StreamArn"] = desc.LatestStreamArn
	}
	s.provisioned.Store(desc.TableName, provisioned{logicalID: res.LogicalID, typ: res.Type})
	return sim.Physical{Ref: desc.TableName, Attrs: attrs}, nil
}

func (s *Service) tableInput(res *cfn.Resource, props map[string]any) (*model.CreateTableInput, error) {
	var p tableProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return nil, err
	}
	in := &model.CreateTableInput{
		TableName:                 p.TableName,
		AttributeDefinitions:      p.AttributeDefinitions,
		KeySchema:                 p.KeySchema,
		BillingMode:               p.BillingMode,
		ProvisionedThroughput:     p.ProvisionedThroughput,
		OnDemandThroughput:        p.OnDemandThroughput,
		WarmThroughput:            p.WarmThroughput,
		LocalSecondaryIndexes:     p.LocalSecondaryIndexes,
		Tags:                      p.Tags,
		TableClass:                p.TableClass,
		DeletionProtectionEnabled: p.DeletionProtectionEnabled,
		TimeToLive:                p.TimeToLiveSpecification,
	}
	if in.TableName == "" {
		in.TableName = s.env.PhysicalName(res.LogicalID, 255)
	}
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, model.GlobalSecondaryIndex{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection,
			ProvisionedThroughput: g.ProvisionedThroughput, OnDemandThroughput: g.OnDemandThroughput, WarmThroughput: g.WarmThroughput,
		})
	}
	if p.StreamSpecification != nil {
		in.StreamSpecification = &model.StreamSpecification{StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType}
	}
	if p.SSESpecification != nil {
		in.SSESpecification = &model.SSESpecification{Enabled: p.SSESpecification.SSEEnabled, SSEType: p.SSESpecification.SSEType, KMSMasterKeyID: p.SSESpecification.KMSMasterKeyID}
	}
	return in, nil
}
