package asl

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/workers"
)

// parallel runs every branch with the same input and collects their outputs in branch order.
// The first failing branch stops the others and fails the state with its error.
func (c *stateRun) parallel(ctx context.Context, input any) (any, *Failure) {
	x, s := c.x, c.s
	startedID := x.emit(c.th, HistoryEvent{Type: EventParallelStateStarted})
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]any, len(s.branches))
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first *Failure
	)
	branch := func(i int) {
		out, f := x.runGraph(bctx, s.branches[i], input, newScope(c.sc), &thread{prev: startedID}, nil)
		if f != nil {
			once.Do(func() {
				first = f
				cancel()
			})
			return
		}
		results[i] = out
	}
	// The last branch runs on this goroutine, which saves one goroutine (and its stack growth).
	for i := range len(s.branches) - 1 {
		wg.Add(1)
		workers.Go(func() {
			defer wg.Done()
			branch(i)
		})
	}
	branch(len(s.branches) - 1)
	wg.Wait()
	if ctx.Err() != nil {
		x.emit(c.th, HistoryEvent{Type: EventParallelStateAborted})
		return nil, &Failure{Name: ErrRuntime, Cause: "aborted"}
	}
	if first != nil {
		x.emit(c.th, HistoryEvent{Type: EventParallelStateFailed})
		return nil, first
	}
	x.emit(c.th, HistoryEvent{Type: EventParallelStateSucceeded})
	return results, nil
}

// maxInlineConcurrency bounds a Map whose MaxConcurrency is 0 ("as many as possible"), as
// AWS runs at most 40 inline iterations at once.
const maxInlineConcurrency = 40

// mapValue resolves a Map or ItemBatcher field given as a literal, a path or a JSONata
// expression to a number.
func (c *stateRun) mapNumber(lit any, path, field string, eff any, ctxObj, states map[string]any) (float64, bool, *Failure) {
	var v any
	switch {
	case path != "":
		r, err := jpSelectAny(eff, ctxObj, c.vars(nil), path)
		if err != nil {
			return 0, false, c.runtimeError(err)
		}
		v = r
	case lit == nil:
		return 0, false, nil
	default:
		v = lit
		if str, ok := lit.(string); ok {
			r, err := evalJSONata(str, field, c.jsonata(states))
			if err != nil {
				return 0, false, asFailure(err)
			}
			v = r
		}
	}
	n, ok := jsonpath.Number(v)
	if !ok || n < 0 {
		return 0, false, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The value %s for the field '%s' of state '%s' must be a non-negative number", encodeString(v), field, c.s.name)}
	}
	return n, true, nil
}

