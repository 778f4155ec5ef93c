package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
)

type handler func(s *Service, ctx context.Context, body []byte, e *encoder) error

var operations map[string]handler

func init() {
	operations = map[string]handler{
		"GetItem":                   (*Service).getItem,
		"PutItem":                   (*Service).putItem,
		"UpdateItem":                (*Service).updateItem,
		"DeleteItem":                (*Service).deleteItem,
		"Query":                     (*Service).query,
		"Scan":                      (*Service).scan,
		"BatchGetItem":              (*Service).batchGetItem,
		"BatchWriteItem":            (*Service).batchWriteItem,
		"TransactGetItems":          (*Service).transactGetItems,
		"TransactWriteItems":        (*Service).transactWriteItems,
		"CreateTable":               (*Service).createTable,
		"DeleteTable":               (*Service).deleteTable,
		"DescribeTable":             (*Service).describeTable,
		"UpdateTable":               (*Service).updateTable,
		"ListTables":                (*Service).listTables,
		"DescribeTimeToLive":        (*Service).describeTimeToLive,
		"UpdateTimeToLive":          (*Service).updateTimeToLive,
		"TagResource":               (*Service).tagResource,
		"UntagResource":             (*Service).untagResource,
		"ListTagsOfResource":        (*Service).listTagsOfResource,
		"DescribeLimits":            (*Service).describeLimits,
		"DescribeContinuousBackups": (*Service).describeContinuousBackups,
		"ExecuteStatement":          (*Service).executeStatement,
		"BatchExecuteStatement":     (*Service).batchExecuteStatement,
		"ExecuteTransaction":        (*Service).executeTransaction,

		"streams:ListStreams":      (*Service).listStreams,
		"streams:DescribeStream":   (*Service).describeStream,
		"streams:GetShardIterator": (*Service).getShardIterator,
		"streams:GetRecords":       (*Service).getRecords,
	}
}

// unsupported are real DynamoDB operations the emulator does not implement; they get a clear
// UnknownOperationException rather than a bare one.
var unsupported = map[string]bool{
	"CreateBackup": true, "DeleteBackup": true, "DescribeBackup": true, "ListBackups": true,
	"RestoreTableFromBackup": true, "RestoreTableToPointInTime": true, "UpdateContinuousBackups": true,
	"CreateGlobalTable": true, "UpdateGlobalTable": true, "DescribeGlobalTable": true, "ListGlobalTables": true,
	"DescribeGlobalTableSettings": true, "UpdateGlobalTableSettings": true,
	"ExportTableToPointInTime": true, "DescribeExport": true, "ListExports": true,
	"ImportTable": true, "DescribeImport": true, "ListImports": true,
	"EnableKinesisStreamingDestination": true, "DisableKinesisStreamingDestination": true,
	"DescribeKinesisStreamingDestination": true, "UpdateKinesisStreamingDestination": true,
	"DescribeContributorInsights": true, "ListContributorInsights": true, "UpdateContributorInsights": true,
	"GetResourcePolicy": true, "PutResourcePolicy": true, "DeleteResourcePolicy": true,
	"DescribeEndpoints": true, "DescribeTableReplicaAutoScaling": true, "UpdateTableReplicaAutoScaling": true,
}

// Latency components of the model (shared/emulator/latency/model.json).
const (
	compControl = "dynamodb.control"
)

// decode reads a request body into the operation's input (model.Unmarshal: one pass, straight
// into the model's types, for the data plane).
func decode(body []byte, v any) error { return model.Unmarshal(body, v) }

