package router

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/app/tracing"
	"dispatchd/config"
	"dispatchd/handlers"
)

// Module provides the router and the Runner that app starts and stops.
var Module = fx.Module("router",
	fx.Provide(newFromGraph, newRunner, newPauses),
)

func newRunner(r *message.Router, sd fx.Shutdowner, log *zap.Logger) *Runner {
	return NewRunner(r, func() { _ = sd.Shutdown(fx.ExitCode(1)) }, log.Named("router"))
}

// newFromGraph adapts New to the graph's types.
func newFromGraph(cfg config.Config, sub message.Subscriber, pub message.Publisher, reg *handlers.Registry,
	m *telemetry.Metrics, log *zap.Logger, wl watermill.LoggerAdapter, pauses *Pauses, tr *tracing.Tracing) (*message.Router, error) {
	return New(Params{Config: cfg, Subscriber: sub, Publisher: pub, Registry: reg, Metrics: m, Logger: log, Watermill: wl,
		Pauses: pauses, Tracer: tr.Tracer()})
}

func newPauses(m *telemetry.Metrics, log *zap.Logger) *Pauses {
	return NewPauses(m, log.Named("router"))
}
