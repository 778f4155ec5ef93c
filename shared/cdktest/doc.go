// Package cdktest is the harness a stage's CDK tests (0N-*/infra/stack_test.go) share: it
// synthesizes the stage's app once per test binary, offline, with the context `make synth`
// passes (the Makefile's SYNTH_CONTEXT, read from the Makefile so the two cannot drift), after
// adding the aspects the stage's infra main adds (Harness.Aspects: cdk-nag's rule packs in 04 and
// 05); compares each synthesized template with the committed golden file (infra/golden/
// template.json, or golden/<key>.json per stack of an app with several, such as 05's one per
// region) after normalising what legitimately differs between edits and checkouts, and rewrites
// it with -update; fails a test on the stacks' error annotations (Harness.NoErrors: cdk-nag's
// findings); runs CDK assertions, which panic when they fail, as test errors; and reads the parts
// of a template the stages' wiring checks look at (construct paths, REST routes).
//
// Keep all of a stage's CDK tests in one package: each CDK test binary starts its own node process
// (~500 MB, a few seconds), and one Harness synthesizes all of the app's stacks in it.
//
// Limitations: one app per Harness, whose stacks are all top-level (one stack with New, several
// keyed ones with NewStacks); the test binary must run in the stage's infra directory (go test
// does that), with the stage one directory up and the repository's Makefile above it; with -short
// every synthesizing test is skipped.
package cdktest
