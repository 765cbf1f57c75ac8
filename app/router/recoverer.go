package router

import (
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
func Recoverer(log *zap.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (out []*message.Message, err error) {
			defer func() {
				if r := recover(); r != nil {
					log.Error("handler panicked", append(msgFields(msg),
						zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))...)
					// Fields joins a multi-line panic value into one line.
					out, err = nil, fmt.Errorf("handler panicked: %s", strings.Join(strings.Fields(fmt.Sprint(r)), " "))
				}
			}()
			return h(msg)
		}
	}
}
