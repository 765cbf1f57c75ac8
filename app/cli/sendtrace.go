package cli

import (
	"context"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/app/tracing"
)

// flushTimeout bounds the export of send's span at exit.
const flushTimeout = 5 * time.Second

// startSendSpan starts send's span of kind PRODUCER, a child of the trace
// context in TRACEPARENT and TRACESTATE, the variables OpenTelemetry names
// for handing a trace to a process.
func startSendSpan(ctx context.Context, tr *tracing.Tracing, topic string, n int) (context.Context, trace.Span) {
	if ctx == nil {
		ctx = context.Background()
	}
	env := propagation.MapCarrier{"traceparent": os.Getenv("TRACEPARENT"), "tracestate": os.Getenv("TRACESTATE")}
	ctx = tracing.Extract(ctx, env)
	ctx, span := tr.Tracer().Start(ctx, "send "+topic, trace.WithSpanKind(trace.SpanKindProducer))
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.name", "send"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", topic),
			attribute.Int("messaging.batch.message_count", n))
	}
	return ctx, span
}

// endSpan ends span, failed if err is not nil.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// flushSpans exports what is left, within flushTimeout; a failure to export
// is not send's failure.
func flushSpans(tr *tracing.Tracing) {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	_ = tr.Shutdown(ctx)
}
