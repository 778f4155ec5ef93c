package loadgen

import (
	"context"
	"net/url"
	"slices"
	"time"
)

// Events is how accepted orders were followed over their live status channels
// (Tracking.Events). Its JSON field names are stable.
type Events struct {
	// Orders is how many accepted orders were followed by subscription.
	Orders int `json:"orders"`
	// Received counts the status events those subscriptions delivered, every status included.
	Received int `json:"received"`
	// Missed counts expected statuses that had not arrived as events when the order's grace
	// ended (or the run did): an order's terminal status, the milestones before it
	// (Tracking.Milestones, in order) and any milestone a GET showed.
	Missed int `json:"missed"`
	// OrdersWithGaps is how many orders missed at least one expected status.
	OrdersWithGaps int `json:"orders_with_gaps"`
	// Reconciled counts orders whose terminal status only a GET showed, once no event had
	// brought it within the grace; they are completed, not lost.
	Reconciled int `json:"reconciled,omitempty"`
	// Gets counts the GET /orders/{id} that event-followed orders needed: reconciliation, and
	// reading a missed milestone's time.
	Gets int `json:"gets,omitempty"`
	// Resubscribed counts subscriptions renewed on another connection after theirs dropped.
	Resubscribed int `json:"resubscribed,omitempty"`
	// Polled counts accepted orders followed by polling instead: their answer named no channel,
	// the subscribe failed, or a dropped subscription could not be renewed.
	Polled int `json:"polled,omitempty"`
	// Connections is how many WebSocket connections the run opened.
	Connections int `json:"connections"`
}

// followed is what one order's subscription saw.
type followed struct {
	seen     map[string]bool // milestones recorded, by whatever means
	got      map[string]bool // statuses that arrived as events
	received int
}

// trackEvents follows an accepted order over its status channel until a terminal status arrives
// or its grace runs out. Shortly before the grace ends, an order with no terminal event is
// reconciled by one GET: a missed event does not lose an order that did finish, and an order
// that has not finished may still send its terminal event until the grace ends. Events count as
// missed only if they have not come by then: an order whose terminal event overtook an earlier
// status (EventBridge does not promise order) has ended, and its subscription still listens for
// the rest until they come or the grace ends. When subscribing fails, the order is polled as
// without Tracking.Events.
func (r *run) trackEvents(trackCtx context.Context, c *call, orderID, status, channel string) {
	deadline := c.intended.Add(r.grace)
	ctx, cancel := context.WithDeadline(trackCtx, deadline)
	defer cancel()
	f := &followed{seen: map[string]bool{}, got: map[string]bool{}}
	pool := r.poolFor(c)
	sub, err := pool.subscribe(ctx, channel)
	if err != nil && ctx.Err() == nil {
		r.fallBack(err)
		r.track(trackCtx, c, orderID, status, f.seen)
		return
	}
	r.countEvents(func(e *Events) { e.Orders++ })
	defer func() { sub.unsubscribe() }()
	statusURL := c.ordersURL + "/" + url.PathEscape(orderID)
	// The GET must be answered within the grace; a tenth of it, at most 2 s, leaves room.
	reconcile := time.NewTimer(time.Until(deadline.Add(-min(r.grace/10, 2*time.Second))))
	defer reconcile.Stop()
	last := status
	ended := ""      // the terminal status a reconciling GET found; the order is counted
	for sub != nil { // nil: the context ended while subscribing
		select {
		case <-ctx.Done():
		case raw := <-sub.events:
			now := time.Now()
			ev, ok := parseEvent(raw)
			if !ok {
				continue
			}
			f.received++
			f.got[ev.Status] = true
			v := ev.Order
			v.Status = ev.Status
			if v.Times == nil {
				v.Times = map[string]string{}
			}
			v.Times[ev.Status] = ev.when(now).Format(time.RFC3339Nano)
			r.milestonesSeen(c, v, f.seen, now)
			if ended != "" {
				if !r.eventGap(f, ended) {
					r.eventsEnd(f, ended) // late, not missed
					return
				}
				continue
			}
			last = ev.Status
			if !r.terminal[ev.Status] {
				continue
			}
			if r.milestoneGap(f, ev.Status) || ev.Status == "failed" && v.FailureReason == "" {
				// One GET reads the missed milestones' times from the order's "<status>_at", or
				// why it failed.
				r.countEvents(func(e *Events) { e.Gets++ })
				if got, err := r.status(ctx, statusURL); err == nil {
					r.milestonesSeen(c, got, f.seen, time.Now())
					if v.FailureReason == "" {
						v.FailureReason = got.FailureReason
					}
				}
			}
			r.trackEnd(c, orderID, v, now, false)
			if r.eventGap(f, ev.Status) {
				ended = ev.Status // listen for the statuses it overtook until the grace ends
				continue
			}
			r.eventsEnd(f, ev.Status)
			return
		case <-sub.dropped:
			sub, err = pool.subscribe(ctx, channel)
			switch {
			case err == nil:
				r.countEvents(func(e *Events) { e.Resubscribed++ })
			case ended != "":
				r.eventsEnd(f, ended)
				return
			case ctx.Err() == nil:
				// The events so far count; the rest of the order is polled.
				r.eventsEnd(f, "")
				r.fallBack(err)
				r.track(trackCtx, c, orderID, last, f.seen)
				return
			}
			continue
		case <-reconcile.C:
			if ended != "" {
				continue // ended by its terminal event: only late events are awaited
			}
			r.countEvents(func(e *Events) { e.Gets++ })
			v, err := r.status(ctx, statusURL)
			now := time.Now()
			if err != nil {
				if ctx.Err() == nil {
					last = err.Error()
				}
				continue
			}
			last = v.Status
			r.milestonesSeen(c, v, f.seen, now)
			if !r.terminal[v.Status] {
				continue
			}
			ended = v.Status
			r.countEvents(func(e *Events) { e.Reconciled++ })
			// The order's own "<status>_at", when it has one, says when it ended.
			at := now
			if t, err := time.Parse(time.RFC3339Nano, v.Times[v.Status]); err == nil && t.Before(now) && t.After(c.intended) {
				at = t
			}
			r.trackEnd(c, orderID, v, at, false)
			continue // listen for the terminal event until the grace ends
		}
		break
	}
	if ended != "" {
		r.eventsEnd(f, ended)
		return
	}
	cut := trackCtx.Err() != nil && time.Now().Before(deadline)
	r.eventsEnd(f, "")
	r.trackEnd(c, orderID, orderAnswer{Status: last}, time.Now(), cut)
}

