package router

import (
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
// letter. When tracer cannot record (no exporter), the span is the
// input's own context, carried on unchanged.
func Trace(tracer trace.Tracer, group string) message.HandlerMiddleware {
	if !tracing.Records(tracer) {
		return carry
	}
	topics := newTopicSpans(group)
	// Built once: a variadic list built at the call is allocated per message.
	consumer := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer)}
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			rec, _ := messages.RecordFromContext(msg.Context())
			ts := topics.of(rec.Source.Topic)
			ctx := tracing.Extract(msg.Context(), propagation.MapCarrier(msg.Metadata))
			ctx, span := tracer.Start(ctx, ts.name, consumer...)
			if span.IsRecording() {
				topics.setAttributes(span, ts, msg, rec)
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

// carry is Trace when nothing records. A no-op tracer's span is the
// incoming context, so only that is carried on, and a message without
// trace context costs one header lookup.
func carry(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		msg.SetContext(tracing.Extract(msg.Context(), propagation.MapCarrier(msg.Metadata)))
		return h(msg)
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
