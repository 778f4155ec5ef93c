// Command offline runs stage 05 in the emulator (make local STAGE=05-global) or drives a load
// profile at it (make load STAGE=05-global): it hands the stage's templates and handlers to the
// shared command.
package main

import (
	"github.com/emilys-pastries/serverless-evolution/05-global/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// The regions, as infra defines them: the primary's stack owns the global tables.
const (
	PrimaryRegion   = bakery.RegionEurope
	SecondaryRegion = bakery.RegionNorthAmerica
)

// Regions lists the stage's regions in deploy order.
var Regions = []string{PrimaryRegion, SecondaryRegion}

// StackName is the stage's CloudFormation stack in region.
func StackName(region string) string { return "EmilysPastries05Global-" + region }

// KitchenHost is the modelled kitchen's host offline, like payment.InternalHost for the provider.
const KitchenHost = "kitchen.internal"

func main() {
	offline.Main(Stage())
}

// parameters are a region's stack parameters offline: the provider's regional endpoint (one
// provider offline, whatever the host), the kitchen's tablets.
func parameters(string) map[string]any {
	return map[string]any{
		"PaymentProviderUrl":   "http://" + payment.InternalHost,
		"KitchenDisplayUrl":    "http://" + KitchenHost,
		"KitchenDisplayApiKey": "offline-kitchen-key",
	}
}

// Stage is stage 05 as the emulator runs it. Until the emulator runs several regions in one
// process, it runs the primary region's stack alone.
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:       "05-global",
			StackName:  StackName(PrimaryRegion),
			Template:   golden.Templates[PrimaryRegion],
			Handlers:   Handlers(),
			Parameters: parameters(PrimaryRegion),
		},
		Terminal:   []string{"ready", "picked-up", "failed"},
		Milestones: []string{"paid", "ready"},
	}
}
