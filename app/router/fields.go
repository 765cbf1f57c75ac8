package router

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"

	"dispatchd/messages"
)

// msgFields are the fields every message-scoped log line carries. The
// payload is never among them.
func msgFields(msg *message.Message) []zap.Field {
	rec, _ := messages.RecordFromContext(msg.Context())
	return []zap.Field{
		zap.String("topic", rec.Source.Topic),
		zap.Int32("partition", rec.Source.Partition),
		zap.Int64("offset", rec.Source.Offset),
		zap.String("key", rec.Key),
		zap.String("type", msg.Metadata.Get(messages.HeaderType)),
		zap.String("correlation_id", msg.Metadata.Get(messages.HeaderCorrelationID)),
		zap.String("message_id", msg.UUID),
		zap.String("handler", message.HandlerNameFromCtx(msg.Context())),
	}
}