func (s *Service) getItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.GetItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "GetItem", "dynamodb.GetItem", target{table: in.TableName, key: in.Key})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.GetItem(&in)
	if err != nil {
		return err
	}
	s.consumed(out.Consumed)
	e.raw("{")
	comma := false
	if out.Item != nil {
		e.raw(`"Item":`)
		e.item(out.Item)
		comma = true
	}
	e.consumedField(comma, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

func (s *Service) writeAnswer(e *encoder, out *model.WriteOutput, rcc string) {
	s.consumed(out.Consumed)
	e.raw("{")
	comma := false
	if out.Attributes != nil {
		e.raw(`"Attributes":`)
		e.item(out.Attributes)
		comma = true
	}
	if m := out.ItemCollection; m != nil {
		if comma {
			e.raw(",")
		}
		e.raw(`"ItemCollectionMetrics":`)
		e.collectionMetrics(*m)
		comma = true
	}
	e.consumedField(comma, rcc, out.Consumed)
	e.raw("}")
}

// collectionMetrics writes one ItemCollectionMetrics object.
func (e *encoder) collectionMetrics(m model.ItemCollectionMetrics) {
	e.raw(`{"ItemCollectionKey":`)
	e.item(m.Key)
	e.raw(fmt.Sprintf(`,"SizeEstimateRangeGB":[%s,%s]}`, strconv.FormatFloat(m.SizeEstimateRangeGB[0], 'f', 1, 64), strconv.FormatFloat(m.SizeEstimateRangeGB[1], 'f', 1, 64)))
}

// collectionMetricsByTable writes BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics
// member (table name to a list), after a member when comma is set; nothing when m is empty.
func (e *encoder) collectionMetricsByTable(comma bool, m map[string][]model.ItemCollectionMetrics) {
	if len(m) == 0 {
		return
	}
	if comma {
		e.raw(",")
	}
	e.raw(`"ItemCollectionMetrics":{`)
	for i, name := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			e.raw(",")
		}
		e.key(name)
		e.raw("[")
		for j, icm := range m[name] {
			if j > 0 {
				e.raw(",")
			}
			e.collectionMetrics(icm)
		}
		e.raw("]")
	}
	e.raw("}")
}

func (s *Service) putItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.PutItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "PutItem", "dynamodb.PutItem", target{table: in.TableName, key: in.Item})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	g := s.replicaOf(in.TableName)
	if g != nil {
		g.mu.Lock()
		defer g.mu.Unlock()
	}
	out, err := s.model.PutItem(&in)
	if err != nil {
		s.consumedOnFailure(err)
		return err
	}
	if g != nil {
		s.replicate(g, []written{{keyItem: in.Item, item: in.Item}})
	}
	s.writeAnswer(e, out, in.ReturnConsumedCapacity)
	return nil
}

// consumedOnFailure counts what a failed conditional write still consumes.
func (s *Service) consumedOnFailure(err error) {
	if apiErr, ok := errors.AsType[*model.Error](err); ok {
		if c, ok := apiErr.ConsumedCapacity(); ok {
			s.consumed(c)
		}
	}
}

func (s *Service) updateItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.UpdateItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "UpdateItem", "dynamodb.UpdateItem", target{table: in.TableName, key: in.Key})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	g := s.replicaOf(in.TableName)
	asked := in.ReturnValues
	if g != nil {
		g.mu.Lock()
		defer g.mu.Unlock()
		if asked == "" || asked == "NONE" {
			in.ReturnValues = "ALL_NEW" // the new image, for the other replicas
		}
	}
	out, err := s.model.UpdateItem(&in)
	if err != nil {
		s.consumedOnFailure(err)
		return err
	}
	if g != nil {
		w := written{keyItem: in.Key, item: out.Attributes}
		switch in.ReturnValues {
		case "ALL_NEW":
		default:
			w.item, w.read = nil, true
		}
		s.replicate(g, []written{w})
		if asked == "" || asked == "NONE" {
			out.Attributes = nil
		}
	}
	s.writeAnswer(e, out, in.ReturnConsumedCapacity)
	return nil
}

