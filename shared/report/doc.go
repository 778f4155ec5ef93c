// Package report turns load result files (one JSON file per stage and profile, written by the
// load tool) into the generated documentation: docs/results.md with one comparison table per
// profile, hand-written SVG charts in docs/charts/, and the "Measured" block of each stage
// README. Output is deterministic: the same results give byte-identical files.
//
// A latency of 0 reads as "not measured": the load tool omits p95 when it has none, and no real
// request takes exactly 0 ms.
package report
