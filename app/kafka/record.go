package kafka

import (
	"context"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/messages"
)

// watermillUUIDHeader is where watermill-kafka's marshaler keeps a message id;
// honoured on input so records written by other watermill services keep their ids.
const watermillUUIDHeader = "_watermill_message_uuid"

// toMessage turns a consumed record into a watermill message, whose context
// is a msgCtx under parent carrying the record and pd. Its id is the
// message_id header, or watermill's own id header; a record from a plain
// Kafka client has neither, so its id is its source, which is unique and
// stays the same when the record is delivered again.
func toMessage(parent context.Context, km *sarama.ConsumerMessage, pd *pending) (*message.Message, *msgCtx) {
	src := messages.Source{Topic: km.Topic, Partition: km.Partition, Offset: km.Offset}
	var id, wmID string
	for _, h := range km.Headers {
		switch {
		case h == nil:
		case string(h.Key) == messages.HeaderMessageID:
			id = string(h.Value)
		case string(h.Key) == watermillUUIDHeader:
			wmID = string(h.Value)
		}
	}
	if id == "" {
		id = wmID
	}
	if id == "" {
		id = src.String()
	}
	msg := message.NewMessage(id, km.Value)
	// The id headers become the message's UUID, not metadata;
	// toProducerMessage writes it back as message_id.
	for _, h := range km.Headers {
		if h != nil && string(h.Key) != messages.HeaderMessageID && string(h.Key) != watermillUUIDHeader {
			msg.Metadata.Set(headerName(h.Key), string(h.Value))
		}
	}
	raw := make([]messages.Header, 0, len(km.Headers))
	for _, h := range km.Headers {
		if h != nil {
			raw = append(raw, messages.Header{Key: h.Key, Value: h.Value})
		}
	}
	ctx := newMsgCtx(parent, messages.Record{Key: string(km.Key), Source: src, Headers: raw}, pd)
	msg.SetContext(ctx)
	return msg, ctx
}

// headerName is string(k), without an allocation for the names dispatchd
// itself reads and writes.
func headerName(k []byte) string {
	switch string(k) {
	case messages.HeaderType:
		return messages.HeaderType
	case messages.HeaderCorrelationID:
		return messages.HeaderCorrelationID
	case messages.HeaderCausationID:
		return messages.HeaderCausationID
	case messages.HeaderSource:
		return messages.HeaderSource
	}
	return string(k)
}

// toProducerMessage turns a watermill message into a record for topic. The key
// comes from the message's context (see messages.WithRecord), so a result and
// a dead letter keep the key of the input they derive from.
//
// A message whose Record carries Headers (a dead letter) is a copy: those
// headers go first, verbatim, then the metadata, and its id is not added,
// since the copy has its input's message_id if that had one.
func toProducerMessage(topic string, msg *message.Message) *sarama.ProducerMessage {
	var key string
	var raw []messages.Header
	if r, ok := messages.RecordFromContext(msg.Context()); ok {
		key, raw = r.Key, r.Headers
	}
	// The key and every header's name and value share one buffer: one
	// allocation rather than two per header. The key is bytes, not a
	// StringEncoder, which would allocate a copy each time sarama encodes it.
	size := len(key) + len(messages.HeaderMessageID) + len(msg.UUID)
	for k, v := range msg.Metadata {
		size += len(k) + len(v)
	}
	buf := make([]byte, 0, size)
	r := &producerRecord{value: sarama.ByteEncoder(msg.Payload)}
	pm := &r.pm
	pm.Topic, pm.Value = topic, &r.value
	if key != "" {
		buf = append(buf, key...)
		r.key = buf[:len(key):len(key)]
		pm.Key = &r.key
	}
	if n := len(raw) + len(msg.Metadata) + 1; n <= len(r.headers) {
		pm.Headers = r.headers[:0]
	} else {
		pm.Headers = make([]sarama.RecordHeader, 0, n)
	}
	for _, h := range raw {
		pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
	}
	if msg.UUID != "" && raw == nil {
		pm.Headers, buf = appendHeader(pm.Headers, buf, messages.HeaderMessageID, msg.UUID)
	}
	for k, v := range msg.Metadata {
		if k == messages.HeaderMessageID {
			continue // the UUID is the id
		}
		pm.Headers, buf = appendHeader(pm.Headers, buf, k, v)
	}
	return pm
}

// producerRecord is a ProducerMessage with what it points at, in one
// allocation: its key and value encoders (a ByteEncoder stored in an
// Encoder is boxed, an allocation each; a pointer to one is not) and room
// for a result's headers (id, type, causation, source, trace context).
type producerRecord struct {
	pm         sarama.ProducerMessage
	key, value sarama.ByteEncoder
	headers    [6]sarama.RecordHeader
}

// appendHeader appends k and v to buf and a header viewing them to hs.
func appendHeader(hs []sarama.RecordHeader, buf []byte, k, v string) ([]sarama.RecordHeader, []byte) {
	start := len(buf)
	buf = append(buf, k...)
	mid := len(buf)
	buf = append(buf, v...)
	return append(hs, sarama.RecordHeader{Key: buf[start:mid:mid], Value: buf[mid:len(buf):len(buf)]}), buf
}
