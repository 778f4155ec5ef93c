package model

import (
	"encoding/base64"
	"encoding/json"
	"maps"
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
// An empty string is taken as absent ("Value null … Member must not be null") where the decoder
// does not tell them apart; it does for the TableName and IndexName of reads and writes and for
// a legacy condition's ComparisonOperator, which DynamoDB checks as the strings they are.

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

// failMember records a violation in the wording of the validation framework DynamoDB has been
// moving its operations to, member by member: the value is not quoted and the member's path is
// spelled as the API reference spells it ("Value at 'Limit' failed to satisfy constraint: …",
// "Value at 'RequestItems.orders.member.Keys' …"). It is used for the members whose answers
// were captured in this wording.
func (c *constraints) failMember(path, rule string) {
	if len(c.msgs) >= maxViolations {
		return
	}
	c.msgs = append(c.msgs, "Value at '"+path+"' failed to satisfy constraint: "+rule)
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

// tableNameOrARN checks the TableName of the calls that only name a table (DescribeTable and
// the like), which may also be the table's ARN: 1 to 1024 characters
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html).
func (c *constraints) tableNameOrARN(s string) {
	c.notNull("tableName", s != "")
	c.length("tableName", s, 1, 1024)
}

// Members sent as "", which DynamoDB tells from members left out: they share the request's
// emptyExprs with its expressions.
const (
	emptyIndexName emptyExprs = 1 << (6 + iota)
	emptyTableName
)

// dataTableName checks a read or write's TableName. The member takes 1 to 1024 characters, a
// table's name or its ARN (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html),
// so "" fails its minimum length only: DynamoDB answers it with "Member must have length greater
// than or equal to 1" today, as the conformance suite captured in 2026
// (https://github.com/nubo-db/dynamodb-conformance/blob/main/tests/tier3/error-messages/putItem.test.ts).
// A name that is no ARN must follow the naming rules, 3 to 255 characters of [a-zA-Z0-9_.-]
// (same capture: 256 characters fail "less than or equal to 255", "bad table!@#" the pattern).
func (c *constraints) dataTableName(s string, sent bool) {
	switch {
	case s == "" && !sent:
		c.notNull("tableName", false)
	case s == "":
		c.fail(&s, "tableName", "Member must have length greater than or equal to 1")
	case strings.HasPrefix(s, "arn:"):
		c.length("tableName", s, 1, 1024)
	default:
		c.name("tableName", s)
	}
}

// indexName checks a Query's or Scan's IndexName, whose pattern and minimum length "" fails
// both (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html).
func (c *constraints) indexName(s string, sent bool) {
	if s == "" && sent {
		c.fail(&s, "indexName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
		c.fail(&s, "indexName", "Member must have length greater than or equal to 3")
		return
	}
	c.name("indexName", s)
}

// attributesToGet checks a legacy AttributesToGet list: 1 to 255 names. DynamoDB shows a list
// as Java's toString, [a, b].
func (c *constraints) attributesToGet(path string, names []string) {
	if names == nil || len(names) >= 1 && len(names) <= 255 {
		return
	}
	v := "[" + strings.Join(names, ", ") + "]"
	if len(names) == 0 {
		c.fail(&v, path, "Member must have length greater than or equal to 1")
		return
	}
	c.fail(&v, path, "Member must have length less than or equal to 255")
}

// conditions checks the ComparisonOperator of each legacy condition of KeyConditions,
// QueryFilter or ScanFilter (required, one of the operators), in the attributes' order.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
func (c *constraints) conditions(path string, conds map[string]Condition) {
	for _, attr := range slices.Sorted(maps.Keys(conds)) {
		cond := conds[attr]
		p := path + "." + attr + ".member.comparisonOperator"
		if cond.ComparisonOperator == "" && !cond.opSent {
			c.notNull(p, false)
			continue
		}
		c.enumSent(p, cond.ComparisonOperator, enumComparisonOperator...)
	}
}

// expected checks the ComparisonOperator of each legacy Expected condition (optional there).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
func (c *constraints) expected(exp map[string]ExpectedAttributeValue) {
	for _, attr := range slices.Sorted(maps.Keys(exp)) {
		e := exp[attr]
		if e.ComparisonOperator != "" || e.opSent {
			c.enumSent("expected."+attr+".member.comparisonOperator", e.ComparisonOperator, enumComparisonOperator...)
		}
	}
}

// enumSent checks a string that was sent, "" included, against its valid values.
func (c *constraints) enumSent(path, s string, set ...string) {
	if !slices.Contains(set, s) {
		c.fail(&s, path, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
	}
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
	enumComparisonOperator     = []string{"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"}
)

// The data plane's members are checked in the order DynamoDB lists their violations, as
// recorded by dynalite's suite against DynamoDB (e.g. Query: select, indexName,
// returnConsumedCapacity, queryFilter, tableName, …), which matters when more than ten are
// violated; members DynamoDB added since (ReturnValuesOnConditionCheckFailure) come last.

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
func (in *GetItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.attributesToGet("attributesToGet", in.AttributesToGet)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.notNull("key", in.Key != nil)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func (in *PutItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.notNull("item", in.Item != nil)
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.expected(in.Expected)
	c.enum("returnValues", in.ReturnValues, enumReturnValues...)
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	c.enum("returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, enumReturnOnFailure...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
func (in *UpdateItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	c.enum("returnValues", in.ReturnValues, enumReturnValues...)
	c.notNull("key", in.Key != nil)
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.expected(in.Expected)
	c.enum("returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, enumReturnOnFailure...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (in *DeleteItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.enum("returnValues", in.ReturnValues, enumReturnValues...)
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	c.notNull("key", in.Key != nil)
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.expected(in.Expected)
	c.enum("returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, enumReturnOnFailure...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (in *QueryInput) validate() error {
	var c constraints
	c.enum("select", in.Select, enumSelect...)
	c.indexName(in.IndexName, in.empty.has(emptyIndexName))
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.conditions("queryFilter", in.QueryFilter)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.attributesToGet("attributesToGet", in.AttributesToGet)
	if in.Limit != nil && *in.Limit < 1 {
		// Query's Limit answers in the framework's wording, Scan's still in the older one
		// (both captured in 2026, see TestFrameworkWording).
		c.failMember("Limit", "Member must have value greater than or equal to 1")
	}
	c.conditions("keyConditions", in.KeyConditions)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
func (in *ScanInput) validate() error {
	var c constraints
	c.enum("select", in.Select, enumSelect...)
	c.indexName(in.IndexName, in.empty.has(emptyIndexName))
	c.atLeast("totalSegments", in.TotalSegments, 1)
	c.atMost("totalSegments", in.TotalSegments, 1000000)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.dataTableName(in.TableName, in.empty.has(emptyTableName))
	c.enum("conditionalOperator", in.ConditionalOperator, enumConditionalOperator...)
	c.conditions("scanFilter", in.ScanFilter)
	c.atLeast("segment", in.Segment, 0)
	c.atMost("segment", in.Segment, 999999)
	c.atLeast("limit", in.Limit, 1)
	c.attributesToGet("attributesToGet", in.AttributesToGet)
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
		s := javaKeySchema(ks)
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
	if in.nulls["tableName"] {
		// CreateTable checks for its TableName before the members' constraints.
		return validation("The parameter 'TableName' is required but was not present in the request")
	}
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
	c.tableNameOrARN(name)
	return c.err()
}

// errNoRequestItems is BatchWriteItem's answer to an empty RequestItems once its members
// satisfy their constraints; BatchGetItem answers it in the framework's wording.
var errNoRequestItems = validation("The requestItems parameter is required for BatchWriteItem")

// batchTableNames checks the table names that key a batch's RequestItems: each a table's ARN
// or following the naming rules. DynamoDB reports them once, for the whole map, which it
// echoes as JSON (captured in 2026:
// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchGetItem.test.ts,
// "Map keys must satisfy constraint: [Member must have length less than or equal to 255, …]").
func (c *constraints) batchTableNames(names []string, echo func() string) {
	for _, n := range names {
		ok := len(n) >= 1 && len(n) <= 1024
		if !strings.HasPrefix(n, "arn:") {
			ok = validNameChars(n) && len(n) >= 3 && len(n) <= 255
		}
		if !ok {
			v := echo()
			c.fail(&v, "requestItems", "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "+
				"Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]")
			return
		}
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html:
// 1 to 100 keys per table, AttributesToGet 1 to 255 names.
func (in *BatchGetItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.notNull("requestItems", in.RequestItems != nil)
	if in.RequestItems != nil && len(in.RequestItems) == 0 {
		c.failMember("RequestItems", "Member must have length greater than or equal to 1")
	}
	names := slices.Sorted(maps.Keys(in.RequestItems))
	c.batchTableNames(names, func() string { return batchGetJSON(in.RequestItems) })
	for _, name := range names {
		ka := in.RequestItems[name]
		p := "requestItems." + name + ".member"
		c.notNull(p+".keys", ka.Keys != nil)
		switch {
		case ka.Keys != nil && len(ka.Keys) == 0:
			c.failMember("RequestItems."+name+".member.Keys", "Member must have length greater than or equal to 1")
		case len(ka.Keys) > 100:
			c.failMember("RequestItems."+name+".member.Keys", "Member must have length less than or equal to 100")
		}
		c.attributesToGet(p+".attributesToGet", ka.AttributesToGet)
	}
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html:
// 1 to 25 requests per table, each a put with its Item or a delete with its Key. A table's
// list out of bounds is a constraint on the map's values, reported once with the map quoted as
// Java prints it (see javaList; as DynamoDB reports it, e.g. in
// https://github.com/nubo-db/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchWriteItem.test.ts).
func (in *BatchWriteItemInput) validate() error {
	var c constraints
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	c.enum("returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, enumItemCollectionMetrics...)
	c.notNull("requestItems", in.RequestItems != nil)
	names := slices.Sorted(maps.Keys(in.RequestItems))
	echo := func() string { return javaWriteRequests(in.RequestItems) }
	c.batchTableNames(names, echo)
	for _, name := range names {
		if n := len(in.RequestItems[name]); n < 1 || n > 25 {
			v := echo()
			c.fail(&v, "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
			break
		}
	}
	for _, name := range names {
		for i, w := range in.RequestItems[name] {
			p := "requestItems." + name + ".member." + strconv.Itoa(i+1) + ".member"
			if w.DeleteRequest != nil {
				c.notNull(p+".deleteRequest.key", w.DeleteRequest.Key != nil)
			}
			if w.PutRequest != nil {
				c.notNull(p+".putRequest.item", w.PutRequest.Item != nil)
			}
		}
	}
	if err := c.err(); err != nil {
		return err
	}
	if in.RequestItems != nil && len(in.RequestItems) == 0 {
		return errNoRequestItems
	}
	return nil
}

// batchGetJSON and itemsJSON render a BatchGetItem's members as the JSON DynamoDB echoes in a
// message (its map keys in order; a request's member it was sent without left out).
func batchGetJSON(reqs map[string]KeysAndAttributes) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range slices.Sorted(maps.Keys(reqs)) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, name)
		b.WriteString(":{")
		ka := reqs[name]
		if ka.Keys != nil {
			b.WriteString(`"Keys":`)
			b.WriteString(itemsJSON(ka.Keys))
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.String()
}

func itemsJSON(items []Item) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		writeItemJSON(&b, it)
	}
	b.WriteByte(']')
	return b.String()
}

func writeItemJSON(b *strings.Builder, it Item) {
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(it)) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, k)
		b.WriteByte(':')
		writeValueJSON(b, it[k])
	}
	b.WriteByte('}')
}

func writeValueJSON(b *strings.Builder, v *Value) {
	v = unpack(v)
	if v == nil {
		b.WriteString("{}")
		return
	}
	strs := func(tag string, list []*string) {
		b.WriteString(`{"` + tag + `":[`)
		for i, s := range list {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, deref(s))
		}
		b.WriteString("]}")
	}
	switch typeOf(v) {
	case "S":
		b.WriteString(`{"S":`)
		writeJSONString(b, *v.S)
		b.WriteByte('}')
	case "N":
		b.WriteString(`{"N":`)
		writeJSONString(b, *v.N)
		b.WriteByte('}')
	case "B":
		b.WriteString(`{"B":"` + base64.StdEncoding.EncodeToString(v.B) + `"}`)
	case "BOOL":
		b.WriteString(`{"BOOL":` + strconv.FormatBool(*v.BOOL) + "}")
	case "NULL":
		b.WriteString(`{"NULL":` + strconv.FormatBool(*v.NULL) + "}")
	case "SS":
		strs("SS", v.SS)
	case "NS":
		strs("NS", v.NS)
	case "BS":
		b.WriteString(`{"BS":[`)
		for i, x := range v.BS {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + base64.StdEncoding.EncodeToString(x) + `"`)
		}
		b.WriteString("]}")
	case "M":
		b.WriteString(`{"M":`)
		writeItemJSON(b, Item(v.M))
		b.WriteByte('}')
	case "L":
		b.WriteString(`{"L":[`)
		for i, x := range v.L {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValueJSON(b, x)
		}
		b.WriteString("]}")
	default:
		b.WriteString("{}")
	}
}

func writeJSONString(b *strings.Builder, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

// transactItems checks a transaction's TransactItems list: 1 to 100 actions, the list quoted
// (see javaList) when it is too long.
func (c *constraints) transactItems(n int, present bool, echo func() string) {
	c.notNull("transactItems", present)
	switch {
	case present && n == 0:
		v := "[]"
		c.fail(&v, "transactItems", "Member must have length greater than or equal to 1")
	case n > 100:
		v := echo()
		c.fail(&v, "transactItems", "Member must have length less than or equal to 100")
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
func (in *TransactGetItemsInput) validate() error {
	var c constraints
	c.transactItems(len(in.TransactItems), in.TransactItems != nil, func() string { return javaTransactGets(in) })
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	return c.err()
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (in *TransactWriteItemsInput) validate() error {
	var c constraints
	c.transactItems(len(in.TransactItems), in.TransactItems != nil, func() string { return javaTransactWrites(in.TransactItems) })
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
		TableName             json.RawMessage `json:"TableName"`
		ProvisionedThroughput *rawThroughput  `json:"ProvisionedThroughput"`
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
	if isNull(raw.TableName) {
		n["tableName"] = true
	}
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

// Where a list or map member breaks a length constraint, DynamoDB's older validation layer
// quotes the member as its service's Java objects print themselves: a list as [a, b], a map as
// {k=v}, a structure as Name(member=value, …) with its members in lower camel case, e.g.
//
//	Value '[KeySchemaElement(attributeName=pk, keyType=HASH), …]' at 'keySchema'
//	Value '{orders=[WriteRequest(putRequest=PutRequest(item={…}))]}' at 'requestItems'
//
// The structures' own names and members are AWS's; how a structure prints its unset members,
// and how an AttributeValue prints, varies between AWS's hosts (some print object hashes), so
// the emulator prints the members that were sent and an AttributeValue as AttributeValue(s=…)
// with its type's name in lower case.

// javaList writes n elements between brackets, separated as Java's lists are.
func javaList(b *strings.Builder, n int, elem func(int)) {
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		elem(i)
	}
	b.WriteByte(']')
}

// javaStruct writes name(member=value, …) for the members whose writer is not nil.
type javaMember struct {
	name  string
	write func()
}

func javaStruct(b *strings.Builder, name string, members ...javaMember) {
	b.WriteString(name)
	b.WriteByte('(')
	first := true
	for _, m := range members {
		if m.write == nil {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(m.name)
		b.WriteByte('=')
		m.write()
	}
	b.WriteByte(')')
}

// member is a javaMember that is written only when present is true.
func member(name string, present bool, write func()) javaMember {
	if !present {
		return javaMember{name: name}
	}
	return javaMember{name: name, write: write}
}

func javaItem(b *strings.Builder, it Item) {
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(it)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		javaValue(b, it[k])
	}
	b.WriteByte('}')
}

func javaValue(b *strings.Builder, v *Value) {
	v = unpack(v)
	if v == nil {
		b.WriteString("null")
		return
	}
	t := typeOf(v)
	b.WriteString("AttributeValue(")
	b.WriteString(strings.ToLower(t))
	b.WriteByte('=')
	strs := func(list []*string) {
		javaList(b, len(list), func(i int) { b.WriteString(deref(list[i])) })
	}
	switch t {
	case "S":
		b.WriteString(*v.S)
	case "N":
		b.WriteString(*v.N)
	case "B":
		b.WriteString(base64.StdEncoding.EncodeToString(v.B))
	case "BOOL":
		b.WriteString(boolString(*v.BOOL))
	case "NULL":
		b.WriteString(boolString(*v.NULL))
	case "SS":
		strs(v.SS)
	case "NS":
		strs(v.NS)
	case "BS":
		javaList(b, len(v.BS), func(i int) { b.WriteString(base64.StdEncoding.EncodeToString(v.BS[i])) })
	case "M":
		javaItem(b, Item(v.M))
	case "L":
		javaList(b, len(v.L), func(i int) { javaValue(b, v.L[i]) })
	}
	b.WriteByte(')')
}

func boolString(x bool) string {
	if x {
		return "true"
	}
	return "false"
}

// javaKeySchema is a key schema as DynamoDB quotes it.
func javaKeySchema(ks []KeySchemaElement) string {
	var b strings.Builder
	javaList(&b, len(ks), func(i int) {
		e := ks[i]
		javaStruct(&b, "KeySchemaElement",
			javaMember{"attributeName", func() { b.WriteString(e.AttributeName) }},
			javaMember{"keyType", func() { b.WriteString(e.KeyType) }})
	})
	return b.String()
}

// javaWriteRequests is a BatchWriteItem's RequestItems as DynamoDB quotes it.
func javaWriteRequests(reqs map[string][]WriteRequest) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range slices.Sorted(maps.Keys(reqs)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name)
		b.WriteByte('=')
		list := reqs[name]
		javaList(&b, len(list), func(j int) {
			w := list[j]
			javaStruct(&b, "WriteRequest",
				member("putRequest", w.PutRequest != nil, func() {
					javaStruct(&b, "PutRequest", member("item", w.PutRequest.Item != nil, func() { javaItem(&b, w.PutRequest.Item) }))
				}),
				member("deleteRequest", w.DeleteRequest != nil, func() {
					javaStruct(&b, "DeleteRequest", member("key", w.DeleteRequest.Key != nil, func() { javaItem(&b, w.DeleteRequest.Key) }))
				}))
		})
	}
	b.WriteByte('}')
	return b.String()
}

// javaTransactGets is a TransactGetItems' TransactItems as DynamoDB quotes it.
func javaTransactGets(in *TransactGetItemsInput) string {
	var b strings.Builder
	javaList(&b, len(in.TransactItems), func(i int) {
		g := in.TransactItems[i].Get
		javaStruct(&b, "TransactGetItem", member("get", g != nil, func() {
			javaStruct(&b, "Get",
				member("key", g.Key != nil, func() { javaItem(&b, g.Key) }),
				member("tableName", g.TableName != "", func() { b.WriteString(g.TableName) }),
				member("projectionExpression", g.ProjectionExpression != "", func() { b.WriteString(g.ProjectionExpression) }))
		}))
	})
	return b.String()
}

// javaTransactWrites is a TransactWriteItems' TransactItems as DynamoDB quotes it.
func javaTransactWrites(items []TransactWriteItem) string {
	var b strings.Builder
	action := func(name string, a *TransactAction) javaMember {
		return member(strings.ToLower(name[:1])+name[1:], a != nil, func() {
			javaStruct(&b, name,
				member("key", a.Key != nil, func() { javaItem(&b, a.Key) }),
				member("item", a.Item != nil, func() { javaItem(&b, a.Item) }),
				member("updateExpression", a.UpdateExpression != "", func() { b.WriteString(a.UpdateExpression) }),
				member("tableName", a.TableName != "", func() { b.WriteString(a.TableName) }),
				member("conditionExpression", a.ConditionExpression != "", func() { b.WriteString(a.ConditionExpression) }))
		})
	}
	javaList(&b, len(items), func(i int) {
		w := items[i]
		javaStruct(&b, "TransactWriteItem",
			action("ConditionCheck", w.ConditionCheck), action("Put", w.Put),
			action("Delete", w.Delete), action("Update", w.Update))
	})
	return b.String()
}
