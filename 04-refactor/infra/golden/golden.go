// Package golden holds the stage's synthesized CloudFormation template.
//
// It is refreshed with `make golden STAGE=04-refactor` (go test ./04-refactor/infra -update) and
// must not import the CDK: the emulator embeds it and runs the stage from it with Go alone.
package golden

import _ "embed"

// Template is the stack's CloudFormation template as `cdk synth` writes it, with bundling off and
// asset hashes normalised.
//
//go:embed template.json
var Template []byte
