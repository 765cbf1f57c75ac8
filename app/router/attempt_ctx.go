package router

import (
	"context"
	"sync"
	"time"
)

// attemptCtx is context.WithTimeout for one attempt, less what that costs
// when the handler never waits on its context: it arms a timer, and joins
// the message's context, only once Done is asked for. Most handlers compute
// and return; WithTimeout paid a timer, a channel and a registration with
// the message's context for every message (7% of the daemon's CPU,
// profiled). Err is exact either way: unarmed, it is read off the clock and
// the parent, since nobody can be waiting on Done. One difference remains:
// context.Cause of it reports the message context's cause, nil while that
// runs, even once the attempt timed out; ctx.Err() is the one to read.
type attemptCtx struct {
	context.Context // the message's
	deadline        time.Time

	mu    sync.Mutex
	done  chan struct{} // made by the first Done
	err   error         // why it ended, once it did
	timer *time.Timer
	stop  func() bool // leaves the parent, once armed
}

// withAttemptTimeout returns a context that ends after d, or when parent
// does, and the function that ends it early.
func withAttemptTimeout(parent context.Context, d time.Duration) (*attemptCtx, context.CancelFunc) {
	c := &attemptCtx{Context: parent, deadline: time.Now().Add(d)}
	return c, func() { c.end(context.Canceled) }
}

// Deadline implements context.Context.
func (c *attemptCtx) Deadline() (time.Time, bool) {
	if pd, ok := c.Context.Deadline(); ok && pd.Before(c.deadline) {
		return pd, true
	}
	return c.deadline, true
}

// Done implements context.Context; the first call arms the timer.
func (c *attemptCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.err != nil {
		close(c.done)
		return c.done
	}
	c.timer = time.AfterFunc(time.Until(c.deadline), func() { c.end(context.DeadlineExceeded) })
	c.stop = context.AfterFunc(c.Context, func() { c.end(c.Context.Err()) })
	return c.done
}

// Err implements context.Context.
func (c *attemptCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.done != nil {
		return c.err // armed: it is set when Done closes
	}
	if err := c.Context.Err(); err != nil {
		c.err = err
	} else if !time.Now().Before(c.deadline) {
		c.err = context.DeadlineExceeded
	}
	return c.err
}

// end ends the context with err, unless it already ended.
func (c *attemptCtx) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	if c.done == nil {
		return
	}
	select {
	case <-c.done:
		return
	default:
		close(c.done)
	}
	if c.timer != nil { // armed, not made after it ended
		c.timer.Stop()
		c.stop()
	}
}
