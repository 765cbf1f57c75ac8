package router

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/messages"
)

// Inflight counts messages between hand-over and finish, retries included.
func Inflight(m *telemetry.Metrics) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			m.InflightAdd(1)
			defer m.InflightAdd(-1)
			return h(msg)
		}
	}
}

// Attempt measures each handler run and logs its end at debug level. A
// success is counted here; retries and dead letters are counted where they
// are decided (Retry.OnRetry, DeadLetter.OnDeadLetter).
func Attempt(m *telemetry.Metrics, log *zap.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			start := time.Now()
			out, err := h(msg)
			took := time.Since(start)
			typ, name := msg.Metadata.Get(messages.HeaderType), handlerName(msg)
			if err == nil {
				m.Handled(typ, name, telemetry.OutcomeSuccess, took.Seconds())
			} else {
				m.ObserveDuration(typ, name, took.Seconds())
			}
			if ce := log.Check(zap.DebugLevel, "handled"); ce != nil {
				ce.Write(append(msgFields(msg), zap.Duration("took", took), zap.Error(err))...)
			}
			return out, err
		}
	}
}
