package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// ErrHandlerTimeout is the error of an attempt that outlived
// router.handler_timeout. It is transient: the attempt is retried, then
// dead-lettered.
var ErrHandlerTimeout = errors.New("handler timed out")

// Timeout gives each attempt a context that ends after d (0: no bound). The
// handler sees it as msg.Context(); the message's own context is restored
// when the attempt returns, so a timed-out attempt is not mistaken for a
// shutdown. A handler must honour its context: one that ignores it is
// caught by the stall check of /healthz, not here.
func Timeout(d time.Duration) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		if d <= 0 {
			return h
		}
		return func(msg *message.Message) ([]*message.Message, error) {
			parent := msg.Context()
			ctx := withAttemptTimeout(parent, d)
			defer ctx.cancel()
			msg.SetContext(ctx)
			out, err := h(msg)
			msg.SetContext(parent)
			if err != nil && parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w after %s: %w", ErrHandlerTimeout, d, err)
			}
			return out, err
		}
	}
}
