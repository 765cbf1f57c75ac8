package kafka

import (
	"context"
	"sync"
	"time"

	"dispatchd/messages"
)

// msgCtx is a handed-over message's context: it carries the message's
// Record and its pending, and it ends once the message is acked or nacked,
// or when its parent (the drain budget) ends. It is one allocation where
// context.WithCancel, a pending value and a Record value were four, and it
// joins its parent only once Done is asked for: WithCancel registered every
// message with the drain context, under its lock, which every partition
// shares. Most handlers never wait on their message's context.
type msgCtx struct {
	parent context.Context
	rec    messages.Record
	pd     *pending // nil: what is published from it is awaited

	mu   sync.Mutex
	done chan struct{} // made by the first Done
	err  error         // why it ended, once it did
	stop func() bool   // leaves the parent, once joined
}

func newMsgCtx(parent context.Context, rec messages.Record, pd *pending) *msgCtx {
	return &msgCtx{parent: parent, rec: rec, pd: pd}
}

// Deadline implements context.Context: the parent's.
func (c *msgCtx) Deadline() (deadline time.Time, ok bool) { return c.parent.Deadline() }

// Value implements context.Context: the Record, the pending, or the
// parent's values.
func (c *msgCtx) Value(key any) any {
	if v, ok := messages.RecordValue(key, &c.rec); ok {
		return v
	}
	if key == (pendingKey{}) {
		if c.pd == nil {
			return nil
		}
		return c.pd
	}
	return c.parent.Value(key)
}

// Done implements context.Context; the first call joins the parent.
func (c *msgCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.err == nil {
		c.err = c.parent.Err()
	}
	if c.err != nil {
		close(c.done)
		return c.done
	}
	c.stop = context.AfterFunc(c.parent, func() { c.end(c.parent.Err()) })
	return c.done
}

// Err implements context.Context. Until Done is asked for, nobody waits on
// it, so the parent's state is read as it is.
func (c *msgCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.done != nil {
		return c.err // joined: it is set when Done closes
	}
	c.err = c.parent.Err()
	return c.err
}

// end ends the context with err, unless it already ended: the message was
// acked or nacked (context.Canceled), or the parent ended.
func (c *msgCtx) end(err error) {
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
	if c.stop != nil {
		c.stop()
	}
}