func (s *Service) deleteItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.DeleteItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "DeleteItem", "dynamodb.DeleteItem", target{table: in.TableName, key: in.Key})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	g := s.replicaOf(in.TableName)
	if g != nil {
		g.mu.Lock()
		defer g.mu.Unlock()
	}
	out, err := s.model.DeleteItem(&in)
	if err != nil {
		s.consumedOnFailure(err)
		return err
	}
	if g != nil {
		s.replicate(g, []written{{keyItem: in.Key}})
	}
	s.writeAnswer(e, out, in.ReturnConsumedCapacity)
	return nil
}

func (s *Service) pageAnswer(e *encoder, out *model.PageOutput, rcc string) {
	s.consumed(out.Consumed)
	e.raw("{")
	if !out.CountOnly {
		e.raw(`"Items":`)
		e.items(out.Items)
		e.raw(",")
	}
	e.raw(`"Count":`)
	e.int(out.Count)
	e.raw(`,"ScannedCount":`)
	e.int(out.ScannedCount)
	if out.LastEvaluatedKey != nil {
		e.raw(`,"LastEvaluatedKey":`)
		e.item(out.LastEvaluatedKey)
	}
	e.consumedField(true, rcc, out.Consumed)
	e.raw("}")
}

func (s *Service) query(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.QueryInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "Query", "dynamodb.Query", target{table: in.TableName, query: &in})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.Query(&in)
	if err != nil {
		return err
	}
	s.pageAnswer(e, out, in.ReturnConsumedCapacity)
	return nil
}

func (s *Service) scan(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.ScanInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "Scan", "dynamodb.Scan", target{table: in.TableName})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.Scan(&in)
	if err != nil {
		return err
	}
	s.pageAnswer(e, out, in.ReturnConsumedCapacity)
	return nil
}