func (c *stateRun) mapState(ctx context.Context, eff any, ctxObj, states map[string]any) (any, *Failure) {
	x, s := c.x, c.s
	if s.hasItemReader {
		return nil, &Failure{Name: ErrItemReaderFailed, Cause: "ItemReader is not supported by this emulator; pass the items in the state input"}
	}
	// The items.
	var itemsV any
	if s.ql == JSONata {
		itemsV = c.raw
		if s.hasItems {
			v, err := evalJSONataTemplate(s.items, "Items", c.jsonata(states))
			if err != nil {
				return nil, asFailure(err)
			}
			itemsV = v
		}
	} else {
		v, err := jpSelectField(eff, ctxObj, c.vars(nil), s.itemsPath, "ItemsPath")
		if err != nil {
			return nil, c.runtimeError(err)
		}
		itemsV = v
	}
	items, ok := itemsV.([]any)
	if !ok {
		if s.ql == JSONata {
			return nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("The Items of Map state '%s' must be an array, got %s", s.name, jsonType(itemsV))}
		}
		return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Item path %s in Map state '%s' must point to a JSON array, got %s", s.itemsPath, s.name, jsonType(itemsV))}
	}

	// Each item's input: ItemSelector, then ItemBatcher.
	inputs := make([]any, len(items))
	for i, it := range items {
		inputs[i] = it
		if !s.hasItemSelector {
			continue
		}
		ictx := x.contextObject(s.name, c.entered, 0, "", &mapItem{index: i, value: it})
		if s.ql == JSONata {
			st := map[string]any{"input": c.raw, "context": ictx}
			v, err := evalJSONataTemplate(s.itemSelector, "ItemSelector", c.jsonata(st))
			if err != nil {
				return nil, asFailure(err)
			}
			inputs[i] = v
		} else {
			v, f := c.template(s.itemSelector, eff, ictx, nil)
			if f != nil {
				return nil, f
			}
			inputs[i] = v
		}
	}
	if s.batcher != nil {
		batched, f := c.batch(inputs, eff, ctxObj, states)
		if f != nil {
			return nil, f
		}
		inputs = batched
	}

	limit := maxInlineConcurrency
	if n, set, f := c.mapNumber(s.maxConcurrency, s.maxConcurrencyPath, "MaxConcurrency", eff, ctxObj, states); f != nil {
		return nil, f
	} else if set && n > 0 && int(n) < limit {
		limit = int(n)
	}
	tolerated := -1.0 // no failure tolerated
	if s.hasTolerance {
		cnt, setC, f := c.mapNumber(s.toleratedCount, s.toleratedCountPath, "ToleratedFailureCount", eff, ctxObj, states)
		if f != nil {
			return nil, f
		}
		pct, setP, f := c.mapNumber(s.toleratedPercent, s.toleratedPercentPath, "ToleratedFailurePercentage", eff, ctxObj, states)
		if f != nil {
			return nil, f
		}
		tolerated = math.Inf(1)
		if setC {
			tolerated = cnt
		}
		if setP {
			tolerated = math.Min(tolerated, pct/100*float64(len(inputs)))
		}
	}

	startedID := x.emit(c.th, HistoryEvent{Type: EventMapStateStarted, MapStateStartedEventDetails: &MapStateStartedEventDetails{Length: len(inputs)}})
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]any, len(inputs))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failed   int
		first    *Failure
		exceeded bool
		sem      = make(chan struct{}, limit)
	)
	for i, in := range inputs {
		if mctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		workers.Go(func() {
			defer func() { <-sem; wg.Done() }()
			th := &thread{prev: startedID}
			x.emit(th, HistoryEvent{Type: EventMapIterationStarted, MapIterationStartedEventDetails: &MapIterationEventDetails{Name: s.name, Index: i}})
			var parent *scope
			if !s.distributed {
				parent = c.sc
			}
			out, f := x.runGraph(mctx, s.processor, in, newScope(parent), th, nil)
			if f == nil {
				results[i] = out
				x.emit(th, HistoryEvent{Type: EventMapIterationSucceeded, MapIterationSucceededEventDetails: &MapIterationEventDetails{Name: s.name, Index: i}})
				return
			}
			if mctx.Err() != nil {
				x.emit(th, HistoryEvent{Type: EventMapIterationAborted, MapIterationAbortedEventDetails: &MapIterationEventDetails{Name: s.name, Index: i}})
				return
			}
			x.emit(th, HistoryEvent{Type: EventMapIterationFailed, MapIterationFailedEventDetails: &MapIterationEventDetails{Name: s.name, Index: i}})
			mu.Lock()
			defer mu.Unlock()
			failed++
			results[i] = map[string]any{"Error": f.Name, "Cause": f.Cause}
			if float64(failed) > tolerated && first == nil {
				first = f
				exceeded = s.hasTolerance
				cancel()
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		x.emit(c.th, HistoryEvent{Type: EventMapStateAborted})
		return nil, &Failure{Name: ErrRuntime, Cause: "aborted"}
	}
	if first != nil {
		x.emit(c.th, HistoryEvent{Type: EventMapStateFailed})
		if exceeded {
			return nil, &Failure{Name: ErrExceedToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
		}
		return nil, first
	}
	x.emit(c.th, HistoryEvent{Type: EventMapStateSucceeded})
	return results, nil
}

// batch groups item inputs by MaxItemsPerBatch and MaxInputBytesPerBatch into
// {"Items": [...], "BatchInput": ...} objects.
func (c *stateRun) batch(inputs []any, eff any, ctxObj, states map[string]any) ([]any, *Failure) {
	b := c.s.batcher
	maxItems, setItems, f := c.mapNumber(b.maxItems, b.maxItemsPath, "MaxItemsPerBatch", eff, ctxObj, states)
	if f != nil {
		return nil, f
	}
	maxBytes, setBytes, f := c.mapNumber(b.maxInputBytes, b.maxInputBytesPth, "MaxInputBytesPerBatch", eff, ctxObj, states)
	if f != nil {
		return nil, f
	}
	if !setItems || maxItems < 1 {
		maxItems = math.Inf(1)
	}
	if !setBytes || maxBytes < 1 {
		maxBytes = maxPayload
	}
	var batchInput any
	if b.hasBatchInput {
		var err error
		if c.s.ql == JSONata {
			batchInput, err = evalJSONataTemplate(b.batchInput, "BatchInput", c.jsonata(states))
		} else {
			batchInput, err = jpApplyTemplate(b.batchInput, eff, ctxObj, c.vars(nil))
		}
		if err != nil {
			return nil, c.runtimeError(err)
		}
	}
	var (
		out  []any
		cur  []any
		size int
	)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		m := map[string]any{"Items": cur}
		if b.hasBatchInput {
			m["BatchInput"] = batchInput
		}
		out = append(out, m)
		cur, size = nil, 0
	}
	for _, in := range inputs {
		n := len(encode(in))
		if len(cur) > 0 && (float64(len(cur)) >= maxItems || float64(size+n) > maxBytes) {
			flush()
		}
		cur = append(cur, in)
		size += n
	}
	flush()
	return out, nil
}
