package report

import (
	"fmt"
	"regexp"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// What "sourced" means for the latency model, counted from the model itself so prose never
// overstates it: a doc writes
//
//	<!-- latency-sources -->…<!-- /latency-sources -->
//
// and the report fills in how many of the emulator's latency components come from AWS
// documentation, from independent published measurements, and are estimates (the tags in
// docs/latency-model.md).
var latencySourcesPattern = regexp.MustCompile(`<!-- latency-sources -->(.*?)<!-- /latency-sources -->`)

const latencySourcesMarker = "<!-- latency-sources -->"

// latencySources is the sentence fragment the marker holds, e.g. "of its 33 components, 2 come
// from AWS documentation, 8 from independent published measurements and 23 are estimates".
func latencySources() string {
	counts := map[latency.Tag]int{}
	comps := latency.Default(1).Components()
	for _, c := range comps {
		counts[c.Tag]++
	}
	return fmt.Sprintf("of its %d components, %d come from AWS documentation, %d from independent published measurements and %d are estimates",
		len(comps), counts[latency.TagAWS], counts[latency.TagIndependent], counts[latency.TagEstimate])
}

// fillLatencySources refreshes every latency-sources marker in doc.
func fillLatencySources(doc string) string {
	return latencySourcesPattern.ReplaceAllString(doc, latencySourcesMarker+latencySources()+"<!-- /latency-sources -->")
}
