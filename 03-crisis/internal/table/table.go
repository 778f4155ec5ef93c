// Package table is the one DynamoDB table that all 42 functions of 2022 share: its key layout
// and the few helpers every function copies. Any function may read or write any item; nobody
// owns the data.
//
// Key layout (partition key pk, sort key sk, both strings):
//
//	pk                          sk                  written by
//	ORDER#<order id>            ORDER               order-writer, order-status
//	CUSTOMER#<email>            PROFILE             customer-profile, loyalty-ledger
//	STOCK#<store>#<local day>   ITEM#<item id>      stock-reserve, stock-update
//	STORE#<store>               COUNTER             store-counter (the store's live counter)
//	PAYMENT#<order id>          CHARGE#<charge id>  payment-recorder
//	RECEIPT#<order id>          RECEIPT             receipt-generator
//	KITCHEN#<store>#<day>       TICKET#<order id>   kitchen-ticket
//	OUTBOX#<order id>           EMAIL#<subject>     email-sender
//	AUDIT#<order id>            <time>#<event>      audit-logger
//	ANALYTICS#<day>             STORE#<store>       analytics-sync
//	CONFIG                      PROMOTIONS          people, in the console (promo-rules reads it)
package table

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EnvName is the environment variable that names the table.
const EnvName = "TABLE_NAME"

// API is the part of the SDK's DynamoDB client the functions use.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Name reads the table's name from the function's environment.
func Name(getenv func(string) string) (string, error) {
	name := getenv(EnvName)
	if name == "" {
		return "", fmt.Errorf("%s is not set; the stack sets it to the name of the shared table", EnvName)
	}
	return name, nil
}

// Key is an item's primary key.
func Key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": S(pk), "sk": S(sk)}
}

// Item marshals v with its json field names and adds the key.
func Item(pk, sk string, v any) (map[string]types.AttributeValue, error) {
	item, err := Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("item %s/%s: %w", pk, sk, err)
	}
	item["pk"], item["sk"] = S(pk), S(sk)
	return item, nil
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
