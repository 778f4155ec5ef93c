// Command offline runs stage 05 in the emulator (make local STAGE=05-global) or drives a load
// profile at it (make load STAGE=05-global): it hands the stage's templates and handlers to the
// shared command.
package main

import (
	"time"

	"github.com/emilys-pastries/serverless-evolution/05-global/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
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

// ProviderCapacity is the modelled provider's capacity offline: two regional endpoints of 04's
// single endpoint's 20 (infra/stack.go's ProviderCapacity, which sizes the payment mappings).
const ProviderCapacity = 40

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

// Failover is how the store apps find a healthy region (README, failover): each store's API
// name is a Route 53 failover record, primary its home region with a fast health check on
// GET /menu, secondary the other region. Route 53 offers 10 s (fast) or 30 s (standard) checks
// and 1 to 10 failures before unhealthy (default 3):
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html.
// Two failed fast checks mark a region down in about 20 s; the apps then hold the old answer for
// at most the record's 10 s TTL.
var Failover = loadgen.Failover{Interval: 10 * time.Second, Threshold: 2, TTL: 10 * time.Second, Path: "/menu"}

// Global is the stage's two regional stacks, the primary (owner of the global tables) first.
func Global() *emulator.GlobalStage {
	g := &emulator.GlobalStage{Name: "05-global", Handlers: Handlers()}
	for _, region := range Regions {
		g.Stacks = append(g.Stacks, emulator.RegionalStack{Region: region, StackName: StackName(region),
			Template: golden.Templates[region], Parameters: parameters(region)})
	}
	return g
}

// Stage is stage 05 as the emulator runs it: both regions in one process, every order sent to its
// store's home region, POST /orders answering 201 "pending-payment" at once; the load tool follows
// each order until the kitchen has marked it ready or it failed.
func Stage() offline.Stage {
	failover := Failover
	return offline.Stage{
		Stage:           emulator.Stage{Name: "05-global"},
		Global:          Global(),
		Failover:        &failover,
		Terminal:        []string{"ready", "picked-up", "failed"},
		Milestones:      []string{"paid", "ready"},
		PaymentCapacity: ProviderCapacity,
	}
}
