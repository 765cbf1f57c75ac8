package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
)

// Module provides the HTTP server; app starts and stops it.
var Module = fx.Module("httpapi",
	fx.Provide(newServer),
)

// Routes builds the mux of every endpoint.
func Routes(cfg config.Config, ready Readiness, health Health, sender Sender, reg *handlers.Registry, m *telemetry.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz(health))
	mux.HandleFunc("GET /readyz", readyz(ready))
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	mux.HandleFunc("POST /v1/messages", send(sender, cfg.Topics.Input, reg.Types()))
	return mux
}

func newServer(cfg config.Config, state *kafka.GroupState, health Health, p *kafka.Producer,
	reg *handlers.Registry, m *telemetry.Metrics, log *zap.Logger) *Server {
	return NewServer(cfg.HTTP.Addr, Routes(cfg, state, health, p, reg, m), log.Named("http"))
}
