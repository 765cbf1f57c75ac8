package router

import (
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/app/tracing"
	"dispatchd/messages"
)

// Trace runs each message in one span of kind CONSUMER, a child of the
// trace context in its headers (W3C traceparent and tracestate), if any.
// The span covers every attempt, the publish of the results and the dead
// letter; retries and the dead letter are its events (see Chain).
// TraceContext writes it into the results, DeadLetter into the dead
// letter. With no exporter the tracer is a no-op one: the span is the
// input's own context, carried on unchanged.
func Trace(tracer trace.Tracer, group string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			rec, _ := messages.RecordFromContext(msg.Context())
			ctx := tracing.Extract(msg.Context(), propagation.MapCarrier(msg.Metadata))
			ctx, span := tracer.Start(ctx, "process "+rec.Source.Topic, trace.WithSpanKind(trace.SpanKindConsumer))
			if span.IsRecording() {
				span.SetAttributes(spanAttributes(msg, rec, group)...)
			}
			msg.SetContext(ctx)
			out, err := h(msg)
			if err != nil {
				span.SetStatus(codes.Error, Clip(err.Error(), MaxReasonBytes))
			}
			span.End()
			// The context stays: the pause logged outside names the trace.
			return out, err
		}
	}
}

// spanAttributes are the OpenTelemetry messaging attributes of msg's span.
func spanAttributes(msg *message.Message, rec messages.Record, group string) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("messaging.system", "kafka"),
		attribute.String("messaging.operation.name", "process"),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("messaging.destination.name", rec.Source.Topic),
		attribute.String("messaging.destination.partition.id", strconv.Itoa(int(rec.Source.Partition))),
		attribute.Int64("messaging.kafka.offset", rec.Source.Offset),
		attribute.String("messaging.consumer.group.name", group),
		attribute.String("messaging.kafka.message.key", Clip(rec.Key, maxLoggedBytes)),
		attribute.String("messaging.message.id", Clip(msg.UUID, maxLoggedBytes)),
		attribute.Int("messaging.message.body.size", len(msg.Payload)),
	}
}

// TraceContext writes the trace context of the message being handled into
// every result, so the trace goes on downstream.
func TraceContext(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		for _, o := range out {
			tracing.Inject(msg.Context(), propagation.MapCarrier(o.Metadata))
		}
		return out, err
	}
}

// spanEvent adds an event to the span msg is handled in, if it records.
func spanEvent(msg *message.Message, name string, attrs ...attribute.KeyValue) {
	if span := trace.SpanFromContext(msg.Context()); span.IsRecording() {
		span.AddEvent(name, trace.WithAttributes(attrs...))
	}
}

// spanFailed adds an event to the span msg is handled in and marks the
// span failed: the message ended without a result.
func spanFailed(msg *message.Message, name string, attrs ...attribute.KeyValue) {
	if span := trace.SpanFromContext(msg.Context()); span.IsRecording() {
		span.AddEvent(name, trace.WithAttributes(attrs...))
		span.SetStatus(codes.Error, name)
	}
}
