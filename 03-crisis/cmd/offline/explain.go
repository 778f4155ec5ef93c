package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
)

// writeCounters reads the busiest stores' live counters: the hot keys.
func writeCounters(ctx context.Context, w io.Writer, emu *emulator.Emulator) {
	name, _ := emu.Outputs()["TableName"].(string)
	db := dynamodb.NewFromConfig(emu.Config())
	type counter struct {
		store     string
		movements int64
		kb        float64
	}
	var cs []counter
	for _, st := range bakery.Stores() {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &name, Key: table.Key("STORE#"+st.ID, "COUNTER"), ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			continue
		}
		var c struct {
			Movements int64 `json:"movements"`
		}
		_ = table.Unmarshal(out.Item, &c)
		cs = append(cs, counter{st.ID, c.Movements, float64(itemSize(out.Item)) / 1024})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].kb > cs[j].kb })
	fmt.Fprintln(w, "| store counter item | movements | size at the end | WCU per write at the end |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, c := range cs[:min(5, len(cs))] {
		fmt.Fprintf(w, "| STORE#%s | %d | %.1f KB | %.0f |\n", c.store, c.movements, c.kb, max(1, ceil(c.kb)))
	}
	fmt.Fprintln(w)
}

func ceil(x float64) float64 {
	if x == float64(int64(x)) {
		return x
	}
	return float64(int64(x) + 1)
}

// itemSize is an item's size as DynamoDB counts it: names and values in bytes, numbers at about
// one byte per two digits, three bytes of overhead per list or map and one per element.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + itemSize(v.Value) + len(v.Value)
	}
	return 0
}
