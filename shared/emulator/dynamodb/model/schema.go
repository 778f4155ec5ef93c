package model

import (
	"slices"
	"strings"
	"time"
)

// AttributeDefinition declares a key attribute's type: S, N or B.
type AttributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// KeySchemaElement is one key attribute: KeyType HASH (partition key) or RANGE (sort key).
type KeySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

// Projection says which attributes an index holds.
type Projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// ProvisionedThroughput is a provisioned table's or index's capacity per second.
type ProvisionedThroughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

// OnDemandThroughput caps an on-demand table's or index's throughput; -1 or 0 means no cap.
type OnDemandThroughput struct {
	MaxReadRequestUnits  int64 `json:"MaxReadRequestUnits,omitempty"`
	MaxWriteRequestUnits int64 `json:"MaxWriteRequestUnits,omitempty"`
}

// WarmThroughput pre-warms a table or index: it can serve this much at once.
type WarmThroughput struct {
	ReadUnitsPerSecond  int64 `json:"ReadUnitsPerSecond,omitempty"`
	WriteUnitsPerSecond int64 `json:"WriteUnitsPerSecond,omitempty"`
}

// GlobalSecondaryIndex defines a GSI.
type GlobalSecondaryIndex struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            Projection             `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput    *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
	WarmThroughput        *WarmThroughput        `json:"WarmThroughput,omitempty"`
}

// LocalSecondaryIndex defines an LSI.
type LocalSecondaryIndex struct {
	IndexName  string             `json:"IndexName"`
	KeySchema  []KeySchemaElement `json:"KeySchema"`
	Projection Projection         `json:"Projection"`
}

// StreamSpecification turns a table's stream on (see the Streams section of table.go).
type StreamSpecification struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// TimeToLiveSpecification is recorded; expired items are not deleted yet.
type TimeToLiveSpecification struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// SSESpecification is accepted and reported; encryption at rest means nothing offline.
type SSESpecification struct {
	Enabled        *bool  `json:"Enabled,omitempty"`
	SSEType        string `json:"SSEType,omitempty"`
	KMSMasterKeyID string `json:"KMSMasterKeyId,omitempty"`
}

// CreateTableInput is CreateTable's request, also built from CloudFormation properties.
type CreateTableInput struct {
	TableName                 string                   `json:"TableName"`
	AttributeDefinitions      []AttributeDefinition    `json:"AttributeDefinitions"`
	KeySchema                 []KeySchemaElement       `json:"KeySchema"`
	BillingMode               string                   `json:"BillingMode,omitempty"`
	ProvisionedThroughput     *ProvisionedThroughput   `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput        *OnDemandThroughput      `json:"OnDemandThroughput,omitempty"`
	WarmThroughput            *WarmThroughput          `json:"WarmThroughput,omitempty"`
	GlobalSecondaryIndexes    []GlobalSecondaryIndex   `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes     []LocalSecondaryIndex    `json:"LocalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpecification     `json:"StreamSpecification,omitempty"`
	SSESpecification          *SSESpecification        `json:"SSESpecification,omitempty"`
	TableClass                string                   `json:"TableClass,omitempty"`
	DeletionProtectionEnabled bool                     `json:"DeletionProtectionEnabled,omitempty"`
	Tags                      []Tag                    `json:"Tags,omitempty"`
	ResourcePolicy            string                   `json:"ResourcePolicy,omitempty"`
	TimeToLive                *TimeToLiveSpecification `json:"-"` // CloudFormation only
	nulls                     nulls                    // members sent null (findNulls)
	// Transition is how long the new table stays CREATING before it is ACTIVE (set by the API
	// layer; zero, ACTIVE at once, for tables a template provisions).
	Transition time.Duration `json:"-"`
}

// Billing modes.
const (
	PayPerRequest = "PAY_PER_REQUEST"
	Provisioned   = "PROVISIONED"
)

// keyAttr is a key attribute and its scalar type.
type keyAttr struct{ name, typ string }

// keySchema is a table's or index's primary key; rng.name is empty without a sort key.
type keySchema struct{ hash, rng keyAttr }

func (k keySchema) elements() []KeySchemaElement {
	out := []KeySchemaElement{{AttributeName: k.hash.name, KeyType: "HASH"}}
	if k.rng.name != "" {
		out = append(out, KeySchemaElement{AttributeName: k.rng.name, KeyType: "RANGE"})
	}
	return out
}

func (k keySchema) has(name string) bool { return name == k.hash.name || name == k.rng.name }

// parseKeySchema checks a key schema against the attribute definitions. what prefixes messages
// about indexes, as DynamoDB does.
func parseKeySchema(elems []KeySchemaElement, defs map[string]string, what string) (keySchema, error) {
	var ks keySchema
	if len(elems) == 0 || len(elems) > 2 {
		return ks, validation("%sKey Schema must have one or two elements, got %d", what, len(elems))
	}
	for i, e := range elems {
		typ, ok := defs[e.AttributeName]
		switch {
		case e.AttributeName == "":
			return ks, validation("%sKey schema attribute name must not be empty", what)
		case e.KeyType == "HASH" && i == 0:
			if !ok {
				return ks, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", e.AttributeName, definedNames(defs))
			}
			ks.hash = keyAttr{e.AttributeName, typ}
		case e.KeyType == "RANGE" && i == 1:
			if !ok {
				return ks, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", e.AttributeName, definedNames(defs))
			}
			if e.AttributeName == ks.hash.name {
				return ks, validation("%sBoth the Hash Key and the Range Key element in the KeySchema have the same name", what)
			}
			ks.rng = keyAttr{e.AttributeName, typ}
		default:
			return ks, validation("%sInvalid KeySchema: The first KeySchemaElement is not a HASH key type", what)
		}
	}
	return ks, nil
}

func definedNames(defs map[string]string) string {
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func attributeTypes(defs []AttributeDefinition) (map[string]string, error) {
	out := make(map[string]string, len(defs))
	for _, d := range defs {
		switch d.AttributeType {
		case "S", "N", "B":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		if _, dup := out[d.AttributeName]; dup {
			return nil, validation("Cannot have two attributes with the same name")
		}
		out[d.AttributeName] = d.AttributeType
	}
	return out, nil
}

func validProjection(p Projection, what string) error {
	switch p.ProjectionType {
	case "":
		// An empty Projection: DynamoDB requires its ProjectionType
		// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html).
		return validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
	default:
		return validation("%sunknown ProjectionType %q", what, p.ProjectionType)
	}
	return nil
}
