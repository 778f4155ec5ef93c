package model

import "slices"

// TableDescription is DescribeTable's Table (and CreateTable's, DeleteTable's and UpdateTable's
// TableDescription), shaped for the wire.
type TableDescription struct {
	TableName                 string                     `json:"TableName"`
	TableArn                  string                     `json:"TableArn"`
	TableID                   string                     `json:"TableId"`
	TableStatus               string                     `json:"TableStatus"`
	CreationDateTime          Timestamp                  `json:"CreationDateTime"`
	AttributeDefinitions      []AttributeDefinition      `json:"AttributeDefinitions"`
	KeySchema                 []KeySchemaElement         `json:"KeySchema"`
	ProvisionedThroughput     ProvisionedThroughputDesc  `json:"ProvisionedThroughput"`
	BillingModeSummary        *BillingModeSummary        `json:"BillingModeSummary,omitempty"`
	OnDemandThroughput        *OnDemandThroughput        `json:"OnDemandThroughput,omitempty"`
	WarmThroughput            *WarmThroughputDesc        `json:"WarmThroughput,omitempty"`
	TableSizeBytes            int64                      `json:"TableSizeBytes"`
	ItemCount                 int64                      `json:"ItemCount"`
	GlobalSecondaryIndexes    []GlobalSecondaryIndexDesc `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes     []LocalSecondaryIndexDesc  `json:"LocalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpecification       `json:"StreamSpecification,omitempty"`
	LatestStreamLabel         string                     `json:"LatestStreamLabel,omitempty"`
	LatestStreamArn           string                     `json:"LatestStreamArn,omitempty"`
	SSEDescription            *SSEDescription            `json:"SSEDescription,omitempty"`
	TableClassSummary         *TableClassSummary         `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                       `json:"DeletionProtectionEnabled"`
}

// ProvisionedThroughputDesc is a table's or index's provisioned throughput (zeros on demand).
type ProvisionedThroughputDesc struct {
	NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
}

// BillingModeSummary says how the table is billed.
type BillingModeSummary struct {
	BillingMode                       string    `json:"BillingMode"`
	LastUpdateToPayPerRequestDateTime Timestamp `json:"LastUpdateToPayPerRequestDateTime"`
}

// WarmThroughputDesc is what the table or index can serve at once.
type WarmThroughputDesc struct {
	ReadUnitsPerSecond  int64  `json:"ReadUnitsPerSecond"`
	WriteUnitsPerSecond int64  `json:"WriteUnitsPerSecond"`
	Status              string `json:"Status"`
}

// GlobalSecondaryIndexDesc describes a GSI.
type GlobalSecondaryIndexDesc struct {
	IndexName             string                    `json:"IndexName"`
	KeySchema             []KeySchemaElement        `json:"KeySchema"`
	Projection            Projection                `json:"Projection"`
	IndexStatus           string                    `json:"IndexStatus"`
	Backfilling           *bool                     `json:"Backfilling,omitempty"`
	ProvisionedThroughput ProvisionedThroughputDesc `json:"ProvisionedThroughput"`
	OnDemandThroughput    *OnDemandThroughput       `json:"OnDemandThroughput,omitempty"`
	WarmThroughput        *WarmThroughputDesc       `json:"WarmThroughput,omitempty"`
	IndexSizeBytes        int64                     `json:"IndexSizeBytes"`
	ItemCount             int64                     `json:"ItemCount"`
	IndexArn              string                    `json:"IndexArn"`
}

// LocalSecondaryIndexDesc describes an LSI.
type LocalSecondaryIndexDesc struct {
	IndexName      string             `json:"IndexName"`
	KeySchema      []KeySchemaElement `json:"KeySchema"`
	Projection     Projection         `json:"Projection"`
	IndexSizeBytes int64              `json:"IndexSizeBytes"`
	ItemCount      int64              `json:"ItemCount"`
	IndexArn       string             `json:"IndexArn"`
}

// SSEDescription reports server-side encryption.
type SSEDescription struct {
	Status  string `json:"Status"`
	SSEType string `json:"SSEType,omitempty"`
}

// TableClassSummary reports the table class.
type TableClassSummary struct {
	TableClass string `json:"TableClass"`
}

func (t *Table) describe() TableDescription {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.describeLocked()
}

func (t *Table) describeLocked() TableDescription {
	d := TableDescription{
		TableName:                 t.name,
		TableArn:                  t.arn,
		TableID:                   t.id,
		TableStatus:               t.statusLocked(),
		CreationDateTime:          Timestamp(t.created),
		AttributeDefinitions:      slices.Clone(t.defs),
		KeySchema:                 t.schema.elements(),
		ProvisionedThroughput:     provDesc(t.prov),
		TableSizeBytes:            t.bytes,
		ItemCount:                 int64(t.items),
		DeletionProtectionEnabled: t.deletionProtection,
		OnDemandThroughput:        t.onDemand,
	}
	d.BillingModeSummary = &BillingModeSummary{BillingMode: t.billing, LastUpdateToPayPerRequestDateTime: Timestamp(t.billingUpdated)}
	d.WarmThroughput = &WarmThroughputDesc{ReadUnitsPerSecond: int64(t.cap.read.rate), WriteUnitsPerSecond: int64(t.cap.write.rate), Status: "ACTIVE"}
	for _, ix := range t.indexes().gsis {
		status := StatusActive
		var backfilling *bool // absent for an index created with its table, as DynamoDB answers
		if ix.backfilled {
			creating := t.clock().Before(ix.activeAt)
			backfilling = &creating
			if creating {
				status = StatusCreating
			}
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, GlobalSecondaryIndexDesc{
			IndexName:             ix.name,
			KeySchema:             ix.schema.elements(),
			Projection:            projectionDesc(ix.proj),
			IndexStatus:           status,
			Backfilling:           backfilling,
			ProvisionedThroughput: provDesc(ix.prov),
			OnDemandThroughput:    ix.onDemand,
			WarmThroughput:        &WarmThroughputDesc{ReadUnitsPerSecond: int64(ix.cap.read.rate), WriteUnitsPerSecond: int64(ix.cap.write.rate), Status: "ACTIVE"},
			IndexSizeBytes:        ix.bytes,
			ItemCount:             int64(ix.items),
			IndexArn:              ix.arn,
		})
	}
	for _, ix := range t.indexes().lsis {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, LocalSecondaryIndexDesc{
			IndexName:      ix.name,
			KeySchema:      ix.schema.elements(),
			Projection:     projectionDesc(ix.proj),
			IndexSizeBytes: ix.bytes,
			ItemCount:      int64(ix.items),
			IndexArn:       ix.arn,
		})
	}
	if t.stream != nil {
		s := *t.stream
		d.StreamSpecification = &s
		d.LatestStreamLabel = t.streamLabel
		d.LatestStreamArn = t.arn + "/stream/" + t.streamLabel
	}
	if t.sse != nil && t.sse.Enabled != nil && *t.sse.Enabled {
		d.SSEDescription = &SSEDescription{Status: "ENABLED", SSEType: cmpOr(t.sse.SSEType, "KMS")}
	}
	if t.tableClass != "" {
		d.TableClassSummary = &TableClassSummary{TableClass: t.tableClass}
	}
	return d
}

func provDesc(p *ProvisionedThroughput) ProvisionedThroughputDesc {
	if p == nil {
		return ProvisionedThroughputDesc{}
	}
	return ProvisionedThroughputDesc{ReadCapacityUnits: p.ReadCapacityUnits, WriteCapacityUnits: p.WriteCapacityUnits}
}

func projectionDesc(p Projection) Projection {
	if p.ProjectionType == "" {
		p.ProjectionType = "ALL"
	}
	return p
}