func (s *Service) batchGetItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.BatchGetItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	var targets []target
	for name, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			targets = append(targets, target{table: name, key: k})
		}
	}
	r, err := s.begin(ctx, "BatchGetItem", "dynamodb.BatchGetItem", targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.BatchGetItem(&in)
	if err != nil {
		return err
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	r.throttledItems(out.Throttled, false)
	e.raw(`{"Responses":{`)
	for i, name := range slices.Sorted(maps.Keys(out.Responses)) {
		if i > 0 {
			e.raw(",")
		}
		e.key(name)
		e.items(out.Responses[name])
	}
	e.raw(`},"UnprocessedKeys":{`)
	for i, name := range slices.Sorted(maps.Keys(out.UnprocessedKeys)) {
		if i > 0 {
			e.raw(",")
		}
		ka := out.UnprocessedKeys[name]
		e.key(name)
		e.raw(`{"Keys":`)
		e.items(ka.Keys)
		if ka.ProjectionExpression != "" {
			e.raw(`,"ProjectionExpression":`)
			e.str(ka.ProjectionExpression)
		}
		if ka.ExpressionAttributeNames != nil {
			e.raw(`,"ExpressionAttributeNames":`)
			e.json(ka.ExpressionAttributeNames)
		}
		if ka.ConsistentRead {
			e.raw(`,"ConsistentRead":true`)
		}
		if ka.AttributesToGet != nil {
			e.raw(`,"AttributesToGet":`)
			e.json(ka.AttributesToGet)
		}
		e.raw("}")
	}
	e.raw("}")
	e.consumedList(true, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

// throttledItems records batch items left unprocessed by throttling: the request counts as
// throttled once (as CloudWatch's ThrottledRequests does), and each item as a throttle event.
func (r *request) throttledItems(n int, write bool) {
	if n == 0 {
		return
	}
	counter := "read_throttle_events"
	if write {
		counter = "write_throttle_events"
	}
	for _, m := range r.res {
		m.Throttled()
		m.Add(counter, int64(n))
	}
}

func (s *Service) batchWriteItem(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.BatchWriteItemInput
	if err := decode(body, &in); err != nil {
		return err
	}
	var targets []target
	for name, reqs := range in.RequestItems {
		for _, w := range reqs {
			switch {
			case w.PutRequest != nil:
				targets = append(targets, target{table: name, key: w.PutRequest.Item})
			case w.DeleteRequest != nil:
				targets = append(targets, target{table: name, key: w.DeleteRequest.Key})
			}
		}
	}
	r, err := s.begin(ctx, "BatchWriteItem", "dynamodb.BatchWriteItem", targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	globals := s.lockReplicas(slices.Collect(maps.Keys(in.RequestItems)))
	defer unlockReplicas(globals)
	out, err := s.model.BatchWriteItem(&in)
	if err != nil {
		return err
	}
	for name, g := range globals {
		s.replicate(g, batchWritten(in.RequestItems[name], out.UnprocessedItems[name]))
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	r.throttledItems(out.Throttled, true)
	e.raw(`{"UnprocessedItems":{`)
	for i, name := range slices.Sorted(maps.Keys(out.UnprocessedItems)) {
		if i > 0 {
			e.raw(",")
		}
		e.key(name)
		e.raw("[")
		for j, w := range out.UnprocessedItems[name] {
			if j > 0 {
				e.raw(",")
			}
			if w.PutRequest != nil {
				e.raw(`{"PutRequest":{"Item":`)
				e.item(w.PutRequest.Item)
			} else {
				e.raw(`{"DeleteRequest":{"Key":`)
				e.item(w.DeleteRequest.Key)
			}
			e.raw("}}")
		}
		e.raw("]")
	}
	e.raw("}")
	e.collectionMetricsByTable(true, out.ItemCollectionMetrics)
	e.consumedList(true, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

func (s *Service) transactGetItems(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.TransactGetItemsInput
	if err := decode(body, &in); err != nil {
		return err
	}
	var targets []target
	for _, ti := range in.TransactItems {
		if ti.Get != nil {
			targets = append(targets, target{table: ti.Get.TableName, key: ti.Get.Key})
		}
	}
	r, err := s.begin(ctx, "TransactGetItems", "dynamodb.TransactGetItems", targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.TransactGetItems(&in)
	if err != nil {
		return err
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	e.raw(`{"Responses":[`)
	for i, item := range out.Responses {
		if i > 0 {
			e.raw(",")
		}
		if item == nil {
			e.raw("{}")
			continue
		}
		e.raw(`{"Item":`)
		e.item(item)
		e.raw("}")
	}
	e.raw("]")
	e.consumedList(true, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

func (s *Service) transactWriteItems(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.TransactWriteItemsInput
	if err := decode(body, &in); err != nil {
		return err
	}
	var targets []target
	for _, ti := range in.TransactItems {
		for _, a := range []*model.TransactAction{ti.ConditionCheck, ti.Put, ti.Update, ti.Delete} {
			if a == nil {
				continue
			}
			key := a.Key
			if key == nil {
				key = a.Item
			}
			targets = append(targets, target{table: a.TableName, key: key})
		}
	}
	r, err := s.begin(ctx, "TransactWriteItems", "dynamodb.TransactWriteItems", targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	var names []string
	for _, t := range targets {
		names = append(names, t.table)
	}
	globals := s.lockReplicas(names)
	defer unlockReplicas(globals)
	out, err := s.model.TransactWriteItems(&in)
	if err != nil {
		return err
	}
	if len(globals) > 0 {
		s.replicateTransaction(globals, in.TransactItems)
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	e.raw("{")
	e.collectionMetricsByTable(false, out.ItemCollectionMetrics)
	e.consumedList(len(out.ItemCollectionMetrics) > 0, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

// Control plane.

type tableName struct {
	TableName string `json:"TableName"`
}

func (s *Service) control(ctx context.Context, op, table string, run func() (any, error), e *encoder) (err error) {
	r, err := s.begin(ctx, op, compControl, target{table: table})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := run()
	if err != nil {
		return err
	}
	e.json(out)
	return nil
}

func (s *Service) createTable(ctx context.Context, body []byte, e *encoder) error {
	var in model.CreateTableInput
	if err := decode(body, &in); err != nil {
		return err
	}
	in.Transition = s.transition()
	return s.control(ctx, "CreateTable", in.TableName, func() (any, error) {
		d, err := s.model.CreateTable(&in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"TableDescription": d}, nil
	}, e)
}

func (s *Service) deleteTable(ctx context.Context, body []byte, e *encoder) error {
	var in tableName
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "DeleteTable", in.TableName, func() (any, error) {
		d, err := s.model.DeleteTable(in.TableName, s.transition())
		if err != nil {
			return nil, err
		}
		s.dropReplica(in.TableName)
		return map[string]any{"TableDescription": d}, nil
	}, e)
}

func (s *Service) describeTable(ctx context.Context, body []byte, e *encoder) error {
	var in tableName
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "DescribeTable", in.TableName, func() (any, error) {
		d, err := s.model.DescribeTable(in.TableName)
		if err != nil {
			return nil, err
		}
		return map[string]any{"Table": s.describe(d)}, nil
	}, e)
}

func (s *Service) updateTable(ctx context.Context, body []byte, e *encoder) error {
	var in model.UpdateTableInput
	if err := decode(body, &in); err != nil {
		return err
	}
	in.Transition = s.transition()
	return s.control(ctx, "UpdateTable", in.TableName, func() (any, error) {
		d, err := s.model.UpdateTable(&in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"TableDescription": d}, nil
	}, e)
}

func (s *Service) listTables(ctx context.Context, body []byte, e *encoder) error {
	var in model.ListTablesInput
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "ListTables", "", func() (any, error) { return s.model.ListTables(&in) }, e)
}

func (s *Service) describeTimeToLive(ctx context.Context, body []byte, e *encoder) error {
	var in tableName
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "DescribeTimeToLive", in.TableName, func() (any, error) {
		spec, err := s.model.TimeToLive(in.TableName)
		if err != nil {
			return nil, err
		}
		d := map[string]any{"TimeToLiveStatus": "DISABLED"}
		if spec != nil {
			d["AttributeName"] = spec.AttributeName
			if spec.Enabled {
				d["TimeToLiveStatus"] = "ENABLED"
			}
		}
		return map[string]any{"TimeToLiveDescription": d}, nil
	}, e)
}

func (s *Service) updateTimeToLive(ctx context.Context, body []byte, e *encoder) error {
	var in struct {
		TableName               string                        `json:"TableName"`
		TimeToLiveSpecification model.TimeToLiveSpecification `json:"TimeToLiveSpecification"`
	}
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "UpdateTimeToLive", in.TableName, func() (any, error) {
		if err := s.model.SetTimeToLive(in.TableName, in.TimeToLiveSpecification); err != nil {
			return nil, err
		}
		return map[string]any{"TimeToLiveSpecification": in.TimeToLiveSpecification}, nil
	}, e)
}

func (s *Service) tagResource(ctx context.Context, body []byte, e *encoder) error {
	var in struct {
		ResourceArn *string     `json:"ResourceArn"`
		Tags        []model.Tag `json:"Tags"`
	}
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "TagResource", "", func() (any, error) {
		return struct{}{}, s.model.TagResource(in.ResourceArn, in.Tags)
	}, e)
}

func (s *Service) untagResource(ctx context.Context, body []byte, e *encoder) error {
	var in struct {
		ResourceArn *string  `json:"ResourceArn"`
		TagKeys     []string `json:"TagKeys"`
	}
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "UntagResource", "", func() (any, error) {
		return struct{}{}, s.model.UntagResource(in.ResourceArn, in.TagKeys)
	}, e)
}

func (s *Service) listTagsOfResource(ctx context.Context, body []byte, e *encoder) error {
	var in struct {
		ResourceArn *string `json:"ResourceArn"`
	}
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "ListTagsOfResource", "", func() (any, error) {
		tags, err := s.model.Tags(in.ResourceArn)
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []model.Tag{}
		}
		return map[string]any{"Tags": tags}, nil
	}, e)
}

// describeLimits answers AWS's default quotas (per-table 40,000 units, per-account 80,000).
func (s *Service) describeLimits(ctx context.Context, _ []byte, e *encoder) error {
	return s.control(ctx, "DescribeLimits", "", func() (any, error) {
		return map[string]int{
			"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
			"TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000,
		}, nil
	}, e)
}

// describeContinuousBackups answers "point-in-time recovery disabled": backups are not emulated.
func (s *Service) describeContinuousBackups(ctx context.Context, body []byte, e *encoder) error {
	var in tableName
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "DescribeContinuousBackups", in.TableName, func() (any, error) {
		if _, err := s.model.DescribeTable(in.TableName); err != nil {
			return nil, err
		}
		return map[string]any{"ContinuousBackupsDescription": map[string]any{
			"ContinuousBackupsStatus":        "ENABLED",
			"PointInTimeRecoveryDescription": map[string]string{"PointInTimeRecoveryStatus": "DISABLED"},
		}}, nil
	}, e)
}

// The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator and GetRecords
// (https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/Welcome.html), on the
// same endpoint as DynamoDB's (see streamsPrefix).

func (s *Service) listStreams(ctx context.Context, body []byte, e *encoder) error {
	var in model.ListStreamsInput
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "ListStreams", "", func() (any, error) { return s.model.ListStreams(&in) }, e)
}

func (s *Service) describeStream(ctx context.Context, body []byte, e *encoder) error {
	var in model.DescribeStreamInput
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "DescribeStream", "", func() (any, error) {
		d, err := s.model.DescribeStream(&in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"StreamDescription": d}, nil
	}, e)
}

func (s *Service) getShardIterator(ctx context.Context, body []byte, e *encoder) error {
	var in model.GetShardIteratorInput
	if err := decode(body, &in); err != nil {
		return err
	}
	return s.control(ctx, "GetShardIterator", "", func() (any, error) {
		it, err := s.model.GetShardIterator(&in)
		if err != nil {
			return nil, err
		}
		return map[string]string{"ShardIterator": it}, nil
	}, e)
}

func (s *Service) getRecords(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.GetRecordsInput
	if err := decode(body, &in); err != nil {
		return err
	}
	r, err := s.begin(ctx, "GetRecords", compControl, target{})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.GetRecords(&in)
	if err != nil {
		return err
	}
	e.raw(`{"NextShardIterator":`)
	e.str(out.NextShardIterator)
	e.raw(`,"Records":[`)
	for i, rec := range out.Records {
		if i > 0 {
			e.raw(",")
		}
		e.raw(`{"awsRegion":`)
		e.str(s.env.Region)
		e.raw(`,"dynamodb":{"ApproximateCreationDateTime":`)
		e.b = strconv.AppendInt(e.b, rec.ApproximateCreationDateTime, 10)
		e.raw(`,"Keys":`)
		e.item(rec.Keys)
		if rec.NewImage != nil {
			e.raw(`,"NewImage":`)
			e.item(rec.NewImage)
		}
		if rec.OldImage != nil {
			e.raw(`,"OldImage":`)
			e.item(rec.OldImage)
		}
		e.raw(`,"SequenceNumber":`)
		e.str(rec.SequenceNumber)
		e.raw(`,"SizeBytes":`)
		e.int(rec.SizeBytes)
		e.raw(`,"StreamViewType":`)
		e.str(rec.StreamViewType)
		e.raw(`},"eventID":`)
		e.str(rec.EventID)
		e.raw(`,"eventName":`)
		e.str(rec.EventName)
		e.raw(`,"eventSource":"aws:dynamodb","eventVersion":"1.1"}`)
	}
	e.raw("]}")
	return nil
}

// PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (see the model's
// PartiQL section). A request is metered as the operation its statements stand for.

func (s *Service) executeStatement(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.ExecuteStatementInput
	if err := decode(body, &in); err != nil {
		return err
	}
	table, read := model.PartiQLTable(in.Statement)
	comp := "dynamodb.UpdateItem"
	if read {
		comp = "dynamodb.Scan"
	}
	r, err := s.begin(ctx, "ExecuteStatement", comp, target{table: table})
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.ExecuteStatement(&in)
	if err != nil {
		s.consumedOnFailure(err)
		return err
	}
	s.consumed(out.Consumed)
	e.raw(`{"Items":`)
	e.items(out.Items)
	if out.NextToken != "" {
		e.raw(`,"NextToken":`)
		e.str(out.NextToken)
	}
	if out.LastEvaluatedKey != nil {
		e.raw(`,"LastEvaluatedKey":`)
		e.item(out.LastEvaluatedKey)
	}
	e.consumedField(true, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

// partiQLTargets names the tables a batch or transaction of statements reads or writes, and the
// latency model's component: the read one when any statement reads, the write one otherwise.
func partiQLTargets(statements []string, write, read string) ([]target, string) {
	targets := make([]target, 0, len(statements))
	comp := write
	for _, st := range statements {
		table, reads := model.PartiQLTable(st)
		targets = append(targets, target{table: table})
		if reads {
			comp = read
		}
	}
	return targets, comp
}

func (s *Service) batchExecuteStatement(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.BatchExecuteStatementInput
	if err := decode(body, &in); err != nil {
		return err
	}
	statements := make([]string, len(in.Statements))
	for i, st := range in.Statements {
		statements[i] = st.Statement
	}
	targets, comp := partiQLTargets(statements, "dynamodb.BatchWriteItem", "dynamodb.BatchGetItem")
	r, err := s.begin(ctx, "BatchExecuteStatement", comp, targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.BatchExecuteStatement(&in)
	if err != nil {
		return err
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	e.raw(`{"Responses":[`)
	for i, resp := range out.Responses {
		if i > 0 {
			e.raw(",")
		}
		e.raw("{")
		comma := false
		if resp.TableName != "" {
			e.raw(`"TableName":`)
			e.str(resp.TableName)
			comma = true
		}
		if resp.ErrorCode != "" {
			if comma {
				e.raw(",")
			}
			e.raw(`"Error":{"Code":`)
			e.str(resp.ErrorCode)
			e.raw(`,"Message":`)
			e.str(resp.ErrorMessage)
			e.raw("}")
		} else if resp.Item != nil {
			if comma {
				e.raw(",")
			}
			e.raw(`"Item":`)
			e.item(resp.Item)
		}
		e.raw("}")
	}
	e.raw("]")
	e.consumedList(true, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}

func (s *Service) executeTransaction(ctx context.Context, body []byte, e *encoder) (err error) {
	var in model.ExecuteTransactionInput
	if err := decode(body, &in); err != nil {
		return err
	}
	statements := make([]string, len(in.TransactStatements))
	for i, st := range in.TransactStatements {
		statements[i] = st.Statement
	}
	targets, comp := partiQLTargets(statements, "dynamodb.TransactWriteItems", "dynamodb.TransactGetItems")
	r, err := s.begin(ctx, "ExecuteTransaction", comp, targets...)
	defer func() { r.finish(err) }()
	if err != nil {
		return err
	}
	out, err := s.model.ExecuteTransaction(&in)
	if err != nil {
		return err
	}
	for _, c := range out.Consumed {
		s.consumed(c)
	}
	e.raw("{")
	if out.Reads {
		e.raw(`"Responses":[`)
		for i, item := range out.Responses {
			if i > 0 {
				e.raw(",")
			}
			if item == nil {
				e.raw("{}")
				continue
			}
			e.raw(`{"Item":`)
			e.item(item)
			e.raw("}")
		}
		e.raw("]")
	}
	e.consumedList(out.Reads, in.ReturnConsumedCapacity, out.Consumed)
	e.raw("}")
	return nil
}
