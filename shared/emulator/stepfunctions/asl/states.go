package asl

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

// stateRun is one visit of one state.
type stateRun struct {
	x         *run
	s         *state
	raw       any
	sc        *scope
	th        *thread
	entered   time.Time
	enteredID int64
	// taskCtx is what OnState returned, the parent of the task's context; nil without a hook.
	taskCtx context.Context
}

func (x *run) runState(ctx context.Context, s *state, raw any, sc *scope, th *thread) (any, string, *Failure) {
	x.transitions.Add(1)
	c := &stateRun{x: x, s: s, raw: raw, sc: sc, th: th, entered: x.clock.Now()}
	c.enteredID = x.emit(th, HistoryEvent{Type: s.typ + "StateEntered", StateEnteredEventDetails: &StateEnteredEventDetails{Name: s.name, Input: x.payload(raw)}})
	hook := x.opts.OnState
	if hook == nil {
		return c.run(ctx)
	}
	sctx, done, err := hook(ctx, StateRun{Name: s.name, Type: s.typ, EnteredEventID: c.enteredID})
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", &Failure{Name: ErrRuntime, Cause: "aborted"}
		}
		return nil, "", asFailure(err)
	}
	c.taskCtx = sctx
	out, next, f := c.run(ctx)
	if done != nil {
		done(f)
	}
	return out, next, f
}

// run does a visit's work, from its input to its StateExited event.
func (c *stateRun) run(ctx context.Context) (any, string, *Failure) {
	x, s, sc, th := c.x, c.s, c.sc, c.th
	var (
		out      any
		next     string
		assigned map[string]any
		f        *Failure
	)
	switch s.typ {
	case "Pass":
		out, assigned, f = c.pass()
		next = s.next
	case "Task", "Parallel", "Map":
		out, next, assigned, f = c.withRetry(ctx)
	case "Choice":
		out, next, assigned, f = c.choice()
	case "Wait":
		out, assigned, f = c.wait(ctx)
		next = s.next
	case "Succeed":
		out, f = c.succeed()
	case "Fail":
		f = c.fail()
	}
	if f != nil {
		return nil, "", f
	}
	exited := &StateExitedEventDetails{Name: s.name}
	if !x.listening() && encodedLen(out) > maxPayload {
		return nil, "", dataLimitExceeded(s.name)
	}
	if x.listening() {
		b := encode(out)
		if len(b) > maxPayload {
			return nil, "", dataLimitExceeded(s.name)
		}
		exited.Output = string(b)
		if len(assigned) > 0 {
			exited.AssignedVariables = make(map[string]string, len(assigned))
			for k, v := range assigned {
				exited.AssignedVariables[k] = encodeString(v)
			}
		}
	}
	sc.set(assigned)
	x.emit(th, HistoryEvent{Type: s.typ + "StateExited", StateExitedEventDetails: exited})
	return out, next, nil
}

func (c *stateRun) ctxObj(retryCount int, token string) map[string]any {
	if !c.s.usesContext {
		return nil
	}
	return c.x.contextObject(c.s.name, c.entered, retryCount, token, nil)
}

// vars resolves "$name" in JSONPath states; "$states" is the reserved variable.
func (c *stateRun) vars(states map[string]any) varLookup {
	return func(name string) (any, bool) {
		if name == "states" && states != nil {
			return states, true
		}
		return c.sc.lookup(name)
	}
}

func (c *stateRun) jsonata(states map[string]any) *jsonataEnv {
	return &jsonataEnv{states: states, vars: c.sc}
}

func (c *stateRun) runtimeError(err error) *Failure {
	f := asFailure(err)
	if f.Name == ErrRuntime {
		return &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", c.s.name, c.enteredID, f.Cause)}
	}
	return f
}

func (c *stateRun) inputPath() (any, *Failure) {
	p := c.s.inputPath
	if p.null {
		return map[string]any{}, nil
	}
	v, err := jpSelect(c.raw, p.path)
	if err != nil {
		return nil, c.runtimeError(err)
	}
	return v, nil
}

