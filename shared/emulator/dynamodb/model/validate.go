package model

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Request validation as DynamoDB does it: every violated member constraint of the request is
// reported at once, in one ValidationException, before the table is looked up:
//
//	2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must
//	have value greater than or equal to 1; Value 'ab' at 'tableName' failed to satisfy
//	constraint: Member must have length greater than or equal to 3
//
// The members are checked in the order DynamoDB reports them and at most ten violations are
// listed, as DynamoDB lists them. The constraints are the API reference's (Length Constraints,
// Valid Values, Valid Range, Pattern; e.g.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html). A request
// whose members all satisfy their constraints goes on to the operation's own checks (key schema,
// expressions), which DynamoDB reports one at a time.
//
// An empty string is taken as absent ("Value null … Member must not be null"): the decoder does
// not tell them apart, and no valid request has an empty required string.

// maxViolations is how many violations DynamoDB lists in one message.
const maxViolations = 10

// constraints collects a request's violated member constraints.
type constraints struct {
	msgs []string
	// nulls are the request's members that were left out (or null) where the decoded value
	// cannot tell, by their paths ("provisionedThroughput.readCapacityUnits"); see nulls.
	nulls map[string]bool
}

func (c *constraints) fail(value *string, path, rule string) {
	if len(c.msgs) >= maxViolations {
		return
	}
	v := "null"
	if value != nil {
		v = "'" + *value + "'"
	}
	c.msgs = append(c.msgs, "Value "+v+" at '"+path+"' failed to satisfy constraint: "+rule)
}

// err is the ValidationException listing the violations, nil when there are none.
func (c *constraints) err() error {
	switch len(c.msgs) {
	case 0:
		return nil
	case 1:
		return &Error{Code: CodeValidation, Message: "1 validation error detected: " + c.msgs[0]}
	}
	return &Error{Code: CodeValidation, Message: strconv.Itoa(len(c.msgs)) + " validation errors detected: " + strings.Join(c.msgs, "; ")}
}

func (c *constraints) notNull(path string, present bool) {
	if !present {
		c.fail(nil, path, "Member must not be null")
	}
}

// length checks a present string's length in characters (max < 0: no maximum).
func (c *constraints) length(path, s string, lo, hi int) {
	if s == "" {
		return
	}
	n := len([]rune(s))
	if n < lo {
		c.fail(&s, path, "Member must have length greater than or equal to "+strconv.Itoa(lo))
	}
	if hi >= 0 && n > hi {
		c.fail(&s, path, "Member must have length less than or equal to "+strconv.Itoa(hi))
	}
}

