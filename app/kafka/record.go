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

// Record is what dispatchd knows about the Kafka record behind a message.
type Record struct {
	// Key is the record key.
	Key string
	// Source is topic, partition and offset of the record.
	Source messages.Source
}

type recordKey struct{}

// WithRecord returns ctx carrying r.
func WithRecord(ctx context.Context, r Record) context.Context {
	return context.WithValue(ctx, recordKey{}, r)
}

// RecordFromContext returns the record carried by ctx, if any.
func RecordFromContext(ctx context.Context) (Record, bool) {
	r, ok := ctx.Value(recordKey{}).(Record)
	return r, ok
}

// toMessage turns a consumed record into a watermill message. Its id is the
// message_id header, or watermill's own id header; a record from a plain
// Kafka client has neither, so its id is its source, which is unique and
// stays the same when the record is delivered again.
func toMessage(ctx context.Context, km *sarama.ConsumerMessage) *message.Message {
	src := messages.Source{Topic: km.Topic, Partition: km.Partition, Offset: km.Offset}
	md := make(message.Metadata, len(km.Headers))
	var id, wmID string
	for _, h := range km.Headers {
		switch {
		case h == nil:
		case string(h.Key) == messages.HeaderMessageID:
			id = string(h.Value)
		case string(h.Key) == watermillUUIDHeader:
			wmID = string(h.Value)
		default:
			md.Set(string(h.Key), string(h.Value))
		}
	}
	// The id header becomes the message's UUID, not metadata; toProducerMessage
	// writes it back as message_id.
	if id == "" {
		id = wmID
	}
	if id == "" {
		id = src.String()
	}
	msg := message.NewMessage(id, km.Value)
	msg.Metadata = md
	msg.SetContext(WithRecord(ctx, Record{Key: string(km.Key), Source: src}))
	return msg
}

// toProducerMessage turns a watermill message into a record for topic. The key
// comes from the message's context (see WithRecord), so a result and a dead
// letter keep the key of the input they derive from.
func toProducerMessage(topic string, msg *message.Message) *sarama.ProducerMessage {
	pm := &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(msg.Payload)}
	if r, ok := RecordFromContext(msg.Context()); ok && r.Key != "" {
		pm.Key = sarama.StringEncoder(r.Key)
	}
	pm.Headers = make([]sarama.RecordHeader, 0, len(msg.Metadata)+1)
	if msg.UUID != "" {
		pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: []byte(messages.HeaderMessageID), Value: []byte(msg.UUID)})
	}
	for k, v := range msg.Metadata {
		if k == messages.HeaderMessageID {
			continue // the UUID is the id
		}
		pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
	}
	return pm
}
