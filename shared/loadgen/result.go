package loadgen

import (
	"slices"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Result is one run of one profile against one stage. Its JSON field names are stable: the report
// package, the docs and people's own scripts read them.
type Result struct {
	Stage       string    `json:"stage"`
	Profile     string    `json:"profile"`
	Scale       float64   `json:"scale"`
	Seed        int64     `json:"seed"`
	Target      string    `json:"target"` // "emulator" or the base URL of a deployed API
	StartedAt   time.Time `json:"started_at"`
	DurationS   float64   `json:"duration_s"`
	Offered     int       `json:"offered"`
	AchievedRPS float64   `json:"achieved_rps"`
	Outcomes    Outcomes  `json:"outcomes"`
	FailureRate float64   `json:"failure_rate"`     // (rejected_4xx + throttled_429 + server_5xx + gateway_timeout_504) / offered
	Abandonment float64   `json:"abandonment_rate"` // abandoned / offered
	LatencyMS   Latency   `json:"latency_ms"`
	EndToEndMS  *Latency  `json:"end_to_end_ms"` // null where the API answer is already terminal
	Accepted    int       `json:"accepted"`
	Completed   int       `json:"completed"`
	Lost        int       `json:"lost"`
	Lambda      *Lambda   `json:"lambda"`                 // from the emulator; null against a URL
	CostPer1k   *float64  `json:"cost_usd_per_1k_orders"` // null against a URL
	Cost        *Cost     `json:"cost,omitempty"`         // the breakdown behind CostPer1k
	Timeline    []Bucket  `json:"timeline"`               // one bucket per second of the run
	Environment Env       `json:"environment"`

	// Added by the runner; the fields above keep their names.

	Partial        bool           `json:"partial"`         // the run was cut short: arrivals stopped at duration_s
	Expected       float64        `json:"expected_orders"` // the rate curve's integral over duration_s, after scale
	PatienceS      float64        `json:"patience_s"`      // the customers' patience in this run
	GraceS         float64        `json:"grace_s"`         // how long an accepted order may take to reach a terminal status
	Late           LateAnswers    `json:"late_answers"`    // what the abandoned requests answered after the customer left
	LateLatencyMS  *Latency       `json:"late_latency_ms"` // latency of those late answers; null when there were none
	Pending        int            `json:"pending"`         // accepted orders still tracked when a partial run stopped
	FinalStatuses  map[string]int `json:"final_statuses"`  // terminal status → completed orders
	FailureReasons map[string]int `json:"failure_reasons"` // failure_reason → orders that ended failed with it
	LostSample     []string       `json:"lost_sample"`     // a few lost orders as "order_id: last status seen"
	Errors         []ErrorCount   `json:"errors"`          // a sample of transport errors and unexpected answers
	MaxSendLagMS   float64        `json:"max_send_lag_ms"` // how late the load tool itself sent its worst request
	WallS          float64        `json:"wall_s"`          // the whole run, waiting for stragglers and tracking included
	// PaymentProvider is what the emulator's payment provider did: charges, its queue, charges
	// whose caller had left (orphaned) and money taken twice (duplicate_charges). Null against a
	// URL, whose provider the load tool cannot see.
	PaymentProvider *payment.Stats `json:"payment_provider,omitempty"`
	// MilestonesMS is, for each of Tracking.Milestones that orders reached, how long after the
	// customer's send they reached it (e.g. "paid", "ready"). Omitted for stages without any.
	MilestonesMS map[string]Milestone `json:"milestones_ms,omitempty"`
	// MilestonesPerSecond is, for each milestone, how many orders reached it in each second since
	// the run started (index 0 is the first second), grace period included: the timeline of
	// payments during and after a provider fault. Omitted for stages without milestones.
	MilestonesPerSecond map[string][]int `json:"milestones_per_second,omitempty"`
	// Events is how orders were followed over their live status channels: events received,
	// expected statuses missed, orders with gaps. Omitted unless Tracking.Events was set.
	Events *Events `json:"events,omitempty"`
	// Regions is, for a run across regions (Config.Regions), what each region was sent and did,
	// its health check's changes, and the reconciliation of every accepted order across the
	// regions. Omitted for a single-region run.
	Regions *Regions `json:"regions,omitempty"`
	// CPU is the process's CPU use second by second and whether the run was CPU-bound (cpu.go).
	// Omitted where the process's CPU time cannot be read.
	CPU *CPU `json:"cpu,omitempty"`
	// System is the system under test second by second (Lambda concurrency and throttles,
	// DynamoDB throttles, queue depth), where it can be read: offline runs (gauges.go).
	System *SystemSeconds `json:"system_per_second,omitempty"`
	// Charges reconciles the payment provider's charges with what the customers were told:
	// money taken for an order the customer never got (an error answer, or gave up waiting), or
	// for an order that ended failed. Null against a URL and for stages without a provider.
	Charges *ChargeAccounting `json:"charge_accounting,omitempty"`
	// OrderStatuses is each accepted order's last known status, by order id: what Charges is
	// reconciled against. In memory only; not written to the result file.
	OrderStatuses map[string]string `json:"-"`
	// Mappings is what each Lambda event source mapping did, by its function's name: batches it
	// invoked the function with and records its filter criteria dropped (deleted without an
	// invocation). Omitted for stages without mappings and against a URL.
	Mappings map[string]Mapping `json:"event_source_mappings,omitempty"`
}

// ChargeAccounting is every order the payment provider took money for, against what its
// customer was told.
type ChargeAccounting struct {
	Paid int `json:"paid_orders"` // orders with at least one succeeded charge
	// NotAccepted were charged although their customer never got an accepted order: the API
	// answered an error, timed out, or the customer gave up before the answer.
	NotAccepted int `json:"charged_not_accepted"`
	// Failed were charged and then ended failed (a refund is owed).
	Failed int `json:"charged_then_failed"`
	// Sample is a few of those, as "order id: what the customer was told".
	Sample []string `json:"sample,omitempty"`
}

// Reconcile fills Charges from the order ids a provider took money for.
func (r *Result) Reconcile(paidOrders []string) {
	slices.Sort(paidOrders)
	c := &ChargeAccounting{Paid: len(paidOrders)}
	for _, id := range paidOrders {
		status, accepted := r.OrderStatuses[id]
		switch {
		case !accepted:
			c.NotAccepted++
			if len(c.Sample) < 5 {
				c.Sample = append(c.Sample, id+": no accepted order (error answer or gave up)")
			}
		case status == "failed":
			c.Failed++
			if len(c.Sample) < 5 {
				c.Sample = append(c.Sample, id+": order failed")
			}
		}
	}
	r.Charges = c
}

// Mapping is one event source mapping's work during a run, summed over regions.
type Mapping struct {
	Source      string `json:"source"`       // the queue's name
	Invocations int64  `json:"invocations"`  // batches delivered to the function
	Filtered    int64  `json:"filtered_out"` // records the filter criteria dropped
}

// Milestone is how many orders reached a status and how long after their send.
type Milestone struct {
	Orders int `json:"orders"`
	Latency
}

// LateAnswers counts what abandoned requests answered once the customer had gone. Abandoned
// requests are never cancelled at the customer's patience, only when the run stops waiting.
type LateAnswers struct {
	OK                int `json:"ok"`
	SoldOut           int `json:"sold_out"`
	Rejected4xx       int `json:"rejected_4xx"`
	Throttled429      int `json:"throttled_429"`
	Server5xx         int `json:"server_5xx"`
	GatewayTimeout504 int `json:"gateway_timeout_504"`
	Unanswered        int `json:"unanswered"` // still no answer when the run stopped waiting
}

// ErrorCount is one kind of error and how often it happened.
type ErrorCount struct {
	Error string `json:"error"`
	Count int    `json:"count"`
}

// Outcomes counts every offered request exactly once.
type Outcomes struct {
	OK                int `json:"ok"`
	SoldOut           int `json:"sold_out"` // a business refusal (409), not a failure
	Rejected4xx       int `json:"rejected_4xx"`
	Throttled429      int `json:"throttled_429"`
	Server5xx         int `json:"server_5xx"`
	GatewayTimeout504 int `json:"gateway_timeout_504"`
	Abandoned         int `json:"abandoned"` // no answer within the customer's patience
}

// Latency holds percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P95 float64 `json:"p95,omitempty"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max,omitempty"`
}

