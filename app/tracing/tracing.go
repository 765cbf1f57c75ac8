// Package tracing carries W3C trace context (traceparent, tracestate)
// across dispatchd's Kafka hops and, when the standard OTEL_* variables ask
// for it, exports spans with the OpenTelemetry SDK. Propagation is always
// on; the SDK runs only when an exporter is configured.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName names dispatchd's tracer, the instrumentation scope of its spans.
const ScopeName = "dispatchd"

// Tracing is the process's tracer provider: the SDK's when an exporter is
// configured, else a no-op one, whose spans carry on the context they are
// started in, so an incoming trace still reaches what dispatchd writes.
type Tracing struct {
	tracer   trace.Tracer
	sdk      *sdktrace.TracerProvider // nil when nothing is exported
	exporter string
}

// Off returns a Tracing that only propagates.
func Off() *Tracing {
	return &Tracing{tracer: noop.NewTracerProvider().Tracer(ScopeName)}
}

// New reads the standard variables (OTEL_TRACES_EXPORTER,
// OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_SDK_DISABLED) and returns the
// Tracing they ask for. Nothing is exported unless OTEL_TRACES_EXPORTER
// names an exporter or an OTLP endpoint is set. version is the build's, as
// service.version.
func New(ctx context.Context, version string) (*Tracing, error) {
	name, on := wanted(os.Getenv)
	if !on {
		return Off(), nil
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER=%s: %w", name, err)
	}
	// Later sources win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the defaults.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", "dispatchd"), attribute.String("service.version", version)),
		resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	// The sampler is the SDK's reading of OTEL_TRACES_SAMPLER(_ARG),
	// parentbased_always_on by default.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, batching(os.Getenv)...), sdktrace.WithResource(res))
	return &Tracing{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(version)), sdk: tp, exporter: name}, nil
}

// QueueSize is the batch span processor's queue when OTEL_BSP_MAX_QUEUE_SIZE
// and OTEL_BSP_MAX_EXPORT_BATCH_SIZE are unset. The SDK's 2048 hold 40 ms
// of spans at 50,000 messages/s, less than an export round trip can take on
// a busy host, and the spans that do not fit are dropped.
const QueueSize = 8192

// batching are the batch span processor's options. When either size is in
// the environment the SDK reads both, as it documents; only otherwise is
// the queue dispatchd's.
func batching(getenv func(string) string) []sdktrace.BatchSpanProcessorOption {
	if getenv("OTEL_BSP_MAX_QUEUE_SIZE") != "" || getenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") != "" {
		return nil
	}
	return []sdktrace.BatchSpanProcessorOption{sdktrace.WithMaxQueueSize(QueueSize)}
}

// wanted is the exporter the environment names, and whether spans are to
// be exported at all.
func wanted(getenv func(string) string) (string, bool) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return "", false
	}
	switch name := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); name {
	case "none":
		return "", false
	case "":
		// autoexport's default is otlp; an endpoint alone asks for it.
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
			return "otlp", true
		}
		return "", false
	default:
		return name, true
	}
}

// Tracer is the tracer dispatchd's spans start from.
func (t *Tracing) Tracer() trace.Tracer { return t.tracer }

// Exporter names the exporter in use, or "" when spans are not exported.
func (t *Tracing) Exporter() string { return t.exporter }

// Shutdown flushes the spans not yet exported and stops the exporter,
// within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	if err := t.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: flush spans: %w", err)
	}
	return nil
}

// propagator is the one trace context format dispatchd reads and writes.
var propagator = propagation.TraceContext{}

// Extract returns ctx carrying the trace context found in c, if any.
func Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	return propagator.Extract(ctx, c)
}

// Inject writes the trace context of ctx, if any, into c.
func Inject(ctx context.Context, c propagation.TextMapCarrier) {
	propagator.Inject(ctx, c)
}

// Fields are the header names trace context is written to.
func Fields() []string { return propagator.Fields() }

// Records reports whether spans started from t may record: false only for
// the no-op tracer of a Tracing that only propagates, whose spans are only
// the context they start in. The SDK's sampler decides for each span of
// any other tracer.
func Records(t trace.Tracer) bool {
	_, off := t.(noop.Tracer)
	return !off
}
