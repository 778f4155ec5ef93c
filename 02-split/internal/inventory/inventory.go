package inventory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// The actions a Request asks for.
const (
	ActionReserve = "reserve"
	ActionRelease = "release"
)

// Request is the payload the order function invokes this function with. It is the contract
// between the two functions: changing it means deploying both together.
type Request struct {
	Action  string `json:"action"`
	OrderID string `json:"order_id"`
	// For reserve: the store, the pickup time (stock is counted per local day of the pickup) and
	// the lines. Release needs only the order id: it gives back what the reservation took.
	StoreID  string    `json:"store_id,omitempty"`
	PickupAt time.Time `json:"pickup_at,omitzero"`
	Lines    []Line    `json:"lines,omitempty"`
}

// Line asks for quantity of one menu item.
type Line struct {
	ItemID   string `json:"item_id" dynamodbav:"item_id"`
	Quantity int    `json:"quantity" dynamodbav:"quantity"`
}

// The outcomes a Reply reports. Anything that is not a business outcome (a bad request, DynamoDB
// failing) is a function error instead.
const (
	Reserved    = "reserved"     // every line is reserved (or was, by an earlier try of the same order)
	SoldOut     = "sold-out"     // a line is short; nothing is reserved
	Conflict    = "conflict"     // another order was reserving the same stock at that moment; nothing is reserved
	Released    = "released"     // the reservation's stock is back on the shelf
	NotReserved = "not-reserved" // release found no reservation: never made, or released already
)

// Reply is this function's answer.
type Reply struct {
	Outcome string `json:"outcome"`
	// Day is the store's local day the stock is counted in (reserve).
	Day string `json:"day,omitempty"`
	// Shortage is the first line that could not be reserved (sold-out).
	Shortage *Shortage `json:"shortage,omitempty"`
}

// Shortage says how much of an item was left and how much the order asked for.
type Shortage struct {
	ItemID    string `json:"item_id"`
	Remaining int    `json:"remaining"`
	Requested int    `json:"requested"`
	// PerDay is set, to the store's daily par level, when the order asks for more than the
	// store makes in a day.
	PerDay int `json:"per_day,omitempty"`
}

// Handler serves the inventory function's invocations.
type Handler struct {
	db    *dynamodb.Client
	table string
	// Now is the handler's clock; tests replace it to fix "now".
	Now func() time.Time
}

// New builds the handler from the function's environment: TABLE_NAME names the inventory table.
func New(_ context.Context, cfg aws.Config, getenv func(string) string) (*Handler, error) {
	table := getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("inventory: TABLE_NAME is not set; the function needs the name of its DynamoDB table")
	}
	return &Handler{db: dynamodb.NewFromConfig(cfg), table: table, Now: time.Now}, nil
}

// Handle serves one invocation. A request it cannot act on, or a DynamoDB failure, is an error,
// which Lambda hands the caller as a function error.
func (h *Handler) Handle(ctx context.Context, req Request) (Reply, error) {
	if err := req.validate(); err != nil {
		return Reply{}, err
	}
	if req.Action == ActionReserve {
		return h.reserve(ctx, req)
	}
	return h.release(ctx, req.OrderID)
}

// validate checks what the order function has already validated for the customer: a request
// failing here is a bug in the caller, and the error says which field.
func (r Request) validate() error {
	if r.Action != ActionReserve && r.Action != ActionRelease {
		return fmt.Errorf("inventory: action must be %q or %q, got %q", ActionReserve, ActionRelease, r.Action)
	}
	if !bakery.ValidOrderID(r.OrderID) {
		return fmt.Errorf("inventory: order_id must be an order id such as %q, got %q", bakery.NewOrderID(), r.OrderID)
	}
	if r.Action == ActionRelease {
		return nil
	}
	if _, ok := bakery.StoreByID(r.StoreID); !ok {
		return fmt.Errorf("inventory: store_id must name one of the stores, got %q", r.StoreID)
	}
	if r.PickupAt.IsZero() {
		return errors.New("inventory: pickup_at is required to reserve: stock is counted per local day")
	}
	if len(r.Lines) == 0 {
		return errors.New("inventory: lines must have at least one line to reserve")
	}
	seen := map[string]bool{}
	for i, l := range r.Lines {
		if _, ok := bakery.ItemByID(l.ItemID); !ok || seen[l.ItemID] {
			return fmt.Errorf("inventory: lines[%d].item_id must name a menu item once, got %q", i, l.ItemID)
		}
		seen[l.ItemID] = true
		if l.Quantity < bakery.MinQuantity || l.Quantity > bakery.MaxQuantity {
			return fmt.Errorf("inventory: lines[%d].quantity must be %d–%d, got %d", i, bakery.MinQuantity, bakery.MaxQuantity, l.Quantity)
		}
	}
	return nil
}

// reservation is the row that records what an order took.
type reservation struct {
	StoreID    string    `dynamodbav:"store_id"`
	Day        string    `dynamodbav:"day"`
	Lines      []Line    `dynamodbav:"lines"`
	ReservedAt time.Time `dynamodbav:"reserved_at"`
}

