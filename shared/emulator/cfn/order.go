package cfn

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
)

// Order returns the resources in an order in which each comes after every resource it depends
// on: through Ref, Fn::GetAtt or Fn::Sub in its Properties (both branches of Fn::If count), or
// through DependsOn. Among resources whose dependencies are met, the smaller logical ID comes
// first, so the order is stable. A cycle is an error naming it; so is a reference to a name that
// is neither a resource, a parameter nor a pseudo parameter.
func (t *Template) Order() ([]*Resource, error) {
	ids := sortedKeys(t.Resources)
	deps := make(map[string][]string, len(ids)) // resource → the resources it depends on
	for _, id := range ids {
		res := t.Resources[id]
		var ds []string
		for _, d := range res.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				return nil, fmt.Errorf("resource %s: DependsOn names unknown resource %q", id, d)
			}
			ds = append(ds, d)
		}
		err := references(id+".Properties", res.Properties, func(ref reference) error {
			switch {
			case t.Resources[ref.name] != nil:
				ds = append(ds, ref.name)
			case ref.fn == "Fn::GetAtt":
				return fmt.Errorf("resource %s: %s: Fn::GetAtt references unknown resource %q", id, ref.path, ref.name)
			case isPseudo(ref.name):
			case hasKey(t.Parameters, ref.name):
			default:
				return fmt.Errorf("resource %s: %s: %s references unknown resource or parameter %q", id, ref.path, ref.fn, ref.name)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(ds)
		deps[id] = slices.Compact(ds)
	}

	waiting := make(map[string]int, len(ids)) // resource → dependencies not yet ordered
	dependents := make(map[string][]string, len(ids))
	ready := &stringHeap{}
	for _, id := range ids {
		waiting[id] = len(deps[id])
		for _, d := range deps[id] {
			dependents[d] = append(dependents[d], id)
		}
		if waiting[id] == 0 {
			heap.Push(ready, id)
		}
	}
	order := make([]*Resource, 0, len(ids))
	for ready.Len() > 0 {
		id := heap.Pop(ready).(string)
		order = append(order, t.Resources[id])
		delete(waiting, id)
		for _, d := range dependents[id] {
			waiting[d]--
			if waiting[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	if len(waiting) > 0 {
		return nil, fmt.Errorf("dependency cycle: %s (each depends on the next)", strings.Join(findCycle(waiting, deps), " -> "))
	}
	return order, nil
}

// findCycle walks from the smallest unordered resource along its smallest unordered dependency;
// every unordered resource has one, so the walk must come back to a resource it has seen.
func findCycle(waiting map[string]int, deps map[string][]string) []string {
	cur := sortedKeys(waiting)[0]
	seen := map[string]int{}
	var path []string
	for {
		if i, ok := seen[cur]; ok {
			return append(path[i:], cur)
		}
		seen[cur] = len(path)
		path = append(path, cur)
		for _, d := range deps[cur] {
			if _, ok := waiting[d]; ok {
				cur = d
				break
			}
		}
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

type stringHeap []string

func (h stringHeap) Len() int           { return len(h) }
func (h stringHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h stringHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *stringHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *stringHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
