// Package reporting holds audit-logger, which records order events, and analytics-sync, which
// keeps the per-store daily sales figures, both in the shared table and both on the order's
// synchronous path.
package reporting

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Table is audit-logger and analytics-sync.
type Table struct {
	DB   table.API
	Name string
}

// NewTable builds audit-logger or analytics-sync from its environment.
func NewTable(_ context.Context, cfg aws.Config, getenv func(string) string) (*Table, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	return &Table{DB: dynamodb.NewFromConfig(cfg), Name: name}, nil
}

// Audit is audit-logger: one item per event.
func (t *Table) Audit(ctx context.Context, in message.AuditEntry) (message.Done, error) {
	item, err := table.Item("AUDIT#"+in.OrderID, in.At.UTC().Format(time.RFC3339Nano)+"#"+in.Event, in)
	if err != nil {
		return message.Done{}, err
	}
	if _, err := t.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.Name, Item: item}); err != nil {
		return message.Done{}, fmt.Errorf("audit %s of order %s: %w", in.Event, in.OrderID, err)
	}
	return message.Done{ID: in.OrderID}, nil
}

// Analytics is analytics-sync: it adds the order to its store's figures for the store's local
// day, the numbers the morning report is made from.
func (t *Table) Analytics(ctx context.Context, in message.OrderEvent) (message.Done, error) {
	o := in.Order
	st, ok := bakery.StoreByID(o.StoreID)
	if !ok {
		return message.Done{}, fmt.Errorf("analytics for order %s: no store %q", o.ID, o.StoreID)
	}
	var units int64
	for _, l := range o.Items {
		units += int64(l.Quantity)
	}
	_, err := t.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &t.Name,
		Key:              table.Key("ANALYTICS#"+st.LocalDay(o.CreatedAt), "STORE#"+st.ID),
		UpdateExpression: aws.String("ADD orders :one, units :units, revenue :revenue SET currency = :cur"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": table.N(1), ":units": table.N(units), ":revenue": table.N(o.Total), ":cur": table.S(o.Currency),
		},
	})
	if err != nil {
		return message.Done{}, fmt.Errorf("analytics for order %s: %w", o.ID, err)
	}
	return message.Done{ID: o.ID}, nil
}
