package model

import "math"

// An item collection is the items of one partition key value in a table with local secondary
// indexes, with what those indexes project of them; DynamoDB limits it to 10 GB and, when a
// write asks with ReturnItemCollectionMetrics SIZE, answers an estimate of its size
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ItemCollections,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html).

// ItemCollectionMetrics is a write's answer about the item collection it changed.
type ItemCollectionMetrics struct {
	Key Item // the partition key attribute and its value
	// SizeEstimateRangeGB is a lower and an upper bound, whole gigabytes around the size (an
	// estimate, as DynamoDB says of its own: [0, 1] for any collection under 1 GB).
	SizeEstimateRangeGB [2]float64
}

// collectionMetrics measures the item collection of partition key value hk whose key
// attribute is keyItem's, when the table has local secondary indexes and the request asked for
// SIZE; nil otherwise. The caller holds t.mu.
func (t *Table) collectionMetrics(requested, hk string, keyItem Item) *ItemCollectionMetrics {
	lsis := t.indexes().lsis
	if requested != "SIZE" || len(lsis) == 0 {
		return nil
	}
	var bytes int
	if p := t.parts[hk]; p != nil {
		for _, e := range p.entries {
			bytes += e.size
			for _, ix := range lsis {
				if e.item[ix.schema.rng.name] != nil { // an LSI holds only items with its sort key
					bytes += ix.projectedSize(t, e)
				}
			}
		}
	}
	lo := math.Floor(float64(bytes) / (1 << 30))
	name := t.schema.hash.name
	return &ItemCollectionMetrics{Key: Item{name: keyItem[name]}, SizeEstimateRangeGB: [2]float64{lo, lo + 1}}
}
