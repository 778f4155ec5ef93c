// Package customers holds the customer functions: customer-check and the customer-profile it
// asks, and loyalty-points with the loyalty-ledger it writes through.
package customers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
)

// Environment variables naming the functions this package's functions call.
const (
	EnvCustomerProfile = "CUSTOMER_PROFILE_FUNCTION"
	EnvLoyaltyLedger   = "LOYALTY_LEDGER_FUNCTION"
)

const (
	customerPrefix = "CUSTOMER#"
	profileSK      = "PROFILE"
)

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Check is customer-check: it normalises the customer's email and asks customer-profile.
type Check struct {
	Profile Caller
}

// NewCheck builds customer-check from its environment.
func NewCheck(_ context.Context, cfg aws.Config, getenv func(string) string) (*Check, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Check{Profile: b.Function(EnvCustomerProfile)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("customer-check: %w", err)
	}
	return h, nil
}

// Handle answers the customer's profile.
func (h *Check) Handle(ctx context.Context, in message.CustomerRequest) (message.Customer, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	var c message.Customer
	if err := h.Profile.Call(ctx, in, &c); err != nil {
		return message.Customer{}, fmt.Errorf("customer profile: %w", err)
	}
	return c, nil
}

// Profiles is customer-profile and loyalty-ledger: the customer item in the shared table.
type Profiles struct {
	DB   table.API
	Name string
	Now  func() time.Time
}

// NewProfiles builds customer-profile or loyalty-ledger from its environment.
func NewProfiles(_ context.Context, cfg aws.Config, getenv func(string) string) (*Profiles, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	return &Profiles{DB: dynamodb.NewFromConfig(cfg), Name: name, Now: time.Now}, nil
}

// Profile is customer-profile: it reads the customer, creating the profile on a first order.
func (p *Profiles) Profile(ctx context.Context, in message.CustomerRequest) (message.Customer, error) {
	key := table.Key(customerPrefix+in.Email, profileSK)
	out, err := p.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &p.Name, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return message.Customer{}, fmt.Errorf("get customer %s: %w", in.Email, err)
	}
	if out.Item != nil {
		var c message.Customer
		if err := table.Unmarshal(out.Item, &c); err != nil {
			return message.Customer{}, fmt.Errorf("read customer %s: %w", in.Email, err)
		}
		return c, nil
	}
	c := message.Customer{Email: in.Email, Name: in.Name, New: true, FirstSeen: p.Now().UTC()}
	item, err := table.Item(customerPrefix+in.Email, profileSK, c)
	if err != nil {
		return message.Customer{}, err
	}
	if _, err := p.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &p.Name, Item: item}); err != nil {
		return message.Customer{}, fmt.Errorf("create customer %s: %w", in.Email, err)
	}
	return c, nil
}

// Ledger is loyalty-ledger: it adds points to the customer's balance.
func (p *Profiles) Ledger(ctx context.Context, in message.LedgerEntry) (message.Done, error) {
	_, err := p.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &p.Name,
		Key:              table.Key(customerPrefix+strings.ToLower(in.Email), profileSK),
		UpdateExpression: aws.String("ADD points :p SET last_order = :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": table.N(in.Points), ":o": table.S(in.OrderID),
		},
	})
	if err != nil {
		return message.Done{}, fmt.Errorf("add %d points for %s: %w", in.Points, in.Email, err)
	}
	return message.Done{ID: in.OrderID}, nil
}

// Points is loyalty-points: one point per whole unit of the order's currency.
type Points struct {
	Ledger Caller
}

// NewPoints builds loyalty-points from its environment.
func NewPoints(_ context.Context, cfg aws.Config, getenv func(string) string) (*Points, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Points{Ledger: b.Function(EnvLoyaltyLedger)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("loyalty-points: %w", err)
	}
	return h, nil
}

// Handle works out the order's points and has loyalty-ledger add them.
func (h *Points) Handle(ctx context.Context, in message.OrderEvent) (message.Done, error) {
	points := in.Order.Total / 100
	if err := h.Ledger.Call(ctx, message.LedgerEntry{Email: in.Order.Customer.Email, OrderID: in.Order.ID, Points: points}, nil); err != nil {
		return message.Done{}, fmt.Errorf("loyalty for order %s: %w", in.Order.ID, err)
	}
	return message.Done{ID: in.Order.ID}, nil
}
