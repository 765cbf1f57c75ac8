package router

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// Recoverer turns a handler panic into an ordinary, retryable error, so a
// panicking handler is retried and then dead-lettered like any failure. The
// stack goes to the log once; the error, which ends up in the dead letter's
// dispatch_error header, stays one line.
func Recoverer(log *zap.Logger) message.HandlerMiddleware { return recoverAs(log, "handler") }

// Guard is the outermost middleware: a panic in the middleware itself
// becomes an error (the message is redelivered after the nack backoff)
// instead of reaching watermill, so no panic leaves the chain.
func Guard(log *zap.Logger) message.HandlerMiddleware { return recoverAs(log, "middleware") }

// errPanicked marks the error a recovered panic became.
var errPanicked = errors.New("panicked")

func recoverAs(log *zap.Logger, what string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (out []*message.Message, err error) {
			defer func() {
				if r := recover(); r != nil {
					log.Error(what+" panicked", append(msgFields(msg),
						zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))...)
					// Fields joins a multi-line panic value into one line.
					out, err = nil, fmt.Errorf(what+" %w: %s", errPanicked, strings.Join(strings.Fields(fmt.Sprint(r)), " "))
				}
			}()
			return h(msg)
		}
	}
}
