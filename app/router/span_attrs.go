package router

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/messages"
)

// spanAttrCount is how many attributes a message span has: the five of its
// topicSpan and the five of its record.
const spanAttrCount = 10

// topicSpan is what a message span takes from its topic and consumer
// group: its name and its constant attributes.
type topicSpan struct {
	topic string
	name  string
	fixed [5]attribute.KeyValue
}

// topicSpans builds a topicSpan once per topic instead of once per message,
// and lends the scratch arrays span attributes are set from.
type topicSpans struct {
	group string
	// last is the topicSpan built last. A router reads one input topic;
	// another topic replaces it.
	last atomic.Pointer[topicSpan]
	// bufs hold *[spanAttrCount]attribute.KeyValue. SetAttributes copies
	// what it is given into the span, so an array serves message after
	// message instead of one being allocated for each.
	bufs sync.Pool
}

func newTopicSpans(group string) *topicSpans {
	t := &topicSpans{group: group}
	t.bufs.New = func() any { return new([spanAttrCount]attribute.KeyValue) }
	return t
}

// of returns the topicSpan of topic.
func (t *topicSpans) of(topic string) *topicSpan {
	if ts := t.last.Load(); ts != nil && ts.topic == topic {
		return ts
	}
	ts := &topicSpan{topic: topic, name: "process " + topic, fixed: [5]attribute.KeyValue{
		attribute.String("messaging.system", "kafka"),
		attribute.String("messaging.operation.name", "process"),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("messaging.destination.name", topic),
		attribute.String("messaging.consumer.group.name", t.group),
	}}
	t.last.Store(ts)
	return ts
}

// setAttributes sets the OpenTelemetry messaging attributes of msg's span.
func (t *topicSpans) setAttributes(span trace.Span, ts *topicSpan, msg *message.Message, rec messages.Record) {
	buf := t.bufs.Get().(*[spanAttrCount]attribute.KeyValue)
	n := copy(buf[:], ts.fixed[:])
	buf[n] = attribute.String("messaging.destination.partition.id", strconv.Itoa(int(rec.Source.Partition)))
	buf[n+1] = attribute.Int64("messaging.kafka.offset", rec.Source.Offset)
	buf[n+2] = attribute.String("messaging.kafka.message.key", Clip(rec.Key, maxLoggedBytes))
	buf[n+3] = attribute.String("messaging.message.id", Clip(msg.UUID, maxLoggedBytes))
	buf[n+4] = attribute.Int("messaging.message.body.size", len(msg.Payload))
	span.SetAttributes(buf[:]...)
	*buf = [spanAttrCount]attribute.KeyValue{} // the message's strings are not kept alive
	t.bufs.Put(buf)
}
