package kafka

import (
	"context"
	"time"

	"dispatchd/app/lazyctx"
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
	ending lazyctx.Ending
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
	return c.ending.Done(c.parent.Err, func() func() {
		leave := context.AfterFunc(c.parent, func() { c.ending.End(c.parent.Err()) })
		return func() { leave() }
	})
}

// Err implements context.Context.
func (c *msgCtx) Err() error { return c.ending.Err(c.parent.Err) }

// end ends the context: its message was acked or nacked.
func (c *msgCtx) end() { c.ending.End(context.Canceled) }