// reserve takes every line and records the reservation in one transaction: all of it happens or
// none does.
func (h *Handler) reserve(ctx context.Context, req Request) (Reply, error) {
	st, _ := bakery.StoreByID(req.StoreID)
	day := st.LocalDay(req.PickupAt)
	writes := make([]types.TransactWriteItem, 0, len(req.Lines)+1)
	for _, l := range req.Lines {
		it, _ := bakery.ItemByID(l.ItemID)
		par := bakery.ParLevel(st, it)
		if l.Quantity > par {
			return Reply{Outcome: SoldOut, Day: day, Shortage: &Shortage{ItemID: l.ItemID, Remaining: par, Requested: l.Quantity, PerDay: par}}, nil
		}
		writes = append(writes, types.TransactWriteItem{Update: &types.Update{
			TableName: &h.table,
			Key:       key("STOCK#"+st.ID+"#"+day, "ITEM#"+l.ItemID),
			// The first reservation of the day starts the count from the par level.
			UpdateExpression:                    aws.String("SET remaining = if_not_exists(remaining, :par) - :qty"),
			ConditionExpression:                 aws.String("attribute_not_exists(remaining) OR remaining >= :qty"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":par": number(par), ":qty": number(l.Quantity)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	item, err := attributevalue.MarshalMap(reservation{StoreID: st.ID, Day: day, Lines: req.Lines, ReservedAt: h.Now().UTC()})
	if err != nil {
		return Reply{}, fmt.Errorf("inventory: marshal reservation of order %s: %w", req.OrderID, err)
	}
	for k, v := range key("RESERVATION#"+req.OrderID, "RESERVATION") {
		item[k] = v
	}
	writes = append(writes, types.TransactWriteItem{Put: &types.Put{
		TableName: &h.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}})

	_, err = h.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		reasons := tce.CancellationReasons
		if len(reasons) == len(writes) && aws.ToString(reasons[len(req.Lines)].Code) == "ConditionalCheckFailed" {
			// A retry of a reservation that went through: the stock is already ours.
			return Reply{Outcome: Reserved, Day: day}, nil
		}
		for i, r := range reasons {
			switch {
			case i < len(req.Lines) && aws.ToString(r.Code) == "ConditionalCheckFailed":
				var left struct {
					Remaining int `dynamodbav:"remaining"`
				}
				_ = attributevalue.UnmarshalMap(r.Item, &left) // absent: nothing is known to be left
				l := req.Lines[i]
				return Reply{Outcome: SoldOut, Day: day, Shortage: &Shortage{ItemID: l.ItemID, Remaining: left.Remaining, Requested: l.Quantity}}, nil
			case aws.ToString(r.Code) == "TransactionConflict":
				return Reply{Outcome: Conflict, Day: day}, nil
			}
		}
	}
	if err != nil {
		return Reply{}, fmt.Errorf("inventory: reserve stock for order %s: %w", req.OrderID, err)
	}
	return Reply{Outcome: Reserved, Day: day}, nil
}

// releaseAttempts bounds the retries of a release that collides with another order's
// transaction on the same stock: a compensation must not be dropped because of a busy moment.
const releaseAttempts = 3

// release gives back what the order's reservation took and deletes the reservation, in one
// transaction.
func (h *Handler) release(ctx context.Context, orderID string) (Reply, error) {
	rkey := key("RESERVATION#"+orderID, "RESERVATION")
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.table, Key: rkey, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Reply{}, fmt.Errorf("inventory: read reservation of order %s: %w", orderID, err)
	}
	if out.Item == nil {
		return Reply{Outcome: NotReserved}, nil
	}
	var r reservation
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return Reply{}, fmt.Errorf("inventory: read reservation of order %s: %w", orderID, err)
	}
	writes := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName: &h.table, Key: rkey, ConditionExpression: aws.String("attribute_exists(pk)"),
	}}}
	for _, l := range r.Lines {
		writes = append(writes, types.TransactWriteItem{Update: &types.Update{
			TableName:                 &h.table,
			Key:                       key("STOCK#"+r.StoreID+"#"+r.Day, "ITEM#"+l.ItemID),
			UpdateExpression:          aws.String("SET remaining = remaining + :qty"),
			ConditionExpression:       aws.String("attribute_exists(remaining)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":qty": number(l.Quantity)},
		}})
	}
	for attempt := 1; ; attempt++ {
		_, err = h.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
		tce, ok := errors.AsType[*types.TransactionCanceledException](err)
		switch {
		case err == nil:
			return Reply{Outcome: Released, Day: r.Day}, nil
		case ok && len(tce.CancellationReasons) > 0 && aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed":
			// Another try of the same release got there first.
			return Reply{Outcome: NotReserved, Day: r.Day}, nil
		case ok && conflicted(tce) && attempt < releaseAttempts:
			continue
		}
		return Reply{}, fmt.Errorf("inventory: release stock of order %s: %w", orderID, err)
	}
}

func conflicted(tce *types.TransactionCanceledException) bool {
	for _, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "TransactionConflict" {
			return true
		}
	}
	return false
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
}

func number(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}
