package httpapi

import (
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/telemetry"
	"dispatchd/app/tracing"
	"dispatchd/config"
	"dispatchd/handlers"
)

// Module provides the HTTP server; app starts and stops it.
var Module = fx.Module("httpapi",
	fx.Provide(newServer),
)

// Endpoints are what the endpoints report on and send with.
type Endpoints struct {
	// Ready answers /readyz.
	Ready Readiness
	// Health answers /healthz.
	Health Health
	// Sender writes what POST /v1/messages accepts.
	Sender Sender
	// Registry knows the message types POST /v1/messages accepts.
	Registry *handlers.Registry
	// Metrics is what /metrics serves.
	Metrics *telemetry.Metrics
	// Log is where a failed send's cause is logged.
	Log *zap.Logger
	// Tracer starts each send's span; nil only propagates.
	Tracer trace.Tracer
}

// Routes builds the handler of each listener cfg asks for. With
// http.admin_addr empty, main serves every endpoint and admin is nil;
// otherwise main serves only POST /v1/messages and admin the rest. It reads
// http.send.token_file, so it fails on a token that cannot be used.
func Routes(cfg config.Config, e Endpoints) (main, admin http.Handler, err error) {
	send, err := sendRoute(cfg, e)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/messages", send)
	if cfg.HTTP.AdminAddr == "" {
		adminRoutes(mux, e)
		return mux, nil, nil
	}
	am := http.NewServeMux()
	adminRoutes(am, e)
	return mux, am, nil
}

func adminRoutes(mux *http.ServeMux, e Endpoints) {
	mux.HandleFunc("GET /healthz", healthz(e.Health))
	mux.HandleFunc("GET /readyz", readyz(e.Ready))
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.Metrics.Registry, promhttp.HandlerOpts{Registry: e.Metrics.Registry}))
}

// sendRoute is POST /v1/messages as cfg has it: off, or the send behind
// its token and content-type checks, the token first, so a caller without
// it learns nothing else and takes no slot.
func sendRoute(cfg config.Config, e Endpoints) (http.Handler, error) {
	sc := cfg.HTTP.Send
	if !sc.Enabled {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusNotFound, apiError{Error: "POST /v1/messages is off: http.send.enabled is false"})
		}), nil
	}
	h := requireJSON(NewSend(SendOptions{
		Topic: cfg.Topics.Input, Types: e.Registry.Types(), MaxRecordBytes: cfg.Producer.MaxMessageBytes,
		MaxConcurrent: sc.MaxConcurrent, Timeout: sc.Timeout, Tracer: e.Tracer,
	}, e.Sender, e.Log))
	if sc.TokenFile == "" {
		return h, nil
	}
	token, err := ReadToken(sc.TokenFile)
	if err != nil {
		return nil, err
	}
	return requireBearer(token, h), nil
}

func newServer(cfg config.Config, state *kafka.GroupState, health Health, p *kafka.Producer,
	reg *handlers.Registry, m *telemetry.Metrics, log *zap.Logger, tr *tracing.Tracing) (*Server, error) {
	log = log.Named("http")
	main, admin, err := Routes(cfg, Endpoints{Ready: state, Health: health, Sender: p, Registry: reg, Metrics: m, Log: log,
		Tracer: tr.Tracer()})
	if err != nil {
		return nil, err
	}
	if unguarded(cfg.HTTP) {
		log.Warn("POST /v1/messages writes the input topic for anyone who reaches http.addr: set http.send.token_file",
			zap.String("addr", cfg.HTTP.Addr))
	}
	ls := []Listener{{Name: "http", Addr: cfg.HTTP.Addr, Handler: main}}
	if admin != nil {
		ls = append(ls, Listener{Name: "admin", Addr: cfg.HTTP.AdminAddr, Handler: admin})
	}
	return NewServer(log, ls...), nil
}

// unguarded reports whether the send endpoint takes messages without a
// token on an address beyond loopback.
func unguarded(h config.HTTP) bool {
	if !h.Send.Enabled || h.Send.TokenFile != "" {
		return false
	}
	host, _, err := net.SplitHostPort(h.Addr)
	if err != nil || host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
