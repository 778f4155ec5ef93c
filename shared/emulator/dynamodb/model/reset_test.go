package model

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Restore is the emulator's reset, not a DynamoDB operation; what it must give back is a table
// as it was: its items, its global secondary index's view of them
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html), and a provisioned
// table's burst capacity, which a new table starts with and a busy one spends
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html).
func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	newModel := func(t *testing.T) *Model {
		m := New(Options{Region: "us-east-1", AccountID: "000000000000", Now: func() time.Time { return now }})
		_, err := m.CreateTable(&CreateTableInput{
			TableName: "stock", BillingMode: Provisioned, ProvisionedThroughput: &ProvisionedThroughput{ReadCapacityUnits: 5, WriteCapacityUnits: 1},
			AttributeDefinitions: []AttributeDefinition{{"pk", "S"}, {"shop", "S"}},
			KeySchema:            []KeySchemaElement{{"pk", "HASH"}},
			GlobalSecondaryIndexes: []GlobalSecondaryIndex{{IndexName: "byStore", KeySchema: []KeySchemaElement{{"shop", "HASH"}},
				Projection: Projection{ProjectionType: "ALL"}, ProvisionedThroughput: &ProvisionedThroughput{ReadCapacityUnits: 5, WriteCapacityUnits: 1}}},
		})
		require.NoError(t, err)
		for _, pk := range []string{"croissant", "eclair"} {
			_, err := m.PutItem(&PutItemInput{TableName: "stock", Item: Item{"pk": sv(pk), "shop": sv("paris"), "n": nv("10")}})
			require.NoError(t, err)
		}
		return m
	}
	byStore := func(t *testing.T, m *Model) []string {
		out, err := m.Query(&QueryInput{TableName: "stock", IndexName: "byStore", KeyConditionExpression: "shop = :s",
			ExpressionAttributeValues: Item{":s": sv("paris")}})
		require.NoError(t, err)
		var got []string
		for _, it := range out.Items {
			got = append(got, *it["pk"].S+"="+*it["n"].N)
		}
		return got
	}
	tests := []struct {
		name         string
		dirty        func(t *testing.T, m *Model)
		wantRemoved  int
		wantRestored int
	}{
		{name: "nothing changed", wantRemoved: 2, wantRestored: 2},
		{
			name: "new, changed and deleted items",
			dirty: func(t *testing.T, m *Model) {
				_, err := m.PutItem(&PutItemInput{TableName: "stock", Item: Item{"pk": sv("order-1"), "shop": sv("paris"), "n": nv("1")}})
				require.NoError(t, err)
				_, err = m.UpdateItem(&UpdateItemInput{TableName: "stock", Key: Item{"pk": sv("croissant")}, UpdateExpression: "SET n = :z",
					ExpressionAttributeValues: Item{":z": nv("0")}})
				require.NoError(t, err)
				_, err = m.DeleteItem(&DeleteItemInput{TableName: "stock", Key: Item{"pk": sv("eclair")}})
				require.NoError(t, err)
			},
			wantRemoved: 2, wantRestored: 2,
		},
		{
			name: "the burst capacity spent",
			dirty: func(t *testing.T, m *Model) {
				// 1 WCU keeps 300 s of burst: 300 one-unit writes spend it, the next is throttled.
				var err error
				for i := 0; err == nil && i < 400; i++ {
					_, err = m.PutItem(&PutItemInput{TableName: "stock", Item: Item{"pk": sv(fmt.Sprint("order-", i)), "shop": sv("lyon")}})
				}
				var e *Error
				require.ErrorAs(t, err, &e)
				require.Equal(t, CodeProvisioned, e.Code)
			},
			wantRemoved: 300, wantRestored: 2, // the seed's two writes came out of the same 300 s of burst
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newModel(t)
			snap := m.Snapshot()
			if tt.dirty != nil {
				tt.dirty(t, m)
			}
			removed, restored := m.Restore(snap)
			assert.Equal(t, tt.wantRemoved, removed)
			assert.Equal(t, tt.wantRestored, restored)
			assert.Equal(t, []string{"croissant=10", "eclair=10"}, slices.Sorted(slices.Values(byStore(t, m))), "the index sees the seeded items only")
			d, err := m.DescribeTable("stock")
			require.NoError(t, err)
			assert.EqualValues(t, 2, d.ItemCount)
			_, err = m.PutItem(&PutItemInput{TableName: "stock", Item: Item{"pk": sv("after"), "shop": sv("lyon")}})
			assert.NoError(t, err, "a write after the reset has capacity")
		})
	}
}
