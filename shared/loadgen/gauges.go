package loadgen

import (
	"sync"
	"time"
)

// Gauges is what the system under test reports at one moment: the emulator fills it through
// Config.Gauges (a deployed stage has none). Throttle counts are totals since the system started;
// the others are the value now.
type Gauges struct {
	LambdaConcurrency int64 // executions running, every function of the account (of every region)
	LambdaThrottles   int64 // invocations refused for want of concurrency, since the start
	DynamoDBThrottles int64 // requests refused for want of capacity, since the start
	QueueDepth        int64 // messages in the stage's queues (dead-letter queues too), visible and in flight
	Queues            bool  // whether the stage has queues at all (QueueDepth is then meaningful)
}

// GaugePeriod is how often Run reads Config.Gauges.
const GaugePeriod = 100 * time.Millisecond

// SystemSeconds is the system under test second by second, on the same seconds as the
// result's Timeline (second 0 starts when the first order may be sent). Each slice has one entry
// per whole second of the run, drain included.
type SystemSeconds struct {
	// LambdaConcurrency is the highest account concurrency read in that second (read every
	// GaugePeriod, so a shorter peak can be missed).
	LambdaConcurrency []int64 `json:"lambda_concurrency"`
	// LambdaThrottles and DynamoDBThrottles count the throttles during that second.
	LambdaThrottles   []int64 `json:"lambda_throttles"`
	DynamoDBThrottles []int64 `json:"dynamodb_throttles"`
	// QueueDepth is the highest number of messages read in the stage's queues in that second;
	// omitted for a stage without queues.
	QueueDepth []int64 `json:"queue_depth,omitempty"`
}

// gaugeMeter reads Config.Gauges every GaugePeriod from the start of the run and keeps one
// entry per second.
type gaugeMeter struct {
	read    func() Gauges
	start   time.Time
	stopped chan struct{}
	done    sync.WaitGroup

	mu     sync.Mutex
	first  Gauges // the reading at the start: throttles before the run are not the run's
	queues bool
	secs   []gaugeSecond
}

type gaugeSecond struct {
	seen                 bool
	concurrency, depth   int64
	lambdaThr, dynamoThr int64 // the totals at the last reading in this second
}

func startGauges(read func() Gauges, start time.Time) *gaugeMeter {
	if read == nil {
		return nil
	}
	m := &gaugeMeter{read: read, start: start, stopped: make(chan struct{}), first: read()}
	m.queues = m.first.Queues
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(GaugePeriod)
		defer t.Stop()
		for {
			select {
			case <-m.stopped:
				return
			case now := <-t.C:
				m.sample(now)
			}
		}
	}()
	return m
}

func (m *gaugeMeter) sample(now time.Time) {
	g := m.read()
	sec := int(now.Sub(m.start) / time.Second)
	if sec < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.secs) <= sec {
		m.secs = append(m.secs, gaugeSecond{})
	}
	s := &m.secs[sec]
	s.seen = true
	s.concurrency = max(s.concurrency, g.LambdaConcurrency)
	s.depth = max(s.depth, g.QueueDepth)
	s.lambdaThr, s.dynamoThr = g.LambdaThrottles, g.DynamoDBThrottles
	m.queues = m.queues || g.Queues
}

// stop ends the readings and returns the whole seconds read, or nil when there are none.
func (m *gaugeMeter) stop() *SystemSeconds {
	if m == nil {
		return nil
	}
	close(m.stopped)
	m.done.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	// The last second is cut short by the end of the run; like CPU, only whole seconds count.
	whole := min(len(m.secs), int(time.Since(m.start)/time.Second))
	if whole == 0 {
		return nil
	}
	out := &SystemSeconds{}
	prevL, prevD := m.first.LambdaThrottles, m.first.DynamoDBThrottles
	for _, s := range m.secs[:whole] {
		if !s.seen { // no reading landed in this second (a stalled machine): carry the totals on
			s.lambdaThr, s.dynamoThr = prevL, prevD
		}
		out.LambdaConcurrency = append(out.LambdaConcurrency, s.concurrency)
		out.LambdaThrottles = append(out.LambdaThrottles, max(0, s.lambdaThr-prevL))
		out.DynamoDBThrottles = append(out.DynamoDBThrottles, max(0, s.dynamoThr-prevD))
		if m.queues {
			out.QueueDepth = append(out.QueueDepth, s.depth)
		}
		prevL, prevD = s.lambdaThr, s.dynamoThr
	}
	return out
}