// Lambda sums the emulator's Lambda metrics over the run.
type Lambda struct {
	Functions      int     `json:"functions"`
	Invocations    int64   `json:"invocations"`
	ColdStarts     int64   `json:"cold_starts"`
	Throttles      int64   `json:"throttles"`
	Errors         int64   `json:"errors"`
	Timeouts       int64   `json:"timeouts"`
	MaxConcurrency int64   `json:"max_concurrency"`
	GBSeconds      float64 `json:"gb_seconds"`
}

// Cost is the modelled AWS bill of the run, split by service, from the sourced price table.
type Cost struct {
	TotalUSD  float64            `json:"total_usd"`
	ByService map[string]float64 `json:"by_service_usd"`
	PriceDate string             `json:"price_table_date"`
}

// Bucket is one second of the run, by intended send time.
type Bucket struct {
	T         int     `json:"t_s"`
	Offered   int     `json:"offered"`
	OK        int     `json:"ok"`
	Failed    int     `json:"failed"`
	Abandoned int     `json:"abandoned"`
	P50MS     float64 `json:"p50_ms"`
	P99MS     float64 `json:"p99_ms"`
}

// Env records where the numbers came from.
type Env struct {
	Cores        int    `json:"cores"`
	GoVersion    string `json:"go_version"`
	LatencyModel string `json:"latency_model"` // name and version of the emulator's latency model; "" against a URL
	Command      string `json:"command"`
}
