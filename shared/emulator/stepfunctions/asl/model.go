package asl

// Query languages of a state machine or state
// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
const (
	JSONPath = "JSONPath"
	JSONata  = "JSONata"
)

// optPath is an InputPath, OutputPath or ResultPath: absent (the default "$"), null, or a path.
type optPath struct {
	null bool
	path string
}

func defaultPath() optPath { return optPath{path: "$"} }

// graph is a state machine, a Parallel branch or a Map item processor.
type graph struct {
	startAt string
	states  map[string]*state
	ql      string
	// distributed marks a Map item processor in DISTRIBUTED mode, whose iterations cannot
	// read the variables of outer scopes.
	distributed bool
}

type retrier struct {
	errorEquals []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64
	jitterFull  bool
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  optPath
	output      any
	hasOutput   bool
	assign      map[string]any
}

type state struct {
	name string
	typ  string
	ql   string
	next string
	end  bool
	// usesContext says whether the state mentions the context object ("$$" or, in JSONata,
	// "context"); building it is a sixth of a state's cost, so it is skipped otherwise.
	usesContext bool

	inputPath, outputPath, resultPath optPath
	parameters                        any // Parameters (JSONPath) or nil
	hasParameters                     bool
	resultSelector                    any
	hasResultSelector                 bool
	result                            any // Pass
	hasResult                         bool
	arguments                         any // JSONata Arguments
	hasArguments                      bool
	output                            any // JSONata Output
	hasOutput                         bool
	assign                            map[string]any

	// Task
	resource                   string
	timeout, heartbeat         any // number, or JSONata string
	timeoutPath, heartbeatPath string
	retry                      []retrier
	catch                      []catcher

	// Choice
	choices     []*choiceRule
	defaultNext string

	// Wait
	seconds, timestamp         any
	secondsPath, timestampPath string

	// Fail
	errorName, cause     any
	errorPath, causePath string

	// Parallel
	branches []*graph

	// Map
	processor            *graph
	itemsPath            string
	items                any
	hasItems             bool
	itemSelector         any
	hasItemSelector      bool
	maxConcurrency       any
	maxConcurrencyPath   string
	batcher              *itemBatcher
	toleratedCount       any
	toleratedCountPath   string
	toleratedPercent     any
	toleratedPercentPath string
	hasTolerance         bool
	hasItemReader        bool
	label                string
	distributed          bool
}

type itemBatcher struct {
	maxItems         any
	maxItemsPath     string
	batchInput       any
	hasBatchInput    bool
	maxInputBytes    any
	maxInputBytesPth string
}

// choiceRule is a Choice Rule: a comparison, a combination (And, Or, Not) or, in JSONata, a
// Condition. Only top-level rules have next.
type choiceRule struct {
	next      string
	assign    map[string]any
	output    any
	hasOutput bool

	variable  string
	op        string // e.g. "StringEquals", "NumericLessThanPath", "IsPresent"
	operand   any
	and, or   []*choiceRule
	not       *choiceRule
	condition any // JSONata
}
