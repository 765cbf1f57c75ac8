package httpapi

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/app/tracing"
)

// errRejected ends the span of a send refused before anything was sent.
var errRejected = errors.New("rejected")

// startSpan starts the send's span of kind PRODUCER, a child of the
// request's traceparent header if it has one, so the caller's trace goes on
// into the records (read injects it) and through dispatchd.
func (h *sendHandler) startSpan(r *http.Request) (context.Context, trace.Span) {
	ctx := tracing.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := h.opts.Tracer.Start(ctx, "send "+h.opts.Topic, trace.WithSpanKind(trace.SpanKindProducer))
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.name", "send"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", h.opts.Topic))
	}
	return ctx, span
}

// spanBatch records what the send carries: how many messages, and the id
// and key of a single one.
func spanBatch(span trace.Span, sent []Sent) {
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(attribute.Int("messaging.batch.message_count", len(sent)))
	if len(sent) == 1 {
		span.SetAttributes(attribute.String("messaging.message.id", sent[0].MessageID),
			attribute.String("messaging.kafka.message.key", sent[0].Key))
	}
}

// endSpan ends span, failed if err is not nil.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
