package ddb

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Environment variables naming the tables; the stack sets each only on the functions that use it.
const (
	EnvOrders    = "ORDERS_TABLE"
	EnvCatalog   = "CATALOG_TABLE"
	EnvSales     = "SALES_TABLE"
	EnvCustomers = "CUSTOMERS_TABLE"
	EnvOutbox    = "OUTBOX_TABLE"
	// EnvRegion names the region a function writes for (items with one writing region, see
	// doc.go); the stack sets it on the functions that write such items.
	EnvRegion = "HOME_REGION"
)

// API is the part of the SDK's DynamoDB client the functions use.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Name reads a table's name from the function's environment.
func Name(getenv func(string) string, env string) (string, error) {
	name := getenv(env)
	if name == "" {
		return "", fmt.Errorf("%s is not set; the stack sets it to the table's name", env)
	}
	return name, nil
}

// Marshal turns v into a map attribute's value by its json field names.
func Marshal(v any) (map[string]types.AttributeValue, error) {
	m, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", v, err)
	}
	return m, nil
}

// Unmarshal reads an item into v by its json field names.
func Unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// S is a string attribute.
func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// N is a number attribute.
func N(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Order is the part of an Orders item the functions read. The PlaceOrder workflow writes the
// customer and the lines as JSON documents (customer_json, items_json) because JSONata builds
// them as JSON, and the API's response template inserts them as they are.
type Order struct {
	ID            string `json:"orderId"`
	Status        string `json:"status"`
	FailureReason string `json:"failure_reason"`
	StoreID       string `json:"store_id"`
	CustomerJSON  string `json:"customer_json"`
	ItemsJSON     string `json:"items_json"`
	Currency      string `json:"currency"`
	Subtotal      int64  `json:"subtotal"`
	Tax           int64  `json:"tax"`
	Total         int64  `json:"total"`
	PickupAt      string `json:"pickup_at"`
	PaymentRef    string `json:"payment_ref"`
	RefundStatus  string `json:"refund_status"`
	RefundCharge  string `json:"refund_charge"`
}

// GetOrder reads an order with a consistent read; ok is false when there is none.
func GetOrder(ctx context.Context, db API, table, id string) (o Order, ok bool, err error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &table,
		Key:            map[string]types.AttributeValue{"orderId": S(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Order{}, false, fmt.Errorf("get order %s: %w", id, err)
	}
	if out.Item == nil {
		return Order{}, false, nil
	}
	if err := Unmarshal(out.Item, &o); err != nil {
		return Order{}, false, fmt.Errorf("read order %s: %w", id, err)
	}
	return o, true, nil
}

// Message is an email in the Outbox table; a mail relay (outside this stage) sends and deletes
// it. Its key makes a retried write overwrite the same message instead of sending it twice.
type Message struct {
	Recipient string `json:"recipient"`
	MessageID string `json:"message_id"` // "<kind>#<order id>"
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

// PutMessage writes m to the Outbox table.
func PutMessage(ctx context.Context, db API, table string, m Message) error {
	item, err := Marshal(m)
	if err != nil {
		return err
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		return fmt.Errorf("put message %s for %s: %w", m.MessageID, m.Recipient, err)
	}
	return nil
}
