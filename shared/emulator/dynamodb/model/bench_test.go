package model

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// The benchmarks here measure the model's own CPU per request for an item of a given size, the
// cost issue 19 asks to stop growing with the item: a write that touches a few attributes of a
// large item, an append to a long list (03-crisis's store counter), a conditional put, a read.
// Run them with
//
//	go test -run '^$' -bench . -benchmem ./shared/emulator/dynamodb/model/

// counterItem is shaped like 03-crisis's per-store counter: an activity list of movements (maps
// of 13 attributes, about 200 bytes each) plus a few totals, grown to about size bytes.
func counterItem(size int) Item {
	var list []*Value
	item := Item{
		"pk": sv("STORE#s-01"), "sk": sv("COUNTER"),
		"reserved": nv("12"), "movements": nv("3"), "updated_at": sv("2026-12-04T07:00:00Z"),
	}
	for i := 0; ItemSize(item) < size; i++ {
		list = append(list, movement(i))
		item["activity"] = &Value{L: list}
	}
	return item
}

func movement(i int) *Value {
	n := strconv.Itoa(i)
	return &Value{M: Item{
		"order_id": sv("o-" + n), "store_id": sv("s-01"), "day": sv("2026-12-04"), "item_id": sv("croissant"),
		"name": sv("Croissant"), "quantity": nv(strconv.Itoa(1 + i%4)), "par": nv("40"), "unit_price": nv("350"),
		"currency": sv("EUR"), "action": sv("reserved"), "customer": sv("c-" + n), "pickup": sv("08:15"),
		"at": sv("2026-12-04T07:00:00.123456789Z"),
	}}
}

func benchModel(b *testing.B) *Model {
	b.Helper()
	// Each request sees a clock a minute later, so the token buckets are always full: the
	// benchmarks measure CPU, not the partition limit the capacity tests cover.
	now := time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)
	tick := func() time.Time { now = now.Add(time.Minute); return now }
	m := New(Options{Region: "us-east-1", AccountID: "000000000000", Now: tick})
	_, err := m.CreateTable(&CreateTableInput{
		TableName:            "bakery",
		BillingMode:          PayPerRequest,
		AttributeDefinitions: []AttributeDefinition{{"pk", "S"}, {"sk", "S"}},
		KeySchema:            []KeySchemaElement{{"pk", "HASH"}, {"sk", "RANGE"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

var benchSizes = []int{1 << 10, 100 << 10}

func sizeName(n int) string { return fmt.Sprintf("%dKB", n>>10) }

// BenchmarkUpdateItem updates an item of each size two ways: the store counter's append of one
// movement to the activity list (the growing attribute is the one touched), and a status change
// that leaves the large list alone. Every 64 updates the item is put back at its starting size,
// so the appends do not grow it without bound (that put is part of the measured cost).
func BenchmarkUpdateItem(b *testing.B) {
	key := Item{"pk": sv("STORE#s-01"), "sk": sv("COUNTER")}
	updates := []struct {
		name string
		in   UpdateItemInput
	}{
		{"append", UpdateItemInput{
			TableName: "bakery", Key: key,
			UpdateExpression:         "SET activity = list_append(if_not_exists(activity, :none), :entries), updated_at = :at ADD #action :units, movements :n",
			ExpressionAttributeNames: map[string]string{"#action": "reserved"},
			ExpressionAttributeValues: Item{
				":none": {L: []*Value{}}, ":entries": {L: []*Value{movement(7)}}, ":at": sv("2026-12-04T07:00:01Z"),
				":units": nv("2"), ":n": nv("1"),
			},
		}},
		{"set-other", UpdateItemInput{
			TableName: "bakery", Key: key,
			UpdateExpression:          "SET #s = :s, updated_at = :at",
			ConditionExpression:       "attribute_exists(pk)",
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: Item{":s": sv("open"), ":at": sv("2026-12-04T07:00:01Z")},
		}},
	}
	for _, u := range updates {
		for _, size := range benchSizes {
			b.Run(u.name+"/"+sizeName(size), func(b *testing.B) {
				m := benchModel(b)
				base := counterItem(size)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i%64 == 0 {
						if _, err := m.PutItem(&PutItemInput{TableName: "bakery", Item: base}); err != nil {
							b.Fatal(err)
						}
					}
					i++
					in := u.in
					if _, err := m.UpdateItem(&in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPutGetItem puts an item of each size under a condition (attribute_not_exists on the
// key, so the stored item is evaluated) and reads it back whole.
func BenchmarkPutGetItem(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("put-conditional/"+sizeName(size), func(b *testing.B) {
			m := benchModel(b)
			item := counterItem(size)
			if _, err := m.PutItem(&PutItemInput{TableName: "bakery", Item: item}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, err := m.PutItem(&PutItemInput{TableName: "bakery", Item: item,
					ConditionExpression: "attribute_exists(pk) AND movements < :max", ExpressionAttributeValues: Item{":max": nv("1000")}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("get/"+sizeName(size), func(b *testing.B) {
			m := benchModel(b)
			item := counterItem(size)
			if _, err := m.PutItem(&PutItemInput{TableName: "bakery", Item: item}); err != nil {
				b.Fatal(err)
			}
			key := Item{"pk": item["pk"], "sk": item["sk"]}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.GetItem(&GetItemInput{TableName: "bakery", Key: key}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