// name checks a table or index name against DynamoDB's naming rules: [a-zA-Z0-9_.-]+, 3 to 255
// characters (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
func (c *constraints) name(path, s string) {
	if s == "" {
		return
	}
	if !validNameChars(s) {
		c.fail(&s, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	c.length(path, s, 3, 255)
}

func validNameChars(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// enum checks a present string against its valid values, listed as DynamoDB lists them.
func (c *constraints) enum(path, s string, set ...string) {
	if s == "" {
		return
	}
	for _, v := range set {
		if s == v {
			return
		}
	}
	c.fail(&s, path, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
}

// atLeast and atMost check a present integer's range.
func (c *constraints) atLeast(path string, v *int, lo int) {
	if v != nil && *v < lo {
		s := strconv.Itoa(*v)
		c.fail(&s, path, "Member must have value greater than or equal to "+strconv.Itoa(lo))
	}
}

func (c *constraints) atMost(path string, v *int, hi int) {
	if v != nil && *v > hi {
		s := strconv.Itoa(*v)
		c.fail(&s, path, "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
}

// dataTableName checks a data-plane TableName, which may also be the table's ARN: 1 to 1024
// characters (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html).
func (c *constraints) dataTableName(s string) {
	c.notNull("tableName", s != "")
	c.length("tableName", s, 1, 1024)
}

// Valid values, in the order DynamoDB lists them in its messages.
var (
	enumReturnConsumedCapacity = []string{"INDEXES", "TOTAL", "NONE"}
	enumReturnValues           = []string{"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"}
	enumReturnOnFailure        = []string{"ALL_OLD", "NONE"}
	enumConditionalOperator    = []string{"OR", "AND"}
	enumSelect                 = []string{"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"}
	enumBillingMode            = []string{"PROVISIONED", "PAY_PER_REQUEST"}
	enumAttributeType          = []string{"B", "N", "S"}
	enumKeyType                = []string{"HASH", "RANGE"}
	enumProjectionType         = []string{"ALL", "INCLUDE", "KEYS_ONLY"}
	enumTableClass             = []string{"STANDARD", "STANDARD_INFREQUENT_ACCESS"}
	enumItemCollectionMetrics  = []string{"SIZE", "NONE"}
)

func (in *GetItemInput) validate() error {
	var c constraints
	c.dataTableName(in.TableName)
	c.notNull("key", in.Key != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	return c.err()
}

// writeConstraints are the members PutItem, UpdateItem and DeleteItem share, in DynamoDB's order
// (where returnItemCollectionMetrics falls among them is not recorded: it is put after
// returnValues, as the API reference lists it).
func writeConstraints(c *constraints, rcc, conditionalOperator, returnValues, ricm, rvOnFailure string) {
	c.enum("returnConsumedCapacity", rcc, enumReturnConsumedCapacity...)
	c.enum("conditionalOperator", conditionalOperator, enumConditionalOperator...)
	c.enum("returnValues", returnValues, enumReturnValues...)
	c.enum("returnItemCollectionMetrics", ricm, enumItemCollectionMetrics...)
	c.enum("returnValuesOnConditionCheckFailure", rvOnFailure, enumReturnOnFailure...)
}

func (in *PutItemInput) validate() error {
	var c constraints
	c.dataTableName(in.TableName)
	c.notNull("item", in.Item != nil)
	writeConstraints(&c, in.ReturnConsumedCapacity, in.ConditionalOperator, in.ReturnValues, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func (in *UpdateItemInput) validate() error {
	var c constraints
	c.dataTableName(in.TableName)
	c.notNull("key", in.Key != nil)
	writeConstraints(&c, in.ReturnConsumedCapacity, in.ConditionalOperator, in.ReturnValues, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func (in *DeleteItemInput) validate() error {
	var c constraints
	c.dataTableName(in.TableName)
	c.notNull("key", in.Key != nil)
	writeConstraints(&c, in.ReturnConsumedCapacity, in.ConditionalOperator, in.ReturnValues, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	return c.err()
}

func (in *QueryInput) validate() error {
	var c constraints
	c.atLeast("limit", in.Limit, 1)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.dataTableName(in.TableName)
	c.enum("select", in.Select, enumSelect...)
	c.name("indexName", in.IndexName)
	return c.err()
}

func (in *ScanInput) validate() error {
	var c constraints
	c.atLeast("limit", in.Limit, 1)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.dataTableName(in.TableName)
	c.atLeast("segment", in.Segment, 0)
	c.atMost("segment", in.Segment, 999999)
	c.enum("select", in.Select, enumSelect...)
	c.atLeast("totalSegments", in.TotalSegments, 1)
	c.atMost("totalSegments", in.TotalSegments, 1000000)
	c.name("indexName", in.IndexName)
	return c.err()
}

func (in *ListTablesInput) validate() error {
	var c constraints
	c.atLeast("limit", in.Limit, 1)
	c.atMost("limit", in.Limit, 100)
	if in.ExclusiveStartTableName != nil {
		s := *in.ExclusiveStartTableName
		if s == "" {
			// "" fails both the pattern and the length, as any name does that it fails.
			c.fail(&s, "exclusiveStartTableName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
			c.fail(&s, "exclusiveStartTableName", "Member must have length greater than or equal to 3")
		}
		c.name("exclusiveStartTableName", s)
	}
	return c.err()
}

// maxCapacityUnits is the largest ReadCapacityUnits or WriteCapacityUnits DynamoDB takes in a
// request; more is "out of bounds" (the account's and table's quotas, 40,000 units by default
// as DescribeLimits answers, are not enforced).
const maxCapacityUnits = 1_000_000_000_000

// throughput checks a ProvisionedThroughput's members.
func (c *constraints) throughput(path string, p *ProvisionedThroughput) {
	if p == nil {
		return
	}
	for _, u := range []struct {
		member string
		v      int64
	}{{"writeCapacityUnits", p.WriteCapacityUnits}, {"readCapacityUnits", p.ReadCapacityUnits}} {
		if c.nulls[path+"."+u.member] {
			c.notNull(path+"."+u.member, false)
		} else if u.v < 1 {
			s := strconv.FormatInt(u.v, 10)
			c.fail(&s, path+"."+u.member, "Member must have value greater than or equal to 1")
		}
	}
}

// keySchema checks a key schema's members.
func (c *constraints) keySchema(path string, ks []KeySchemaElement, enumKeys bool) {
	c.notNull(path, ks != nil)
	if len(ks) > 2 {
		// DynamoDB shows a list as its members' toString; the emulator names the count instead.
		s := strconv.Itoa(len(ks)) + " elements"
		c.fail(&s, path, "Member must have length less than or equal to 2")
	}
	if ks != nil && len(ks) == 0 {
		s := "[]"
		c.fail(&s, path, "Member must have length greater than or equal to 1")
	}
	for i, e := range ks {
		p := path + "." + strconv.Itoa(i+1) + ".member"
		c.notNull(p+".attributeName", e.AttributeName != "")
		c.length(p+".attributeName", e.AttributeName, 1, 255)
		c.notNull(p+".keyType", e.KeyType != "")
		if enumKeys {
			c.enum(p+".keyType", e.KeyType, enumKeyType...)
		}
	}
}

// projection checks an index's Projection: DynamoDB requires its ProjectionType.
func (c *constraints) projection(path string, p Projection) {
	if c.nulls[path] {
		c.notNull(path, false)
		return
	}
	c.enum(path+".projectionType", p.ProjectionType, enumProjectionType...)
	if p.NonKeyAttributes != nil && len(p.NonKeyAttributes) == 0 {
		s := "[]"
		c.fail(&s, path+".nonKeyAttributes", "Member must have length greater than or equal to 1")
	}
}

func (in *CreateTableInput) validate() error {
	c := constraints{nulls: in.nulls}
	c.notNull("attributeDefinitions", in.AttributeDefinitions != nil)
	for i, d := range in.AttributeDefinitions {
		p := "attributeDefinitions." + strconv.Itoa(i+1) + ".member"
		c.notNull(p+".attributeName", d.AttributeName != "")
		c.length(p+".attributeName", d.AttributeName, 1, 255)
		c.notNull(p+".attributeType", d.AttributeType != "")
		c.enum(p+".attributeType", d.AttributeType, enumAttributeType...)
	}
	c.notNull("tableName", in.TableName != "")
	c.name("tableName", in.TableName)
	c.enum("billingMode", in.BillingMode, enumBillingMode...)
	c.throughput("provisionedThroughput", in.ProvisionedThroughput)
	c.keySchema("keySchema", in.KeySchema, true)
	for i, l := range in.LocalSecondaryIndexes {
		p := "localSecondaryIndexes." + strconv.Itoa(i+1) + ".member"
		c.notNull(p+".indexName", l.IndexName != "")
		c.name(p+".indexName", l.IndexName)
		c.keySchema(p+".keySchema", l.KeySchema, true)
		c.projection(p+".projection", l.Projection)
	}
	for i, g := range in.GlobalSecondaryIndexes {
		p := "globalSecondaryIndexes." + strconv.Itoa(i+1) + ".member"
		c.notNull(p+".indexName", g.IndexName != "")
		c.name(p+".indexName", g.IndexName)
		c.keySchema(p+".keySchema", g.KeySchema, true)
		c.projection(p+".projection", g.Projection)
		c.throughput(p+".provisionedThroughput", g.ProvisionedThroughput)
	}
	c.enum("tableClass", in.TableClass, enumTableClass...)
	if err := c.err(); err != nil {
		return err
	}
	return in.checkSchema()
}

// checkSchema makes CreateTable's own checks, once every member satisfies its constraints, one
// at a time in DynamoDB's order: billing and capacity, then the table's key schema against the
// attribute definitions, then each local and each global secondary index
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
func (in *CreateTableInput) checkSchema() error {
	if in.BillingMode == PayPerRequest {
		if in.ProvisionedThroughput != nil {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	} else {
		if p := in.ProvisionedThroughput; p == nil || p.ReadCapacityUnits == 0 || p.WriteCapacityUnits == 0 {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if err := capacityBounds(in.ProvisionedThroughput); err != nil {
			return err
		}
	}
	defs := make([]string, len(in.AttributeDefinitions))
	for i, d := range in.AttributeDefinitions {
		defs[i] = d.AttributeName
	}
	if len(in.KeySchema) > len(defs) {
		return validation("Invalid KeySchema: Some index key attribute have no definition")
	}
	if err := checkKeys(in.KeySchema, defs); err != nil {
		return err
	}
	if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil && len(in.KeySchema) != len(defs) {
		return validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	names := map[string]bool{}
	if in.LocalSecondaryIndexes != nil {
		if len(in.LocalSecondaryIndexes) == 0 {
			return validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
		}
		if len(in.KeySchema) != 2 {
			return validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		for _, l := range in.LocalSecondaryIndexes {
			if err := checkKeys(l.KeySchema, defs); err != nil {
				return err
			}
			if len(l.KeySchema) != 2 {
				return validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", l.IndexName)
			}
			if h, th := l.KeySchema[0].AttributeName, in.KeySchema[0].AttributeName; h != th {
				return validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", l.IndexName, h, th)
			}
			if err := checkProjection(l.Projection); err != nil {
				return err
			}
			if names[l.IndexName] {
				return validation("One or more parameter values were invalid: Duplicate index name: %s", l.IndexName)
			}
			names[l.IndexName] = true
		}
		if len(in.LocalSecondaryIndexes) > 5 {
			return validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
		}
		for _, g := range in.GlobalSecondaryIndexes {
			if err := checkKeys(g.KeySchema, defs); err != nil {
				return err
			}
			if err := checkProjection(g.Projection); err != nil {
				return err
			}
			if in.BillingMode == PayPerRequest && g.ProvisionedThroughput != nil {
				return validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", g.IndexName)
			}
			if names[g.IndexName] {
				return validation("One or more parameter values were invalid: Duplicate index name: %s", g.IndexName)
			}
			names[g.IndexName] = true
		}
		if len(in.GlobalSecondaryIndexes) > 20 {
			return validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
		}
	}
	return nil
}

// checkKeys checks a table's or index's key schema (one or two elements, as its constraints
// ensured) against the attribute definitions, in the request's order.
func checkKeys(ks []KeySchemaElement, defs []string) error {
	keys := make([]string, len(ks))
	for i, e := range ks {
		keys[i] = e.AttributeName
	}
	for _, k := range keys {
		if !slices.Contains(defs, k) {
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(keys, ", "), strings.Join(defs, ", "))
		}
	}
	if len(ks) == 2 && keys[0] == keys[1] {
		return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if ks[0].KeyType != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 && ks[1].KeyType != "RANGE" {
		return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	return nil
}

// checkProjection checks an index's Projection: its ProjectionType is required, and
// NonKeyAttributes go with INCLUDE only
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html).
func checkProjection(p Projection) error {
	if p.ProjectionType == "" {
		return validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	}
	if p.NonKeyAttributes != nil && p.ProjectionType != "INCLUDE" {
		return validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
	}
	return nil
}

func (in *UpdateTableInput) validate() error {
	c := constraints{nulls: in.nulls}
	for i, d := range in.AttributeDefinitions {
		p := "attributeDefinitions." + strconv.Itoa(i+1) + ".member"
		c.notNull(p+".attributeName", d.AttributeName != "")
		c.notNull(p+".attributeType", d.AttributeType != "")
		c.enum(p+".attributeType", d.AttributeType, enumAttributeType...)
	}
	c.notNull("tableName", in.TableName != "")
	c.length("tableName", in.TableName, 1, 1024)
	c.enum("billingMode", in.BillingMode, enumBillingMode...)
	c.throughput("provisionedThroughput", in.ProvisionedThroughput)
	for i, u := range in.GlobalSecondaryIndexUpdates {
		p := "globalSecondaryIndexUpdates." + strconv.Itoa(i+1) + ".member"
		if u.Create != nil {
			c.notNull(p+".create.indexName", u.Create.IndexName != "")
			c.name(p+".create.indexName", u.Create.IndexName)
			c.keySchema(p+".create.keySchema", u.Create.KeySchema, true)
			c.projection(p+".create.projection", u.Create.Projection)
			c.throughput(p+".create.provisionedThroughput", u.Create.ProvisionedThroughput)
		}
		if u.Update != nil {
			c.notNull(p+".update.indexName", u.Update.IndexName != "")
			c.name(p+".update.indexName", u.Update.IndexName)
			c.throughput(p+".update.provisionedThroughput", u.Update.ProvisionedThroughput)
		}
		if u.Delete != nil {
			c.notNull(p+".delete.indexName", u.Delete.IndexName != "")
			c.name(p+".delete.indexName", u.Delete.IndexName)
		}
	}
	c.enum("tableClass", in.TableClass, enumTableClass...)
	if err := c.err(); err != nil {
		return err
	}
	return in.checkChanges()
}

// checkChanges makes UpdateTable's own checks, once every member satisfies its constraints and
// before the table is looked up: the request changes something, PROVISIONED comes with its
// throughput, capacity is in bounds, and each index update names one action and one index
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
func (in *UpdateTableInput) checkChanges() error {
	if in.ProvisionedThroughput == nil && in.BillingMode == "" && in.StreamSpecification == nil &&
		len(in.GlobalSecondaryIndexUpdates) == 0 && in.SSESpecification == nil && in.TableClass == "" &&
		in.DeletionProtectionEnabled == nil && in.OnDemandThroughput == nil && in.WarmThroughput == nil {
		return validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if in.BillingMode == Provisioned && in.ProvisionedThroughput == nil {
		return validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	}
	if err := capacityBounds(in.ProvisionedThroughput); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		var name string
		switch {
		case u.Update != nil:
			name = u.Update.IndexName
		case u.Create != nil:
			name = u.Create.IndexName
		case u.Delete != nil:
			name = u.Delete.IndexName
		default:
			return validation("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		}
		if names[name] {
			return validation("One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: %s", name)
		}
		names[name] = true
	}
	return nil
}

// capacityBounds refuses capacity units beyond what DynamoDB takes in a request.
func capacityBounds(p *ProvisionedThroughput) error {
	if p == nil {
		return nil
	}
	if p.ReadCapacityUnits > maxCapacityUnits {
		return validation("Given value %d for ReadCapacityUnits is out of bounds", p.ReadCapacityUnits)
	}
	if p.WriteCapacityUnits > maxCapacityUnits {
		return validation("Given value %d for WriteCapacityUnits is out of bounds", p.WriteCapacityUnits)
	}
	return nil
}

// validateTableName checks the TableName of DescribeTable, DeleteTable and the other calls that
// name a table only.
func validateTableName(name string) error {
	var c constraints
	c.dataTableName(name)
	return c.err()
}

// requestItems checks a batch's RequestItems map: present, with at least one table.
func (c *constraints) requestItems(n int, present bool) {
	c.notNull("requestItems", present)
	if present && n == 0 {
		v := "{}"
		c.fail(&v, "requestItems", "Member must have length greater than or equal to 1")
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
func (in *BatchGetItemInput) validate() error {
	var c constraints
	c.requestItems(len(in.RequestItems), in.RequestItems != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (in *BatchWriteItemInput) validate() error {
	var c constraints
	c.requestItems(len(in.RequestItems), in.RequestItems != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	return c.err()
}

// transactItems checks a transaction's TransactItems list: 1 to 100 actions.
func (c *constraints) transactItems(n int, present bool) {
	c.notNull("transactItems", present)
	switch {
	case present && n == 0:
		v := "[]"
		c.fail(&v, "transactItems", "Member must have length greater than or equal to 1")
	case n > 100:
		// DynamoDB prints the list itself; the emulator names its length instead.
		v := strconv.Itoa(n) + " actions"
		c.fail(&v, "transactItems", "Member must have length less than or equal to 100")
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
func (in *TransactGetItemsInput) validate() error {
	var c constraints
	c.transactItems(len(in.TransactItems), in.TransactItems != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (in *TransactWriteItemsInput) validate() error {
	var c constraints
	c.transactItems(len(in.TransactItems), in.TransactItems != nil)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	c.length("clientRequestToken", in.ClientRequestToken, 1, 36)
	return c.err()
}

// nulls finds the members of a CreateTable or UpdateTable request that were left out (or null)
// where the decoded request cannot tell them from zero values: a ProvisionedThroughput's
// capacity units (0 is "Value '0' … greater than or equal to 1", absent "Value null … must not
// be null") and an index's Projection (absent is "must not be null", {} has no ProjectionType).
// The keys are the members' paths as validation messages name them.
type nulls map[string]bool

// rawThroughput is a ProvisionedThroughput as sent.
type rawThroughput struct {
	ReadCapacityUnits  json.RawMessage `json:"ReadCapacityUnits"`
	WriteCapacityUnits json.RawMessage `json:"WriteCapacityUnits"`
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

func (n nulls) throughput(path string, p *rawThroughput) {
	if p == nil {
		return
	}
	if isNull(p.WriteCapacityUnits) {
		n[path+".writeCapacityUnits"] = true
	}
	if isNull(p.ReadCapacityUnits) {
		n[path+".readCapacityUnits"] = true
	}
}

// findNulls notes the request's null members (after it decoded without error).
func (in *CreateTableInput) findNulls(data []byte) {
	var raw struct {
		ProvisionedThroughput *rawThroughput `json:"ProvisionedThroughput"`
		LocalSecondaryIndexes []struct {
			Projection json.RawMessage `json:"Projection"`
		} `json:"LocalSecondaryIndexes"`
		GlobalSecondaryIndexes []struct {
			Projection            json.RawMessage `json:"Projection"`
			ProvisionedThroughput *rawThroughput  `json:"ProvisionedThroughput"`
		} `json:"GlobalSecondaryIndexes"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return
	}
	n := nulls{}
	n.throughput("provisionedThroughput", raw.ProvisionedThroughput)
	for i, l := range raw.LocalSecondaryIndexes {
		if isNull(l.Projection) {
			n["localSecondaryIndexes."+strconv.Itoa(i+1)+".member.projection"] = true
		}
	}
	for i, g := range raw.GlobalSecondaryIndexes {
		p := "globalSecondaryIndexes." + strconv.Itoa(i+1) + ".member"
		if isNull(g.Projection) {
			n[p+".projection"] = true
		}
		n.throughput(p+".provisionedThroughput", g.ProvisionedThroughput)
	}
	in.nulls = n
}

// findNulls notes the request's null members (after it decoded without error).
func (in *UpdateTableInput) findNulls(data []byte) {
	var raw struct {
		ProvisionedThroughput       *rawThroughput `json:"ProvisionedThroughput"`
		GlobalSecondaryIndexUpdates []struct {
			Create *struct {
				Projection            json.RawMessage `json:"Projection"`
				ProvisionedThroughput *rawThroughput  `json:"ProvisionedThroughput"`
			} `json:"Create"`
			Update *struct {
				ProvisionedThroughput *rawThroughput `json:"ProvisionedThroughput"`
			} `json:"Update"`
		} `json:"GlobalSecondaryIndexUpdates"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return
	}
	n := nulls{}
	n.throughput("provisionedThroughput", raw.ProvisionedThroughput)
	for i, u := range raw.GlobalSecondaryIndexUpdates {
		p := "globalSecondaryIndexUpdates." + strconv.Itoa(i+1) + ".member"
		if u.Create != nil {
			if isNull(u.Create.Projection) {
				n[p+".create.projection"] = true
			}
			n.throughput(p+".create.provisionedThroughput", u.Create.ProvisionedThroughput)
		}
		if u.Update != nil {
			n.throughput(p+".update.provisionedThroughput", u.Update.ProvisionedThroughput)
		}
	}
	in.nulls = n
}