func (c *stateRun) outputPath(v any) (any, *Failure) {
	p := c.s.outputPath
	if p.null {
		return map[string]any{}, nil
	}
	out, err := jpSelect(v, p.path)
	if err != nil {
		return nil, c.runtimeError(err)
	}
	return out, nil
}

func (c *stateRun) resultPath(p optPath, result any) (any, *Failure) {
	if p.null {
		return c.raw, nil
	}
	out, err := jpSet(c.raw, p.path, result)
	if err != nil {
		f := asFailure(err)
		if f.Name != ErrResultPathMatchFailure {
			f = &Failure{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", p.path, encodeString(c.raw))}
		}
		return nil, f
	}
	return out, nil
}

func (c *stateRun) template(tmpl, input any, ctxObj map[string]any, states map[string]any) (any, *Failure) {
	v, err := jpApplyTemplate(tmpl, input, ctxObj, c.vars(states))
	if err != nil {
		return nil, c.runtimeError(err)
	}
	return v, nil
}

// assign evaluates an Assign block: in JSONPath "$" is doc, in JSONata $states is states.
func (c *stateRun) assign(a map[string]any, doc any, ctxObj, states map[string]any) (map[string]any, *Failure) {
	if a == nil {
		return nil, nil
	}
	var (
		v   any
		err error
	)
	if c.s.ql == JSONata {
		v, err = evalJSONataTemplate(a, "Assign", c.jsonata(states))
	} else {
		v, err = jpApplyTemplate(a, doc, ctxObj, c.vars(states))
	}
	if err != nil {
		return nil, c.runtimeError(err)
	}
	return v.(map[string]any), nil
}

// jsonataOutput evaluates Output, or returns def when the state has none.
func (c *stateRun) jsonataOutput(has bool, tmpl any, def any, states map[string]any) (any, *Failure) {
	if !has {
		return def, nil
	}
	v, err := evalJSONataTemplate(tmpl, "Output", c.jsonata(states))
	if err != nil {
		return nil, asFailure(err)
	}
	return v, nil
}

func (c *stateRun) pass() (any, map[string]any, *Failure) {
	s := c.s
	ctxObj := c.ctxObj(0, "")
	if s.ql == JSONata {
		states := map[string]any{"input": c.raw, "context": ctxObj}
		assigned, f := c.assign(s.assign, nil, ctxObj, states)
		if f != nil {
			return nil, nil, f
		}
		out, f := c.jsonataOutput(s.hasOutput, s.output, c.raw, states)
		return out, assigned, f
	}
	eff, f := c.inputPath()
	if f != nil {
		return nil, nil, f
	}
	if s.hasParameters {
		if eff, f = c.template(s.parameters, eff, ctxObj, nil); f != nil {
			return nil, nil, f
		}
	}
	result := eff
	if s.hasResult {
		result = s.result
	}
	assigned, f := c.assign(s.assign, result, ctxObj, map[string]any{"input": c.raw, "result": result, "context": ctxObj})
	if f != nil {
		return nil, nil, f
	}
	out, f := c.resultPath(s.resultPath, result)
	if f != nil {
		return nil, nil, f
	}
	out, f = c.outputPath(out)
	return out, assigned, f
}

func (c *stateRun) succeed() (any, *Failure) {
	if c.s.ql == JSONata {
		ctxObj := c.ctxObj(0, "")
		return c.jsonataOutput(c.s.hasOutput, c.s.output, c.raw, map[string]any{"input": c.raw, "context": ctxObj})
	}
	eff, f := c.inputPath()
	if f != nil {
		return nil, f
	}
	return c.outputPath(eff)
}

func (c *stateRun) fail() *Failure {
	s := c.s
	ctxObj := c.ctxObj(0, "")
	out := &Failure{}
	resolve := func(lit any, path, field string, dst *string) *Failure {
		switch {
		case path != "":
			var (
				v   any
				err error
			)
			if jpIsIntrinsic(path) {
				v, err = jpCallIntrinsic(path, c.raw, ctxObj, c.vars(nil))
			} else {
				v, err = jpSelectField(c.raw, ctxObj, c.vars(nil), path, field+"Path")
			}
			if err != nil {
				return c.runtimeError(err)
			}
			str, ok := v.(string)
			if !ok {
				return &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The value at %s for the field '%s' must be a string", path, field)}
			}
			*dst = str
		case lit != nil:
			str := lit.(string)
			if s.ql == JSONata && isJSONataString(str) {
				v, err := evalJSONata(str, field, c.jsonata(map[string]any{"input": c.raw, "context": ctxObj}))
				if err != nil {
					return asFailure(err)
				}
				if str, ok := v.(string); ok {
					*dst = str
				} else {
					*dst = encodeString(v)
				}
				return nil
			}
			*dst = str
		}
		return nil
	}
	if f := resolve(s.errorName, s.errorPath, "Error", &out.Name); f != nil {
		return f
	}
	if f := resolve(s.cause, s.causePath, "Cause", &out.Cause); f != nil {
		return f
	}
	return out
}

func (c *stateRun) choice() (any, string, map[string]any, *Failure) {
	s := c.s
	ctxObj := c.ctxObj(0, "")
	if s.ql == JSONata {
		states := map[string]any{"input": c.raw, "context": ctxObj}
		env := c.jsonata(states)
		for _, r := range s.choices {
			ok := false
			switch cond := r.condition.(type) {
			case bool:
				ok = cond
			case string:
				v, err := evalJSONata(cond, "Condition", env)
				if err != nil {
					return nil, "", nil, asFailure(err)
				}
				b, isBool := v.(bool)
				if !isBool {
					return nil, "", nil, &Failure{Name: ErrQueryEvaluationError, Cause: fmt.Sprintf("The Condition '%s' returned %s, not a boolean", cond, encodeString(v))}
				}
				ok = b
			}
			if !ok {
				continue
			}
			a := s.assign
			if r.assign != nil {
				a = r.assign
			}
			assigned, f := c.assign(a, nil, ctxObj, states)
			if f != nil {
				return nil, "", nil, f
			}
			has, tmpl := s.hasOutput, s.output
			if r.hasOutput {
				has, tmpl = true, r.output
			}
			out, f := c.jsonataOutput(has, tmpl, c.raw, states)
			return out, r.next, assigned, f
		}
		if s.defaultNext == "" {
			return nil, "", nil, &Failure{Name: ErrNoChoiceMatched, Cause: "No Matches!"}
		}
		assigned, f := c.assign(s.assign, nil, ctxObj, states)
		if f != nil {
			return nil, "", nil, f
		}
		out, f := c.jsonataOutput(s.hasOutput, s.output, c.raw, states)
		return out, s.defaultNext, assigned, f
	}
	eff, f := c.inputPath()
	if f != nil {
		return nil, "", nil, f
	}
	vars := c.vars(nil)
	next := s.defaultNext
	a := s.assign
	matched := false
	for _, r := range s.choices {
		ok, err := c.x.evalRule(r, eff, ctxObj, vars)
		if err != nil {
			return nil, "", nil, c.runtimeError(err)
		}
		if ok {
			next, matched = r.next, true
			if r.assign != nil {
				a = r.assign
			}
			break
		}
	}
	if !matched && next == "" {
		return nil, "", nil, &Failure{Name: ErrNoChoiceMatched, Cause: "No Matches!"}
	}
	assigned, f := c.assign(a, eff, ctxObj, map[string]any{"input": c.raw, "context": ctxObj})
	if f != nil {
		return nil, "", nil, f
	}
	out, f := c.outputPath(eff)
	return out, next, assigned, f
}

func (c *stateRun) wait(ctx context.Context) (any, map[string]any, *Failure) {
	s := c.s
	ctxObj := c.ctxObj(0, "")
	var (
		d     time.Duration
		until time.Time
		eff   = c.raw
	)
	states := map[string]any{"input": c.raw, "context": ctxObj}
	if s.ql == JSONPath {
		var f *Failure
		if eff, f = c.inputPath(); f != nil {
			return nil, nil, f
		}
	}
	value := func(lit any, path, field string) (any, *Failure) {
		if path != "" {
			v, err := jpSelectAny(eff, ctxObj, c.vars(nil), path)
			if err != nil {
				return nil, c.runtimeError(err)
			}
			return v, nil
		}
		if str, ok := lit.(string); ok && s.ql == JSONata && isJSONataString(str) {
			v, err := evalJSONata(str, field, c.jsonata(states))
			if err != nil {
				return nil, asFailure(err)
			}
			return v, nil
		}
		return lit, nil
	}
	switch {
	case s.seconds != nil || s.secondsPath != "":
		v, f := value(s.seconds, s.secondsPath, "Seconds")
		if f != nil {
			return nil, nil, f
		}
		n, ok := jsonpath.Number(v)
		if !ok || n < 0 || n != math.Trunc(n) {
			return nil, nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The Seconds value %s of state '%s' must be a non-negative integer", encodeString(v), s.name)}
		}
		d = time.Duration(n) * time.Second
	default:
		v, f := value(s.timestamp, s.timestampPath, "Timestamp")
		if f != nil {
			return nil, nil, f
		}
		str, _ := v.(string)
		t, err := parseTimestamp(str)
		if err != nil {
			return nil, nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The Timestamp value %s of state '%s' is not a valid ISO-8601 timestamp", encodeString(v), s.name)}
		}
		until = t
		d = until.Sub(c.x.clock.Now())
	}
	if d > 0 {
		if err := c.x.clock.Sleep(ctx, d); err != nil {
			return nil, nil, &Failure{Name: ErrRuntime, Cause: "aborted"}
		}
	}
	if s.ql == JSONata {
		assigned, f := c.assign(s.assign, nil, ctxObj, states)
		if f != nil {
			return nil, nil, f
		}
		out, f := c.jsonataOutput(s.hasOutput, s.output, c.raw, states)
		return out, assigned, f
	}
	assigned, f := c.assign(s.assign, eff, ctxObj, states)
	if f != nil {
		return nil, nil, f
	}
	out, f := c.outputPath(eff)
	return out, assigned, f
}

// errorMatches reports whether a Retrier's or Catcher's ErrorEquals covers name
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
// States.ALL matches everything but States.Runtime and States.DataLimitExceeded, and
// States.TaskFailed matches everything States.ALL does but States.Timeout.
func errorMatches(list []string, name string) bool {
	terminal := name == ErrRuntime || name == ErrDataLimitExceeded
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == ErrAll && !terminal:
			return true
		case e == ErrTaskFailed && !terminal && name != ErrTimeout:
			return true
		}
	}
	return false
}

