package router_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/app/router"
	"dispatchd/app/tracing"
	"dispatchd/messages"
)

const upstream = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

// tracedMsg is a consumed message from topic, with traceparent tp if set.
func tracedMsg(id, topic, tp string) *message.Message {
	msg := message.NewMessage(id, []byte(orderPlaced))
	if tp != "" {
		msg.Metadata.Set("traceparent", tp)
	}
	rec := testRecord
	rec.Source.Topic = topic
	msg.SetContext(messages.WithRecord(context.Background(), rec))
	return msg
}

// traced runs msg through Trace and TraceContext around a handler that
// returns one result, or err; it returns the span context the handler saw
// and the result's traceparent.
func traced(tracer trace.Tracer, msg *message.Message, err error) (trace.SpanContext, string) {
	var seen trace.SpanContext
	h := router.Trace(tracer, "dispatchers")(router.TraceContext(func(m *message.Message) ([]*message.Message, error) {
		seen = trace.SpanContextFromContext(m.Context())
		return []*message.Message{message.NewMessage("r-"+m.UUID, nil)}, err
	}))
	out, _ := h(msg)
	return seen, out[0].Metadata.Get("traceparent")
}

func TestTrace_records_one_consumer_span_per_message_with_its_attributes(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)).Tracer("test")
	tests := []struct {
		name   string
		topic  string
		parent string
		err    error
	}{
		{"child_of_the_incoming_context", "dispatch.requests", upstream, nil},
		{"a_new_trace_without_one", "dispatch.requests", "", nil},
		{"another_topic_names_its_own_span", "dispatch.other", upstream, nil},
		{"a_failure_marks_the_span", "dispatch.requests", upstream, errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp.Reset()
			seen, tp := traced(tracer, tracedMsg("m-"+tt.name, tt.topic, tt.parent), tt.err)
			spans := exp.GetSpans()
			require.Len(t, spans, 1)
			sp := spans[0]
			require.Equal(t, "process "+tt.topic, sp.Name)
			require.Equal(t, trace.SpanKindConsumer, sp.SpanKind)
			require.Equal(t, sp.SpanContext.SpanID(), seen.SpanID(), "the handler runs in the span")
			require.Contains(t, tp, sp.SpanContext.SpanID().String(), "the result's parent is the span")
			if tt.parent != "" {
				require.Equal(t, "0af7651916cd43dd8448eb211c80319c", sp.Parent.TraceID().String())
				require.Equal(t, "b7ad6b7169203331", sp.Parent.SpanID().String())
				require.True(t, sp.Parent.IsRemote())
			} else {
				require.False(t, sp.Parent.IsValid())
			}
			require.ElementsMatch(t, []attribute.KeyValue{
				attribute.String("messaging.system", "kafka"),
				attribute.String("messaging.operation.name", "process"),
				attribute.String("messaging.operation.type", "process"),
				attribute.String("messaging.destination.name", tt.topic),
				attribute.String("messaging.consumer.group.name", "dispatchers"),
				attribute.String("messaging.destination.partition.id", strconv.Itoa(int(testRecord.Source.Partition))),
				attribute.Int64("messaging.kafka.offset", testRecord.Source.Offset),
				attribute.String("messaging.kafka.message.key", testRecord.Key),
				attribute.String("messaging.message.id", "m-"+tt.name),
				attribute.Int("messaging.message.body.size", len(orderPlaced)),
			}, sp.Attributes)
			if tt.err != nil {
				require.Equal(t, sdktrace.Status{Code: codes.Error, Description: "boom"}, sp.Status)
			} else {
				require.Equal(t, codes.Unset, sp.Status.Code)
			}
		})
	}
}

func TestTrace_without_an_exporter_carries_the_incoming_context_on(t *testing.T) {
	tests := []struct {
		name   string
		parent string
	}{
		{"with_a_traceparent", upstream},
		{"without_one", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen, tp := traced(tracing.Off().Tracer(), tracedMsg("m", "dispatch.requests", tt.parent), nil)
			require.Equal(t, tt.parent, tp, "the result carries the input's own context, or none")
			require.Equal(t, tt.parent != "", seen.IsValid())
			require.Equal(t, tt.parent != "", seen.IsRemote(), "no span of its own: the handler sees the input's")
		})
	}
}
