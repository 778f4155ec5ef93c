// Package golden holds the stage's synthesized CloudFormation templates, one per region.
//
// They are refreshed with `make golden STAGE=05-global` (go test ./05-global/infra -run Golden
// -update) and must not import the CDK: the emulator embeds them and runs the stage from them
// with Go alone.
package golden

import (
	_ "embed"
)

// The stacks' CloudFormation templates as `cdk synth` writes them, with bundling off and asset
// hashes normalised.
var (
	//go:embed eu-west-1.json
	euWest1 []byte
	//go:embed us-east-1.json
	usEast1 []byte
)

// Templates maps each region to its stack's template; the primary region's stack (eu-west-1)
// owns the global tables.
var Templates = map[string][]byte{
	"eu-west-1": euWest1,
	"us-east-1": usEast1,
}
