// Package cdktest is the harness a stage's CDK tests (0N-*/infra/stack_test.go) share: it
// synthesizes the stage's stack once per test binary, offline, with the context `make synth`
// passes (the Makefile's SYNTH_CONTEXT, read from the Makefile so the two cannot drift); compares
// the synthesized template with the committed golden file (infra/golden/template.json) after
// normalising what legitimately differs between edits and checkouts, and rewrites it with -update;
// runs CDK assertions, which panic when they fail, as test errors; and reads the parts of a
// template the stages' wiring checks look at (construct paths, REST routes).
//
// Keep all of a stage's CDK tests in one package: each CDK test binary starts its own node process
// (~500 MB, a few seconds).
//
// Limitations: one stack per Harness; the test binary must run in the stage's infra directory (go
// test does that), with the stage one directory up and the repository's Makefile above it; with
// -short every synthesizing test is skipped.
package cdktest
