package dynamodb

import (
	"fmt"
	"slices"
	"sync"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// GlobalTableVersion is the version DescribeTable reports for a global table: the current one
// (version 2019.11.21), the only one AWS::DynamoDB::GlobalTable creates.
const GlobalTableVersion = "2019.11.21"

// group is the DynamoDB services of one multi-region emulator, joined by Link.
type group struct {
	byRegion map[string]*Service

	mu    sync.Mutex
	links map[[2]string]*link // [from, to] region → its replication queue
}

// Link connects the DynamoDB services of one emulator's regions (region → service) for global
// tables: an AWS::DynamoDB::GlobalTable provisioned in one of them creates its replicas in the
// others, and writes to a replica replicate to the rest. Call it after building the services and
// before provisioning any stack. Each key must be its service's region (the Env's Region); a
// mismatch is a programming error and panics.
func Link(peers map[string]*Service) {
	g := &group{byRegion: make(map[string]*Service, len(peers)), links: map[[2]string]*link{}}
	for region, s := range peers {
		if s == nil || s.env.Region != region {
			panic(fmt.Sprintf("dynamodb.Link: the service for region %q must have an Env in that region", region))
		}
		g.byRegion[region] = s
	}
	for _, s := range peers {
		s.grp.Store(g)
	}
}

// peer returns the linked service of a region, the service itself for its own region.
func (s *Service) peer(region string) *Service {
	if region == s.env.Region {
		return s
	}
	if g := s.grp.Load(); g != nil {
		return g.byRegion[region]
	}
	return nil
}

// replica is one region's replica of a global table: the regions of all its replicas and, for
// last-writer-wins, the timestamp of the last write this replica applied to each item (deletes
// included: they are the tombstones that keep an older put from resurrecting an item).
type replica struct {
	table     string
	hash, rng keyAttr
	regionsMu sync.Mutex
	regions   []string // every replica's region, sorted, this one included
	mu        sync.Mutex
	stamps    map[string]stamp // canonical item key → last applied write
}

// keyAttr is a key attribute's name and scalar type (S, N or B).
type keyAttr struct{ name, typ string }

// others lists the other replicas' regions.
func (r *replica) others(self string) []string {
	r.regionsMu.Lock()
	defer r.regionsMu.Unlock()
	out := make([]string, 0, len(r.regions))
	for _, region := range r.regions {
		if region != self {
			out = append(out, region)
		}
	}
	return out
}

func (r *replica) drop(region string) {
	r.regionsMu.Lock()
	defer r.regionsMu.Unlock()
	r.regions = slices.DeleteFunc(r.regions, func(x string) bool { return x == region })
}

// replicaOf returns the table's replica when it is a global table with other replicas, nil for a
// regional table.
func (s *Service) replicaOf(table string) *replica {
	if !s.hasGlobal.Load() {
		return nil
	}
	v, ok := s.global.Load(table)
	if !ok {
		return nil
	}
	return v.(*replica)
}

// globalTableProps are AWS::DynamoDB::GlobalTable's properties. Fields typed any are accepted
// and ignored: they change nothing offline (see the package documentation).
type globalTableProps struct {
	TableName                          string                         `json:"TableName"`
	AttributeDefinitions               []model.AttributeDefinition    `json:"AttributeDefinitions"`
	KeySchema                          []model.KeySchemaElement       `json:"KeySchema"`
	BillingMode                        string                         `json:"BillingMode"`
	GlobalSecondaryIndexes             []globalGSIProps               `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes              []model.LocalSecondaryIndex    `json:"LocalSecondaryIndexes"`
	Replicas                           []replicaProps                 `json:"Replicas"`
	StreamSpecification                *globalStreamProps             `json:"StreamSpecification"`
	TimeToLiveSpecification            *model.TimeToLiveSpecification `json:"TimeToLiveSpecification"`
	SSESpecification                   *globalSSEProps                `json:"SSESpecification"`
	WriteOnDemandThroughputSettings    *writeOnDemand                 `json:"WriteOnDemandThroughputSettings"`
	WriteProvisionedThroughputSettings *writeProvisioned              `json:"WriteProvisionedThroughputSettings"`
	ReadOnDemandThroughputSettings     *readOnDemand                  `json:"ReadOnDemandThroughputSettings"`
	ReadProvisionedThroughputSettings  *readProvisioned               `json:"ReadProvisionedThroughputSettings"`
	WarmThroughput                     *model.WarmThroughput          `json:"WarmThroughput"`
	MultiRegionConsistency             string                         `json:"MultiRegionConsistency"`
}

type globalGSIProps struct {
	IndexName                          string                   `json:"IndexName"`
	KeySchema                          []model.KeySchemaElement `json:"KeySchema"`
	Projection                         model.Projection         `json:"Projection"`
	WriteOnDemandThroughputSettings    *writeOnDemand           `json:"WriteOnDemandThroughputSettings"`
	WriteProvisionedThroughputSettings *writeProvisioned        `json:"WriteProvisionedThroughputSettings"`
	WarmThroughput                     *model.WarmThroughput    `json:"WarmThroughput"`
}

type globalStreamProps struct {
	StreamViewType string `json:"StreamViewType"`
}

type globalSSEProps struct {
	SSEEnabled *bool  `json:"SSEEnabled"`
	SSEType    string `json:"SSEType"`
}

type replicaProps struct {
	Region                            string             `json:"Region"`
	Tags                              []model.Tag        `json:"Tags"`
	DeletionProtectionEnabled         bool               `json:"DeletionProtectionEnabled"`
	TableClass                        string             `json:"TableClass"`
	GlobalSecondaryIndexes            []replicaGSIProps  `json:"GlobalSecondaryIndexes"`
	ReadOnDemandThroughputSettings    *readOnDemand      `json:"ReadOnDemandThroughputSettings"`
	ReadProvisionedThroughputSettings *readProvisioned   `json:"ReadProvisionedThroughputSettings"`
	SSESpecification                  *replicaSSEProps   `json:"SSESpecification"`
	ReplicaStreamSpecification        *replicaStreamSpec `json:"ReplicaStreamSpecification"`
	PointInTimeRecoverySpecification  any                `json:"PointInTimeRecoverySpecification"`
	ContributorInsightsSpecification  any                `json:"ContributorInsightsSpecification"`
	ResourcePolicy                    any                `json:"ResourcePolicy"`
	DisassociationProtectionEnabled   any                `json:"DisassociationProtectionEnabled"`
}

type replicaGSIProps struct {
	IndexName                         string           `json:"IndexName"`
	ReadOnDemandThroughputSettings    *readOnDemand    `json:"ReadOnDemandThroughputSettings"`
	ReadProvisionedThroughputSettings *readProvisioned `json:"ReadProvisionedThroughputSettings"`
	ContributorInsightsSpecification  any              `json:"ContributorInsightsSpecification"`
}

type replicaSSEProps struct {
	KMSMasterKeyID string `json:"KMSMasterKeyId"`
}

type replicaStreamSpec struct {
	ResourcePolicy any `json:"ResourcePolicy"`
}

type writeOnDemand struct {
	MaxWriteRequestUnits int64 `json:"MaxWriteRequestUnits"`
}

type readOnDemand struct {
	MaxReadRequestUnits int64 `json:"MaxReadRequestUnits"`
}

type writeProvisioned struct {
	WriteCapacityAutoScalingSettings *autoScaling `json:"WriteCapacityAutoScalingSettings"`
}

type readProvisioned struct {
	ReadCapacityUnits               int64        `json:"ReadCapacityUnits"`
	ReadCapacityAutoScalingSettings *autoScaling `json:"ReadCapacityAutoScalingSettings"`
}

// autoScaling is CapacityAutoScalingSettings. Auto scaling is not modelled: the capacity is
// the seed capacity, else the minimum, which is what AWS provisions before scaling.
type autoScaling struct {
	MinCapacity                              int64 `json:"MinCapacity"`
	MaxCapacity                              int64 `json:"MaxCapacity"`
	SeedCapacity                             int64 `json:"SeedCapacity"`
	TargetTrackingScalingPolicyConfiguration *struct {
		TargetValue      float64 `json:"TargetValue"`
		DisableScaleIn   bool    `json:"DisableScaleIn"`
		ScaleInCooldown  int64   `json:"ScaleInCooldown"`
		ScaleOutCooldown int64   `json:"ScaleOutCooldown"`
	} `json:"TargetTrackingScalingPolicyConfiguration"`
}

func (a *autoScaling) units() int64 {
	if a.SeedCapacity > 0 {
		return a.SeedCapacity
	}
	return a.MinCapacity
}

func (w *writeProvisioned) units() int64 {
	if w == nil || w.WriteCapacityAutoScalingSettings == nil {
		return 0
	}
	return w.WriteCapacityAutoScalingSettings.units()
}

func (r *readProvisioned) units() int64 {
	switch {
	case r == nil:
		return 0
	case r.ReadCapacityAutoScalingSettings != nil:
		return r.ReadCapacityAutoScalingSettings.units()
	}
	return r.ReadCapacityUnits
}

// provisionGlobal creates an AWS::DynamoDB::GlobalTable: one table of the same name in every
// region its Replicas list, through the services Link joined. Ref is the table name; GetAtt
// offers Arn, StreamArn and TableId of the replica in this service's region.
func (s *Service) provisionGlobal(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p globalTableProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	fail := func(prop, format string, args ...any) (sim.Physical, error) {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property %q %s", res.LogicalID, res.Type, prop, fmt.Sprintf(format, args...))
	}
	switch p.MultiRegionConsistency {
	case "", "EVENTUAL":
	case "STRONG":
		return fail("MultiRegionConsistency", "STRONG (MRSC) is not supported by the emulator: only multi-Region eventual consistency is modelled")
	default:
		return fail("MultiRegionConsistency", "must be EVENTUAL or STRONG, got %q", p.MultiRegionConsistency)
	}
	billing := p.BillingMode
	if billing == "" {
		billing = model.Provisioned // CloudFormation's default for a global table
	}
	switch billing {
	case model.PayPerRequest:
	case model.Provisioned:
		if p.WriteProvisionedThroughputSettings.units() <= 0 {
			return fail("WriteProvisionedThroughputSettings", "with a write capacity above 0 is required when BillingMode is PROVISIONED (CloudFormation's default)")
		}
	default:
		return fail("BillingMode", "must be PAY_PER_REQUEST or PROVISIONED, got %q", p.BillingMode)
	}
	if len(p.Replicas) == 0 {
		return fail("Replicas", "must list at least the stack's region %s", s.env.Region)
	}
	gsis := map[string]bool{}
	for _, g := range p.GlobalSecondaryIndexes {
		gsis[g.IndexName] = true
	}
	var regions []string
	var here bool
	for i, r := range p.Replicas {
		prop := fmt.Sprintf("Replicas[%d].Region", i)
		switch {
		case r.Region == "":
			return fail(prop, "is required")
		case slices.Contains(regions, r.Region):
			return fail(prop, "repeats region %s", r.Region)
		case s.peer(r.Region) == nil:
			return fail(prop, "names region %s, which has no DynamoDB service linked to this region's (dynamodb.Link): the emulator runs regions %v", r.Region, s.regions())
		}
		for j, g := range r.GlobalSecondaryIndexes {
			if !gsis[g.IndexName] {
				return fail(fmt.Sprintf("Replicas[%d].GlobalSecondaryIndexes[%d].IndexName", i, j), "names index %q, which GlobalSecondaryIndexes does not define", g.IndexName)
			}
		}
		if billing == model.Provisioned && r.ReadProvisionedThroughputSettings.units() <= 0 && p.ReadProvisionedThroughputSettings.units() <= 0 {
			return fail(fmt.Sprintf("Replicas[%d].ReadProvisionedThroughputSettings", i), "with a read capacity above 0 is required when BillingMode is PROVISIONED")
		}
		here = here || r.Region == s.env.Region
		regions = append(regions, r.Region)
	}
	if !here {
		return fail("Replicas", "has no replica in the stack's region %s (CloudFormation requires one)", s.env.Region)
	}
	name := p.TableName
	if name == "" {
		name = s.env.PhysicalName(res.LogicalID, 255)
	}
	slices.Sort(regions)

	// Create every replica; undo them all if one fails.
	var created []*Service
	undo := func() {
		for _, svc := range created {
			_, _ = svc.model.DeleteTable(name, 0) // undoing a failed creation: gone at once
		}
	}
	var local *model.TableDescription
	for _, r := range p.Replicas {
		svc := s.peer(r.Region)
		in := globalReplicaInput(name, billing, &p, &r)
		desc, err := svc.model.CreateTable(in)
		if err != nil {
			undo()
			return sim.Physical{}, fmt.Errorf("resource %s (%s): create table %s in %s: %w", res.LogicalID, res.Type, name, r.Region, err)
		}
		created = append(created, svc)
		if svc == s {
			local = desc
		}
	}
	for _, r := range p.Replicas {
		svc := s.peer(r.Region)
		if len(regions) > 1 {
			svc.addReplica(name, regions, p.KeySchema, p.AttributeDefinitions)
		}
		logicalID := ""
		if svc == s {
			logicalID = res.LogicalID
		}
		svc.provisioned.Store(name, provisioned{logicalID: logicalID, typ: res.Type})
	}
	attrs := map[string]any{"Arn": local.TableArn, "TableId": local.TableID}
	if local.LatestStreamArn != "" {
		attrs["StreamArn"] = local.LatestStreamArn
	}
	return sim.Physical{Ref: name, Attrs: attrs}, nil
}

// regions lists the regions linked to this service's, its own included.
func (s *Service) regions() []string {
	g := s.grp.Load()
	if g == nil {
		return []string{s.env.Region}
	}
	out := make([]string, 0, len(g.byRegion))
	for r := range g.byRegion {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// globalReplicaInput is the CreateTable request of one replica.
func globalReplicaInput(name, billing string, p *globalTableProps, r *replicaProps) *model.CreateTableInput {
	in := &model.CreateTableInput{
		TableName:                 name,
		AttributeDefinitions:      p.AttributeDefinitions,
		KeySchema:                 p.KeySchema,
		BillingMode:               billing,
		WarmThroughput:            p.WarmThroughput,
		LocalSecondaryIndexes:     p.LocalSecondaryIndexes,
		Tags:                      r.Tags,
		TableClass:                r.TableClass,
		DeletionProtectionEnabled: r.DeletionProtectionEnabled,
		TimeToLive:                p.TimeToLiveSpecification,
	}
	read := r.ReadProvisionedThroughputSettings.units()
	if read <= 0 {
		read = p.ReadProvisionedThroughputSettings.units()
	}
	write := p.WriteProvisionedThroughputSettings.units()
	if billing == model.Provisioned {
		in.ProvisionedThroughput = &model.ProvisionedThroughput{ReadCapacityUnits: read, WriteCapacityUnits: write}
	} else {
		in.OnDemandThroughput = onDemand(p.WriteOnDemandThroughputSettings, r.ReadOnDemandThroughputSettings, p.ReadOnDemandThroughputSettings)
	}
	for _, g := range p.GlobalSecondaryIndexes {
		gsi := model.GlobalSecondaryIndex{IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, WarmThroughput: g.WarmThroughput}
		var rg *replicaGSIProps
		for i := range r.GlobalSecondaryIndexes {
			if r.GlobalSecondaryIndexes[i].IndexName == g.IndexName {
				rg = &r.GlobalSecondaryIndexes[i]
			}
		}
		if billing == model.Provisioned {
			gr, gw := read, write
			if rg != nil && rg.ReadProvisionedThroughputSettings.units() > 0 {
				gr = rg.ReadProvisionedThroughputSettings.units()
			}
			if w := g.WriteProvisionedThroughputSettings.units(); w > 0 {
				gw = w
			}
			gsi.ProvisionedThroughput = &model.ProvisionedThroughput{ReadCapacityUnits: gr, WriteCapacityUnits: gw}
		} else {
			var rr *readOnDemand
			if rg != nil {
				rr = rg.ReadOnDemandThroughputSettings
			}
			gsi.OnDemandThroughput = onDemand(g.WriteOnDemandThroughputSettings, rr, nil)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	if p.StreamSpecification != nil {
		in.StreamSpecification = &model.StreamSpecification{StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType}
	}
	if p.SSESpecification != nil {
		in.SSESpecification = &model.SSESpecification{Enabled: p.SSESpecification.SSEEnabled, SSEType: p.SSESpecification.SSEType}
		if r.SSESpecification != nil {
			in.SSESpecification.KMSMasterKeyID = r.SSESpecification.KMSMasterKeyID
		}
	}
	return in
}

// onDemand is the maximum on-demand throughput of a replica or index, nil without one.
func onDemand(w *writeOnDemand, reads ...*readOnDemand) *model.OnDemandThroughput {
	var od model.OnDemandThroughput
	if w != nil {
		od.MaxWriteRequestUnits = w.MaxWriteRequestUnits
	}
	for _, r := range reads {
		if r != nil && od.MaxReadRequestUnits == 0 {
			od.MaxReadRequestUnits = r.MaxReadRequestUnits
		}
	}
	if od == (model.OnDemandThroughput{}) {
		return nil
	}
	return &od
}

// addReplica makes the table a replica of a global table replicated to regions.
func (s *Service) addReplica(table string, regions []string, ks []model.KeySchemaElement, defs []model.AttributeDefinition) {
	r := &replica{table: table, regions: slices.Clone(regions), stamps: map[string]stamp{}}
	types := map[string]string{}
	for _, d := range defs {
		types[d.AttributeName] = d.AttributeType
	}
	for _, k := range ks {
		a := keyAttr{name: k.AttributeName, typ: types[k.AttributeName]}
		if k.KeyType == "RANGE" {
			r.rng = a
		} else {
			r.hash = a
		}
	}
	s.global.Store(table, r)
	s.hasGlobal.Store(true)
}

// dropReplica removes a deleted replica from its global table, in every region.
func (s *Service) dropReplica(table string) {
	r := s.replicaOf(table)
	if r == nil {
		return
	}
	s.global.Delete(table)
	for _, region := range r.others(s.env.Region) {
		if p := s.peer(region); p != nil {
			if pr := p.replicaOf(table); pr != nil {
				pr.drop(s.env.Region)
			}
		}
	}
}

// replicaDescription is one entry of DescribeTable's Replicas.
type replicaDescription struct {
	RegionName    string `json:"RegionName"`
	ReplicaStatus string `json:"ReplicaStatus"`
}

// globalDescription is a global table's DescribeTable answer: the table's own description plus
// the version and the other replicas, as DynamoDB answers for version 2019.11.21.
type globalDescription struct {
	*model.TableDescription
	GlobalTableVersion string               `json:"GlobalTableVersion"`
	Replicas           []replicaDescription `json:"Replicas"`
}

// describe adds the global table fields to a table's description.
func (s *Service) describe(d *model.TableDescription) any {
	r := s.replicaOf(d.TableName)
	if r == nil {
		return d
	}
	out := globalDescription{TableDescription: d, GlobalTableVersion: GlobalTableVersion, Replicas: []replicaDescription{}}
	for _, region := range r.others(s.env.Region) {
		out.Replicas = append(out.Replicas, replicaDescription{RegionName: region, ReplicaStatus: "ACTIVE"})
	}
	return out
}