// expected lists the statuses an order that ended in final (or "" when it did not end) should
// have published: final, the milestones before it, and every milestone seen by other means.
func (r *run) expected(f *followed, final string) []string {
	var out []string
	ms := r.cfg.Tracking.Milestones
	before := slices.Index(ms, final)
	for i, m := range ms {
		if i < before || f.seen[m] {
			out = append(out, m)
		}
	}
	if final != "" && !slices.Contains(out, final) {
		out = append(out, final)
	}
	return out
}

// milestoneGap reports whether an order that ended in final is missing a milestone's time.
func (r *run) milestoneGap(f *followed, final string) bool {
	for _, m := range r.expected(f, final) {
		if _, isMilestone := r.milestones[m]; isMilestone && !f.seen[m] {
			return true
		}
	}
	return false
}

// eventGap reports whether an order that ended in final still lacks an expected status's event.
func (r *run) eventGap(f *followed, final string) bool { return r.missing(f, final) > 0 }

// missing counts the expected statuses of an order that ended in final whose events have not come.
func (r *run) missing(f *followed, final string) int {
	n := 0
	for _, s := range r.expected(f, final) {
		if !f.got[s] {
			n++
		}
	}
	return n
}

// eventsEnd counts what one order's subscription received and missed.
func (r *run) eventsEnd(f *followed, final string) {
	missed := r.missing(f, final)
	r.countEvents(func(e *Events) {
		e.Received += f.received
		e.Missed += missed
		if missed > 0 {
			e.OrdersWithGaps++
		}
	})
}

// fallBack counts an order polled instead of followed by events.
func (r *run) fallBack(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return
	}
	r.events.Polled++
	if err != nil {
		r.noteError(err.Error())
	}
}

func (r *run) countEvents(f func(*Events)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done {
		f(&r.events)
	}
}
