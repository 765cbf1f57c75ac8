package router

import (
	"context"
	"time"

	"dispatchd/app/lazyctx"
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
	ending          lazyctx.Ending
}

// withAttemptTimeout returns a context that ends after d, or when parent
// does, or when its cancel is called. cancel is a method, not a returned
// CancelFunc: a closure would be an allocation per message of its own.
func withAttemptTimeout(parent context.Context, d time.Duration) *attemptCtx {
	return &attemptCtx{Context: parent, deadline: time.Now().Add(d)}
}

// cancel ends the attempt early, as context.WithTimeout's CancelFunc does.
func (c *attemptCtx) cancel() { c.ending.End(context.Canceled) }

// Deadline implements context.Context.
func (c *attemptCtx) Deadline() (time.Time, bool) {
	if pd, ok := c.Context.Deadline(); ok && pd.Before(c.deadline) {
		return pd, true
	}
	return c.deadline, true
}

// Done implements context.Context; the first call arms the timer.
func (c *attemptCtx) Done() <-chan struct{} {
	return c.ending.Done(c.now, func() func() {
		timer := time.AfterFunc(time.Until(c.deadline), func() { c.ending.End(context.DeadlineExceeded) })
		leave := context.AfterFunc(c.Context, func() { c.ending.End(c.Context.Err()) })
		return func() { timer.Stop(); leave() }
	})
}

// Err implements context.Context.
func (c *attemptCtx) Err() error { return c.ending.Err(c.now) }

// now is why the attempt has ended by now, if it has: its message's
// context ended, or its deadline passed.
func (c *attemptCtx) now() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}
