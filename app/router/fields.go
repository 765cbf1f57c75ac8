package router

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/messages"
)

// maxLoggedBytes bounds the input text a log line repeats: a key or a
// header (type, ids) can be as large as the record.
const maxLoggedBytes = 256

// msgFields are the fields every message-scoped log line carries. The
// payload is never among them.
func msgFields(msg *message.Message) []zap.Field {
	rec, _ := messages.RecordFromContext(msg.Context())
	fs := make([]zap.Field, 0, 10)
	fs = append(fs,
		zap.String("topic", rec.Source.Topic),
		zap.Int32("partition", rec.Source.Partition),
		zap.Int64("offset", rec.Source.Offset),
		zap.String("key", Clip(rec.Key, maxLoggedBytes)),
		zap.String("type", Clip(msg.Metadata.Get(messages.HeaderType), maxLoggedBytes)),
		zap.String("correlation_id", Clip(msg.Metadata.Get(messages.HeaderCorrelationID), maxLoggedBytes)),
		zap.String("message_id", Clip(msg.UUID, maxLoggedBytes)),
		zap.String("handler", handlerName(msg)),
	)
	if sc := trace.SpanContextFromContext(msg.Context()); sc.IsValid() {
		fs = append(fs, zap.String("trace_id", sc.TraceID().String()), zap.String("span_id", sc.SpanID().String()))
	}
	return fs
}

// handlerKey is the context key of a message's handlerSlot.
type handlerKey struct{}

// handlerSlot holds the name of the handler a message was given to. It is
// put on the message's context once, outside the per-attempt contexts, so
// what Dispatch writes into it on an attempt is seen by every middleware.
// It is that context itself: one allocation, where a context.WithValue
// holding a slot took two.
type handlerSlot struct {
	context.Context
	name string
}

func (s *handlerSlot) Value(key any) any {
	if key == (handlerKey{}) {
		return s
	}
	return s.Context.Value(key)
}

// NameSlot gives each message the slot its handler's name is recorded in,
// for the logs and metrics of the middleware around Dispatch.
func NameSlot(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if _, ok := msg.Context().Value(handlerKey{}).(*handlerSlot); !ok {
			msg.SetContext(&handlerSlot{Context: msg.Context()})
		}
		return h(msg)
	}
}

// setHandler records on msg that the handler named name takes it. Without
// a slot (a chain built without NameSlot) it adds one.
func setHandler(msg *message.Message, name string) {
	if s, ok := msg.Context().Value(handlerKey{}).(*handlerSlot); ok {
		s.name = name
		return
	}
	msg.SetContext(&handlerSlot{Context: msg.Context(), name: name})
}

// handlerName is the name of the handler msg was given to, or
// telemetry.NoHandler if Dispatch found none.
func handlerName(msg *message.Message) string {
	if s, ok := msg.Context().Value(handlerKey{}).(*handlerSlot); ok && s.name != "" {
		return s.name
	}
	return telemetry.NoHandler
}
