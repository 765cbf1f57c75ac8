package tracing

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
)

// Module provides the Tracing the router and the HTTP API start spans
// from; app flushes it on stop.
var Module = fx.Module("tracing",
	fx.Provide(newFromGraph),
)

func newFromGraph(build telemetry.BuildInfo, log *zap.Logger) (*Tracing, error) {
	t, err := New(context.Background(), build.Version)
	if err != nil {
		return nil, err
	}
	if t.Exporter() != "" {
		log = log.Named("tracing")
		// The SDK reports a failed export through otel's one error handler;
		// without this it would print unstructured lines to stderr.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", zap.Error(err)) }))
		log.Info("exporting spans", zap.String("exporter", t.Exporter()))
	}
	return t, nil
}
