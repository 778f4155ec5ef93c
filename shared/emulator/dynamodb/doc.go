// Package dynamodb emulates Amazon DynamoDB for the offline emulator: the DynamoDB JSON wire
// protocol that the real AWS SDK v2 client and the AWS CLI speak (Service.ServeHTTP, POST / with
// X-Amz-Target DynamoDB_20120810.<Op>), tables provisioned from a stage's CloudFormation
// (Service.Provision), and DynamoDB's throughput model, so that a hot partition key is throttled
// the way it is on AWS and the SDK's own retryer reacts to it.
//
// The package is split like moto: model/ holds the state and behaviour (tables, items, keys,
// indexes, expressions, capacity) without net/http; api.go, service.go and encode.go are the wire
// protocol (routing, decoding, DynamoDB's error shapes and statuses); resource.go turns
// CloudFormation properties into tables and answers Ref and Fn::GetAtt.
//
// # Engine
//
// Condition, filter and projection expressions are evaluated by truora/minidyn's interpreter.
// A condition, filter or key condition expression is first checked against the developer
// guide's grammar by this package (comparisons, BETWEEN, IN, the six functions, AND, OR, NOT,
// parentheses; an operand is a path, a :value or a function call), before the table is looked
// up, in DynamoDB's order: a syntax error naming the token and the text around it, then for
// the whole expression redundant parentheses ("((x))"), an unknown function (names are
// case-sensitive), a function where it cannot be used (a test as an operand, size() as a test)
// and a reserved word; then, condition by condition, an undefined placeholder, a function's
// number of operands, a path compared with itself, a function's operand types (begins_with a
// number, attribute_type's type name, size of a Boolean, attribute_exists of a value) and
// BETWEEN's bounds. Key conditions are read from that parse (so trailing tokens are a syntax
// error, and BETWEEN on size() or a list element gets the key condition messages), and minidyn
// is handed the parse rewritten without redundant parentheses and with a BETWEEN b AND c as
// a >= b AND a <= c (minidyn parses no function call as a bound). When an item is evaluated, a
// comparison or function on an attribute of another type is false for that item, as the
// developer guide defines them: contains and begins_with on a number or a set of another type,
// = between different types (<> is true), a path stepping into an attribute that is no map or
// list, or past a list's end (only attribute_not_exists holds); binary sets compare as sets.
// A projection expression is first checked against the developer guide's grammar (paths of
// names, #placeholders, .name and [n] parts, separated by commas), and a syntax error names the
// first token the grammar does not allow and the text around it, as DynamoDB's do ("Syntax
// error; token: \"!\", near: \"!!\""); then, still before the table is looked up, a reserved
// word in any part of a path, an undefined #name, and two paths that overlap or conflict (as in
// an update expression). A projected path into a key attribute is refused once the table is
// known (GetItem, Query and Scan), and a projected path that steps into an attribute of another
// type projects nothing.
// Update expressions are parsed with the developer guide's grammar and applied by this package
// (numbers in exact decimal, DynamoDB's 38 digits), with DynamoDB's errors in its order:
// syntax, reserved words, functions, sections, names and values, overlapping and conflicting
// paths, operand types, then what needs the item. Storage, key conditions and capacity are this package's own: minidyn's table keeps
// all keys in one slice that it re-sorts on every new key, evaluates a Query against every item
// of the table and serialises all tables behind one lock (measured here: a Query on a
// 10,000-item table took about 42 ms and a new-key PutItem about 60 µs, both growing linearly).
// Here a table is a map of partitions, each sorted by sort key (numbers numerically); a global
// secondary index has its own partitions; each table has its own lock. Request items are parsed
// by a hand-written DynamoDB JSON parser and answers are written directly, without reflection.
// An item's documents (its top-level M and L values) are stored as the JSON the SDK sent when
// that JSON is what an answer would hold byte for byte (compact, numbers canonical, strings
// without escapes, no binary or set inside; the Go SDK's requests are): they are checked without
// being built, written back as they are, and read into values only where an expression, a
// projection or a comparison looks inside them (model/packed.go). The AWS CLI and boto3 send
// JSON with spaces, so their documents are stored as values, which answers alike.
//
// Operations: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan (with segments),
// BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems (with ClientRequestToken),
// CreateTable, DescribeTable, UpdateTable (billing, throughput, GSI create/update/delete, stream),
// DeleteTable (honouring deletion protection), ListTables, DescribeTimeToLive, UpdateTimeToLive,
// TagResource, UntagResource, ListTagsOfResource, DescribeLimits and DescribeContinuousBackups;
// and, on the same endpoint under the target prefix DynamoDBStreams_20120810, the DynamoDB
// Streams API: ListStreams, DescribeStream, GetShardIterator (TRIM_HORIZON, LATEST,
// AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER) and GetRecords. A table's stream records every write
// that changes an item (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems and
// replicated writes; not the admin reset), in order, as INSERT, MODIFY or REMOVE with its key and
// the images its StreamViewType asks for; a write that changes nothing records nothing.
// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction take PartiQL SELECT, INSERT,
// UPDATE and DELETE statements, translated into the operations they stand for (a filtered Scan,
// PutItem on the condition that the key is new, answering DuplicateItemException otherwise,
// UpdateItem on the condition that the item exists, DeleteItem; a batch's or transaction's
// SELECT reads the one item its key equalities name); a batch answers each statement's error in
// its response (ResourceNotFound, ConditionalCheckFailed, DuplicateItem, ValidationError, …)
// and a transaction's duplicate INSERT cancels it with the reason DuplicateItem.
// The legacy parameters (KeyConditions, QueryFilter, ScanFilter, Expected, AttributeUpdates,
// AttributesToGet, ConditionalOperator) are translated into expressions and evaluated as such.
// Answers carry Attributes only when ReturnValues asks, ConsumedCapacity only when
// ReturnConsumedCapacity asks (TOTAL: TableName and CapacityUnits; INDEXES also Table,
// LocalSecondaryIndexes and GlobalSecondaryIndexes, each with its CapacityUnits, a Query or
// Scan of an index listing the Table with CapacityUnits 0; only the
// transactions' answers add ReadCapacityUnits and WriteCapacityUnits, as DynamoDB's do), an
// X-Amz-Crc32 header that the SDK checks and an x-amzn-RequestId of 52
// upper-case letters and digits; a TableId is a version 4 UUID. Numbers are stored and answered
// as DynamoDB answers them, in plain decimal notation without leading or trailing zeros, sign or
// exponent ("1.50" → "1.5", "-0" → "0", "1E2" → "100"). A request body
// over 16 MB (BatchWriteItem's documented limit, the largest request DynamoDB takes) is refused
// with a ValidationException before it is decoded, and never buffered beyond 16 MB; the
// message's wording is the API reference's, AWS's own was not recorded.
// A Scan reads partitions in DynamoDB's key-space order (the MD5 of "Outliers" and the key's
// bytes, a number in DynamoDB's internal encoding) and a parallel Scan's segments split that
// space by its first 12 bits, the order dynalite's suite recorded from DynamoDB. Entries of a
// secondary index that share their index key are in the key-space order of their table key
// (the MD5 of "Outliers" and the partition and sort keys' bytes), as recorded there too.
//
// # Endpoint
//
// On the emulator's shared port a request is DynamoDB's when its X-Amz-Target names a DynamoDB
// or DynamoDB Streams API version, or it goes to / and its SigV4 credential scope names dynamodb
// (as the Streams clients sign too); a plain GET / (no
// query, no target, signed for no other service) is DynamoDB's health check and answers 200
// "healthy: dynamodb.<region>.amazonaws.com " (trailing space included). The endpoint then
// checks as DynamoDB does, in its order: any method but POST (and GET), or a body in a media type
// other than application/json and application/x-amz-json-1.0, is 404 with DynamoDB's "Page Not
// Found" page; a body that is not JSON is a SerializationException without a message; a target that is
// no DynamoDB operation an UnknownOperationException without one
// (com.amazon.coral.service#…); then the signature: none, or another scheme's Authorization, is
// MissingAuthenticationTokenException, a SigV4 header with a part that is no Key=value or
// without its Credential, Signature or SignedHeaders is IncompleteSignatureException, and one
// that does not sign the host InvalidSignatureException, worded as AWS words them. Every
// answer is in the request's media type (application/json unless it sent
// application/x-amz-json-1.0, which the SDKs send) and carries X-Amz-Crc32, Content-Length and
// x-amzn-RequestId.
//
// # Table lifecycle
//
// CreateTable answers TableStatus CREATING and the table becomes ACTIVE 2 s later on the
// emulator's clock (an estimate: AWS publishes no figure); until then reads and writes answer
// ResourceNotFoundException, as on AWS, and UpdateTable and DeleteTable ResourceInUseException.
// UpdateTable answers UPDATING for 2 s, during which the table takes reads and writes but no
// other update. The SDKs' table-exists waiters (and "aws dynamodb wait table-exists", which
// polls every 20 s) therefore wait as they do against AWS. Tables a template provisions are
// ACTIVE at once, as a deployed stack's are, and with the zero latency model every table is.
//
// # Validation
//
// A request is validated as DynamoDB validates it, before its table is looked up (so an invalid
// request on a missing table is a ValidationException, not a ResourceNotFoundException): first
// the members' constraints of the API reference (required members, lengths, valid values and
// ranges, the naming rules' pattern and 3 to 255 characters for new tables and indexes), every
// violation reported at once in DynamoDB's wording and order ("2 validation errors detected:
// Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or
// equal to 1; Value …"), at most ten; then the expressions; then what needs the table (the key,
// the index). An empty string counts as absent ("Value null at …"), except where DynamoDB
// tells them apart: ListTables' ExclusiveStartTableName, a read's or write's TableName and
// IndexName ("length greater than or equal to 1") and the legacy ComparisonOperators. A list or
// map over its maximum is quoted as DynamoDB's Java objects print it ("Value
// '[KeySchemaElement(attributeName=pk, keyType=HASH), …]' at 'keySchema'", BatchWriteItem's
// "{table=[WriteRequest(putRequest=PutRequest(item={…}))]}", a transaction's
// "[TransactWriteItem(put=Put(…))]"; AWS's hosts differ in how they print an AttributeValue and
// unset members, the emulator prints the members sent and AttributeValue(s=…)); BatchGetItem's
// RequestItems prints as JSON, as DynamoDB prints it. DynamoDB is moving its members to a newer
// validation framework that quotes no value and spells the path as the API reference does; the
// members captured in that wording answer in it: Query's Limit ("Value at 'Limit' …") and
// BatchGetItem's RequestItems and Keys ("Value at 'RequestItems.<table>.member.Keys' …"); every
// other member keeps the older wording. CreateTable without a TableName answers "The parameter
// 'TableName' is required but was not present in the request" before any other check, and
// BatchWriteItem with an empty RequestItems "The requestItems parameter is required for
// BatchWriteItem" after the members' constraints, and with at most 25 requests per table but
// more than 25 in all "Too many items requested for the BatchWriteItem call". A TransactGetItems Get whose key does not fit
// its table's key schema cancels the transaction (TransactionCanceledException, reason
// ValidationError at its place, None at the others'). Capacity units above 1,000,000,000,000 are out of bounds; the
// account's and table's quotas (40,000 units by default, as DescribeLimits answers) are not
// enforced. An index's Projection must name its ProjectionType.
// Attribute values are checked as DynamoDB's two value checkers check them (a value's numbers
// before its number of types): GetItem, BatchGetItem, Query, PutItem, UpdateItem and DeleteItem
// quote a malformed number ("The parameter cannot be converted to a numeric value: abc", ": "
// for an empty one) and list a set's repeated member in quotes, sorted up to the repeat;
// BatchWriteItem and the transactions list the set as sent and leave the colon out for an empty
// number. DynamoDB has been rolling out a "1 validation error detected: " prefix on the
// single-item writes' value errors, region by region; the emulator answers without it.
//
// # Capacity
//
// Units are DynamoDB's: a write costs 1 write unit per KB of the larger of the old and new item
// (at least 1), a read 1 read unit per 4 KB strongly consistent and half that eventually
// consistent, a Query or Scan the same by the bytes it reads before filtering (a page stops at
// 1 MB; a Scan charges each partition it reads its share), a transaction twice as much. A write that fails its condition still pays for the
// existing item. A write that changes an item's entry in a global secondary index is also
// charged to the index (twice when the index key changes), to the index partition of the entry's
// index key: a low-cardinality index key such as a status is a hot partition too.
//
// Each table and each global secondary index has a read and a write token bucket, and so has
// every partition key value (of the table, and of each index). Buckets refill continuously. A
// provisioned table's or index's buckets hold 300 seconds of its capacity, DynamoDB's burst
// capacity ("up to five minutes (300 seconds) of unused read and write capacity",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html),
// and start full, so a 5-WCU table takes 1,500 write units at once and then 5 a second. The
// other buckets hold one second: AWS documents per-partition limits per second but no
// per-partition burst, so a hot key gets exactly its documented rate, and an on-demand table's
// limit is its initial throughput. The rates are:
//   - per partition key value: 3,000 read and 1,000 write units per second;
//   - on-demand table or index: 12,000 read and 4,000 write units per second (what a new
//     on-demand table serves), raised by WarmThroughput, lowered by OnDemandThroughput;
//   - provisioned table or index: its ProvisionedThroughput.
//
// A request over a limit fails before it changes anything: on-demand with ThrottlingException
// (__type com.amazon.coral.availability#ThrottlingException, message "Throughput exceeds the
// current capacity of your table or index. DynamoDB is automatically scaling…", as AWS answers
// on-demand tables), provisioned with ProvisionedThroughputExceededException ("The level of
// configured provisioned throughput for the table was exceeded…"); both carry the 2025
// ThrottlingReasons (e.g. TableWriteKeyRangeThroughputExceeded with the table's ARN, or
// IndexWriteKeyRangeThroughputExceeded with the index's). The SDK's standard retryer treats
// both codes as throttles and retries them with back-off. BatchGetItem and BatchWriteItem
// return throttled keys and items as unprocessed (the whole call is throttled only when every
// one is); transactions are cancelled with reason ThrottlingError (ProvisionedThroughputExceeded
// when provisioned).
//
// # Latency, faults, metrics, traces
//
// Every operation first spends the modelled latency of its component ("dynamodb.GetItem", …;
// "dynamodb.control" for the control plane) from env.Latency, returning early if the caller's
// context ends (the operation is then not applied). Fault rules on "dynamodb:<table>" and
// "dynamodb:<table>/<partition key value>" (numbers in plain notation, binaries in base64) add
// latency, answer 500 InternalServerError at their error rate, or throttle exactly as an
// exhausted bucket would. Metrics per table (env.Metrics.Resource("dynamodb", table)):
// invocations, durations, throttles (requests with any throttled part), errors (user and system),
// and the counters rcu, wcu, conditional_check_failed, transactions_canceled,
// read_throttle_events, write_throttle_events, user_errors, system_errors and abandoned. Each
// call is a trace span "dynamodb:<table>" ending "ok", "throttled", "error" or "canceled".
//
// # CloudFormation
//
// AWS::DynamoDB::Table honours TableName (else the stack's physical name for the logical ID),
// KeySchema, AttributeDefinitions, BillingMode, ProvisionedThroughput, OnDemandThroughput,
// WarmThroughput, GlobalSecondaryIndexes and LocalSecondaryIndexes; it records
// TimeToLiveSpecification, StreamSpecification, Tags, SSESpecification, TableClass and
// DeletionProtectionEnabled (answered by the API, no other effect); it accepts and ignores
// PointInTimeRecoverySpecification, ContributorInsightsSpecification and ResourcePolicy, which
// change nothing offline. Any other property (KinesisStreamSpecification,
// ImportSourceSpecification, …) is an error naming it. Ref is the table name; Fn::GetAtt offers
// Arn, and StreamArn when a stream is specified.
//
// # Global tables
//
// AWS::DynamoDB::GlobalTable (what the CDK's TableV2 with Replicas synthesizes) is a version
// 2019.11.21 global table with multi-Region eventual consistency (MREC). Provisioned in one
// region's stack, it creates a table of the same name in every region its Replicas list, through
// the services that Link joined (an error names the resource and Replicas[i].Region when a region
// has no linked service, or "Replicas" when the stack's own region is not one of them, as
// CloudFormation requires). Other regions' stacks use their replica by name. Ref is the table
// name; Fn::GetAtt offers Arn, StreamArn and TableId of the stack region's replica. It honours
// TableName, AttributeDefinitions, KeySchema, BillingMode (CloudFormation's default PROVISIONED
// included), GlobalSecondaryIndexes (with WriteOnDemandThroughputSettings,
// WriteProvisionedThroughputSettings and WarmThroughput), LocalSecondaryIndexes,
// StreamSpecification, TimeToLiveSpecification, SSESpecification, WarmThroughput,
// WriteOnDemandThroughputSettings, WriteProvisionedThroughputSettings, ReadOnDemandThroughputSettings,
// ReadProvisionedThroughputSettings and MultiRegionConsistency EVENTUAL; per replica Region, Tags,
// TableClass, DeletionProtectionEnabled, SSESpecification's KMSMasterKeyId,
// ReadOnDemandThroughputSettings, ReadProvisionedThroughputSettings and GlobalSecondaryIndexes'
// read settings. Capacity auto scaling is not modelled: an autoscaled capacity is its
// SeedCapacity, else its MinCapacity, which is what AWS provisions before it scales. It accepts
// and ignores, per replica, PointInTimeRecoverySpecification, ContributorInsightsSpecification
// (also per index), ResourcePolicy, ReplicaStreamSpecification and
// DisassociationProtectionEnabled, which change nothing offline. MultiRegionConsistency STRONG,
// GlobalTableWitnesses, GlobalTableSourceArn, KinesisStreamSpecification and any other property
// are errors naming them. A global table whose only replica is the stack's region is a plain
// table, so a single-region emulator runs one without Link.
//
// Every successful write to a replica (PutItem, UpdateItem, DeleteItem, BatchWriteItem's
// processed requests, TransactWriteItems' puts, updates and deletes, from an SDK client or from
// another service through env.Call) is queued for every other replica and applied there after a
// delay drawn from the latency model's "dynamodb.globaltables.replication", on the env's clock.
// A write replicates the whole item as it is after the write (a delete replicates as a
// tombstone); a transaction replicates item by item, not atomically, as on AWS. Conflicts resolve
// last-writer-wins: each replica keeps, beside its items, the timestamp of the last write it
// applied to each key (deletes included), a replicated write is applied only if it is newer, and
// so a delete followed by an older put from another region does not bring the item back. The
// timestamp is the write's time on the emulator's clock; two writes in the same nanosecond are
// ordered by region name (the region that sorts last wins, e.g. us-east-1 over eu-west-1), and
// a local write is always stamped later than what its replica holds, so every replica converges
// on the same item. A replicated write is not replicated again, is not a request (no invocation,
// no "wcu", no trace span) and is counted on the receiving table as "replicated_writes" and
// "replicated_write_units" (the rWRU AWS bills, index writes included; they consume the
// receiving table's capacity, and a throttled one is retried after 100 ms). Metrics kind
// "dynamodb-replication" per table in the receiving region counts the replicated writes applied
// (invocations), their replication latency from the write to its application (durations: AWS's
// ReplicationLatency) and, as "superseded", those a newer write had already beaten.
// ReplicationPending reports a table's writes not yet applied everywhere.
//
// SetRegionDown(true) holds replication to and from the service's region: its queued writes
// wait, in order. After SetRegionDown(false) each held write replicates after a fresh lag
// counted from the recovery, in the order it was written. DescribeTable on a replica answers
// GlobalTableVersion "2019.11.21" and Replicas: the other replicas, each ACTIVE. DeleteTable on a
// replica removes it from the global table.
//
// Limitations:
//   - Time to live is recorded but expired items are not deleted.
//   - A stream has one shard, which stays open (no shard rollover or splits); its shard
//     iterators do not expire; a stream keeps 24 hours of records and, once it holds 20,000,
//     drops its oldest down to 10,000; a stream that was turned off is listed (DISABLED) until
//     another is turned on, and none survives its table.
//   - Global tables: only multi-Region eventual consistency (MREC); strong consistency (MRSC)
//     and witnesses are rejected. No UpdateTable replica updates, no DescribeGlobalTable family
//     (legacy 2017.11.29 operations), no disassociation; the replicas are the ones provisioned
//     and are ACTIVE at once. A replica's stream records the writes replicated to it; TTL and point-in-time recovery add nothing. UpdateItem with ReturnValues ALL_OLD, UPDATED_OLD or
//     UPDATED_NEW and every TransactWriteItems action read the item back after the write, with a
//     strongly consistent read that consumes read capacity (not counted in "rcu") — the model has
//     no hook that hands the service the written item. Writes from one region to another are
//     applied in the order of their drawn due times, so a later write with a shorter lag may
//     overtake an earlier one (AWS documents no order across items; last-writer-wins keeps each
//     item right). Each replica remembers the timestamp of every key ever written (tombstones
//     are never purged).
//   - Backups and restores, exports and imports, Kinesis streaming destinations, contributor
//     insights and resource policy operations answer UnknownOperationException.
//   - PartiQL takes the subset its section of the model names (no RETURNING, no EXISTS, no
//     nested SELECT, no ORDER BY); a SELECT is a Scan with its WHERE clause as the filter (also
//     when the clause names a partition key, where DynamoDB would Query), so it reads and is
//     charged for the whole table; syntax errors are worded by the emulator.
//   - A global secondary index added by UpdateTable is CREATING with Backfilling true for the
//     table transition, then ACTIVE, but its items are indexed at once and it answers queries
//     while CREATING (what DynamoDB answers a read of a backfilling index is not modelled);
//     indexes of a new table are ACTIVE with it; a deleted index is gone at once (no DELETING).
//     ItemCount and TableSizeBytes are live rather than refreshed every six hours.
//   - Capacity: on-demand tables do not scale beyond their initial (or warm) throughput (no
//     "double the previous peak"); a partition key value is never split by sort key ("split for
//     heat"); per-partition limits apply per partition key value, so cold keys never share a
//     partition; a provisioned table's burst capacity is always there (AWS's is best effort and
//     may be spent on background maintenance) and starts full; no auto scaling.
//     A table-level on-demand throttle is reported as KeyRangeThroughputExceeded.
//   - Requests on one table are serialised by its lock, so transactions never conflict
//     (no TransactionConflictException or TransactionInProgressException).
//   - The 10 GB item collection limit of local secondary indexes and the 16 MB BatchGetItem
//     answer limit are not enforced. A transaction's 4 MB is enforced on the items as the request
//     carries them (puts' items, the other actions' keys), with the API reference's sentence, as
//     AWS's wording was not recorded. ReturnItemCollectionMetrics SIZE is
//     answered on a table with a local secondary index (the collection's size in whole
//     gigabytes, [0.0, 1.0] below 1 GB) by PutItem, UpdateItem and DeleteItem, and per table by
//     BatchWriteItem (an entry for each processed put or delete, sized right after it) and
//     TransactWriteItems (an entry for each put, update or delete, sized once the transaction
//     is applied); AWS does not document whether a batch repeats a collection it wrote twice.
//   - Errors found while an expression is evaluated against an item come from minidyn's
//     interpreter and may be worded differently from DynamoDB's. size() of a string counts
//     characters (Unicode code points; whether DynamoDB counts UTF-16 units is not documented).
//   - Request signatures, dates and credentials are not checked (a SigV4 header with its three
//     parts is taken without a date); there is no IAM. Of the signature errors only a missing
//     token and an incomplete Authorization header are answered: an incomplete presigned query
//     and a request signed both ways are taken, as DynamoDB's answers to them were not confirmed.
//   - A request that cannot be told to be DynamoDB's (no DynamoDB target, not signed for
//     dynamodb) gets the emulator's own answer, not DynamoDB's 404 or UnknownOperationException:
//     the port serves other services too. A body without a Content-Type is taken as JSON, and
//     a body over 16 MB is a ValidationException, not 413 (DynamoDB's answers to both were not
//     confirmed). Cross-origin browser requests are refused (see package emulator), where
//     DynamoDB answers CORS.
package dynamodb