// retryDelay is IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds and, with
// JitterStrategy FULL, drawn uniformly below that.
func retryDelay(r retrier, attempt int) time.Duration {
	d := r.interval * math.Pow(r.backoff, float64(attempt))
	if r.maxDelay > 0 && d > r.maxDelay {
		d = r.maxDelay
	}
	if r.jitterFull {
		d = rand.Float64() * d
	}
	return time.Duration(d * float64(time.Second))
}

// withRetry runs a Task, Parallel or Map state, retrying and catching its failures.
func (c *stateRun) withRetry(ctx context.Context) (any, string, map[string]any, *Failure) {
	s := c.s
	counters := make([]int, len(s.retry))
	for retryCount := 0; ; {
		out, assigned, f := c.attempt(ctx, retryCount)
		if f == nil {
			return out, s.next, assigned, nil
		}
		if ctx.Err() != nil {
			return nil, "", nil, f
		}
		retried := false
		for i, r := range s.retry {
			if !errorMatches(r.errorEquals, f.Name) {
				continue
			}
			if counters[i] < r.maxAttempts {
				d := retryDelay(r, counters[i])
				counters[i]++
				retryCount++
				if err := c.x.clock.Sleep(ctx, d); err != nil {
					return nil, "", nil, f
				}
				retried = true
			}
			break
		}
		if retried {
			continue
		}
		for _, cat := range s.catch {
			if errorMatches(cat.errorEquals, f.Name) {
				return c.caught(cat, f, retryCount)
			}
		}
		return nil, "", nil, f
	}
}

