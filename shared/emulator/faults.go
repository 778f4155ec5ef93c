package emulator

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

// PutFault switches a fault on, after checking that its resource is one of this stage's: a
// misspelt function name is an error that lists the names, not a fault that never fires. The
// names are those of FaultResources; a DynamoDB fault may also name one partition key value
// ("dynamodb:<table>/<key>") to make a hot key.
func (e *Emulator) PutFault(resource string, r fault.Rule) error {
	known := e.FaultResources()
	name := resource
	if table, _, ok := strings.Cut(resource, "/"); ok && strings.HasPrefix(resource, "dynamodb:") {
		name = table
	}
	if i := sort.SearchStrings(known, name); i == len(known) || known[i] != name {
		return fmt.Errorf("no resource %q to put a fault on in stage %s; the resources are %s (a DynamoDB one may end in /<partition key value>)",
			resource, e.stage.Name, strings.Join(known, ", "))
	}
	return e.env.Faults.Put(resource, r)
}

// FaultResources lists, sorted, the names a fault can be put on in this stage: "payment",
// "kitchen" and
// the id of every service's resources ("lambda:<function>", "dynamodb:<table>",
// "apigateway:<api id>", …).
func (e *Emulator) FaultResources() []string {
	out := []string{"payment", "kitchen"}
	for _, r := range e.SimResources() {
		out = append(out, string(r.ID))
	}
	sort.Strings(out)
	return slices.Compact(out)
}
