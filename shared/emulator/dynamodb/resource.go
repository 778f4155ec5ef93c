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

// globalTableProps are AWS::DynamoDB::GlobalTable's properties. Only the replica in the
// emulator's region is created (see the package limitations).
type globalTableProps struct {
	TableName                       string                         `json:"TableName"`
	AttributeDefinitions            []model.AttributeDefinition    `json:"AttributeDefinitions"`
	KeySchema                       []model.KeySchemaElement       `json:"KeySchema"`
	BillingMode                     string                         `json:"BillingMode"`
	GlobalSecondaryIndexes          []globalGSIProps               `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes           []model.LocalSecondaryIndex    `json:"LocalSecondaryIndexes"`
	Replicas                        []replicaProps                 `json:"Replicas"`
	StreamSpecification             *streamProps                   `json:"StreamSpecification"`
	TimeToLiveSpecification         *model.TimeToLiveSpecification `json:"TimeToLiveSpecification"`
	SSESpecification                any                            `json:"SSESpecification"`
	WriteOnDemandThroughputSettings *struct {
		MaxWriteRequestUnits int64 `json:"MaxWriteRequestUnits"`
	} `json:"WriteOnDemandThroughputSettings"`
	WarmThroughput         *model.WarmThroughput `json:"WarmThroughput"`
	GlobalTableWitnesses   any                   `json:"GlobalTableWitnesses"`
	MultiRegionConsistency string                `json:"MultiRegionConsistency"`
}

type globalGSIProps struct {
	IndexName                       string                   `json:"IndexName"`
	KeySchema                       []model.KeySchemaElement `json:"KeySchema"`
	Projection                      model.Projection         `json:"Projection"`
	WriteOnDemandThroughputSettings *struct {
		MaxWriteRequestUnits int64 `json:"MaxWriteRequestUnits"`
	} `json:"WriteOnDemandThroughputSettings"`
	WarmThroughput *model.WarmThroughput `json:"WarmThroughput"`
}

type replicaProps struct {
	Region                           string      `json:"Region"`
	Tags                             []model.Tag `json:"Tags"`
	DeletionProtectionEnabled        bool        `json:"DeletionProtectionEnabled"`
	TableClass                       string      `json:"TableClass"`
	GlobalSecondaryIndexes           any         `json:"GlobalSecondaryIndexes"`
	PointInTimeRecoverySpecification any         `json:"PointInTimeRecoverySpecification"`
	ContributorInsightsSpecification any         `json:"ContributorInsightsSpecification"`
	SSESpecification                 any         `json:"SSESpecification"`
	KinesisStreamSpecification       any         `json:"KinesisStreamSpecification"`
	ReplicaStreamSpecification       any         `json:"ReplicaStreamSpecification"`
	ReadOnDemandThroughputSettings   any         `json:"ReadOnDemandThroughputSettings"`
	ResourcePolicy                   any         `json:"ResourcePolicy"`
	WarmThroughput                   any         `json:"WarmThroughput"`
}

// Provision creates a table from its CloudFormation properties. Ref is the table name; GetAtt
// offers Arn, and StreamArn when the table has a stream specification (GlobalTable adds TableId).
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var in *model.CreateTableInput
	var err error
	switch res.Type {
	case TypeTable:
		in, err = s.tableInput(res, props)
	case TypeGlobalTable:
		in, err = s.globalTableInput(res, props)
	default:
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the DynamoDB service does not provision this type", res.LogicalID, res.Type)
	}
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
	if res.Type == TypeGlobalTable {
		attrs["TableId"] = desc.TableID
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

func (s *Service) globalTableInput(res *cfn.Resource, props map[string]any) (*model.CreateTableInput, error) {
	var p globalTableProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return nil, err
	}
	if p.BillingMode != "" && p.BillingMode != model.PayPerRequest {
		return nil, fmt.Errorf("resource %s (%s): property \"BillingMode\" %s is not supported by the emulator for global tables (use PAY_PER_REQUEST)", res.LogicalID, res.Type, p.BillingMode)
	}
	var here *replicaProps
	for i := range p.Replicas {
		if p.Replicas[i].Region == s.env.Region {
			here = &p.Replicas[i]
		}
	}
	if here == nil {
		return nil, fmt.Errorf("resource %s (%s): property \"Replicas\" has no replica in the emulator's region %s", res.LogicalID, res.Type, s.env.Region)
	}
	in := &model.CreateTableInput{
		TableName:                 p.TableName,
		AttributeDefinitions:      p.AttributeDefinitions,
		KeySchema:                 p.KeySchema,
		BillingMode:               model.PayPerRequest,
		WarmThroughput:            p.WarmThroughput,
		LocalSecondaryIndexes:     p.LocalSecondaryIndexes,
		Tags:                      here.Tags,
		TableClass:                here.TableClass,
		DeletionProtectionEnabled: here.DeletionProtectionEnabled,
		TimeToLive:                p.TimeToLiveSpecification,
	}
	if in.TableName == "" {
		in.TableName = s.env.PhysicalName(res.LogicalID, 255)
	}
	if w := p.WriteOnDemandThroughputSettings; w != nil {
		in.OnDemandThroughput = &model.OnDemandThroughput{MaxWriteRequestUnits: w.MaxWriteRequestUnits}
	}
	for _, g := range p.GlobalSecondaryIndexes {
		gsi := model.GlobalSecondaryIndex{IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, WarmThroughput: g.WarmThroughput}
		if w := g.WriteOnDemandThroughputSettings; w != nil {
			gsi.OnDemandThroughput = &model.OnDemandThroughput{MaxWriteRequestUnits: w.MaxWriteRequestUnits}
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	if p.StreamSpecification != nil {
		in.StreamSpecification = &model.StreamSpecification{StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType}
	}
	return in, nil
}