func (c *stateRun) caught(cat catcher, f *Failure, retryCount int) (any, string, map[string]any, *Failure) {
	errOut := map[string]any{"Error": f.Name, "Cause": f.Cause}
	ctxObj := c.ctxObj(retryCount, "")
	states := map[string]any{"input": c.raw, "errorOutput": errOut, "context": ctxObj}
	if c.s.ql == JSONata {
		assigned, af := c.assign(cat.assign, nil, ctxObj, states)
		if af != nil {
			return nil, "", nil, af
		}
		out, of := c.jsonataOutput(cat.hasOutput, cat.output, errOut, states)
		if of != nil {
			return nil, "", nil, of
		}
		return out, cat.next, assigned, nil
	}
	assigned, af := c.assign(cat.assign, errOut, ctxObj, states)
	if af != nil {
		return nil, "", nil, af
	}
	out, rf := c.resultPath(cat.resultPath, errOut)
	if rf != nil {
		return nil, "", nil, rf
	}
	return out, cat.next, assigned, nil
}

// attempt runs a Task, Parallel or Map state once, from its input to its output.
func (c *stateRun) attempt(ctx context.Context, retryCount int) (any, map[string]any, *Failure) {
	s := c.s
	var (
		token string
		wait  *tokenWait
	)
	if s.typ == "Task" && waitsForToken(s.resource) {
		token, wait = c.x.opts.Tokens.issue()
	}
	ctxObj := c.ctxObj(retryCount, token)
	var (
		args   any
		eff    = c.raw
		f      *Failure
		states = map[string]any{"input": c.raw, "context": ctxObj}
	)
	if s.ql == JSONata {
		args = c.raw
		if s.hasArguments {
			v, err := evalJSONataTemplate(s.arguments, "Arguments", c.jsonata(states))
			if err != nil {
				c.x.opts.Tokens.forget(token)
				return nil, nil, asFailure(err)
			}
			args = v
		}
	} else {
		if eff, f = c.inputPath(); f != nil {
			c.x.opts.Tokens.forget(token)
			return nil, nil, f
		}
		args = eff
		if s.hasParameters {
			if args, f = c.template(s.parameters, eff, ctxObj, nil); f != nil {
				c.x.opts.Tokens.forget(token)
				return nil, nil, f
			}
		}
	}
	var result any
	switch s.typ {
	case "Task":
		result, f = c.task(ctx, args, token, wait, ctxObj, states)
	case "Parallel":
		result, f = c.parallel(ctx, args)
	case "Map":
		result, f = c.mapState(ctx, eff, ctxObj, states)
	}
	if f != nil {
		return nil, nil, f
	}
	if s.ql == JSONata {
		states["result"] = result
		assigned, f := c.assign(s.assign, nil, ctxObj, states)
		if f != nil {
			return nil, nil, f
		}
		out, f := c.jsonataOutput(s.hasOutput, s.output, result, states)
		return out, assigned, f
	}
	if s.hasResultSelector {
		if result, f = c.template(s.resultSelector, result, ctxObj, nil); f != nil {
			return nil, nil, f
		}
	}
	states["result"] = result
	assigned, f := c.assign(s.assign, result, ctxObj, states)
	if f != nil {
		return nil, nil, f
	}
	out, f := c.resultPath(s.resultPath, result)
	if f != nil {
		return nil, nil, f
	}
	out, f = c.outputPath(out)
	return out, assigned, f
}

// waitsForToken reports whether a task's resource answers through a task token: the
// .waitForTaskToken integration pattern or an activity
// (arn:aws:states:<region>:<account>:activity:<name>).
func waitsForToken(resource string) bool {
	if strings.HasSuffix(resource, ".waitForTaskToken") {
		return true
	}
	a, err := arn.Parse(resource)
	return err == nil && a.Service == "states" && strings.HasPrefix(a.Resource, "activity:")
}
