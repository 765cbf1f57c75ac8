package app

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/app/sdnotify"
	"dispatchd/app/tracing"
)

// stage is one step of the daemon's start and stop; either half may be nil.
type stage struct {
	name  string
	start func(context.Context) error
	stop  func(context.Context) error
}

// parts are the components whose start and stop the daemon orders.
type parts struct {
	fx.In
	Connect    kafka.Connector
	Topics     kafka.TopicsEnsurer
	Producer   *kafka.Producer
	Subscriber *kafka.Subscriber
	State      *kafka.GroupState
	HTTP       *httpapi.Server
	Router     *router.Runner
	Agent      *sdnotify.Agent
	Tracing    *tracing.Tracing
	Lag        *kafka.Lag
	Log        *zap.Logger
}

// stages is the daemon's whole lifecycle, and the only place its order is
// written. Start runs the list top-down: HTTP answers /healthz (and /readyz
// 503) while the cluster is waited for and the producer connects, the
// topics exist, the router joins and consumes, the lag to the last stable
// offset is polled (read_committed), and systemd hears READY=1
// once joined. Stop runs it bottom-up: STOPPING=1 to
// systemd, /readyz answers 503, the router drains, commits and leaves the
// group, HTTP stops, the spans are flushed, and the clients close last, so nothing in flight loses
// its producer. If a start fails, only the stages above it are stopped.
func stages(p parts) []stage {
	return []stage{
		{name: "producer", stop: noCtx(p.Producer.Close)},
		{name: "subscriber", stop: noCtx(p.Subscriber.Close)}, // the router closes it first; this covers a failed start
		{name: "tracing", stop: p.Tracing.Shutdown},           // after the router and HTTP, whose spans it flushes
		{name: "http", start: p.HTTP.Start, stop: p.HTTP.Stop},
		{name: "connect", start: p.Connect},
		{name: "topics", start: p.Topics},
		{name: "router", start: p.Router.Start, stop: p.Router.Stop},
		{name: "lag", start: noCtx(p.Lag.Start), stop: noCtx(p.Lag.Stop)},
		{name: "readiness", stop: func(context.Context) error { p.State.SetStopping(); return nil }},
		{name: "systemd", start: infallible(p.Agent.Start), stop: infallible(p.Agent.Stop)},
	}
}

// register hands the stages to fx in list order, each stage's start and
// stop logged, so fx starts them top-down and stops them bottom-up.
func register(lc fx.Lifecycle, p parts) {
	appendStages(lc, stages(p), p.Log.Named("lifecycle"))
}

// appendStages appends one fx hook per stage, in list order.
func appendStages(lc fx.Lifecycle, ss []stage, log *zap.Logger) {
	for _, s := range ss {
		lc.Append(fx.Hook{OnStart: logged(log, "start", s.name, s.start), OnStop: logged(log, "stop", s.name, s.stop)})
	}
}

// logged wraps one half of a stage with a debug line before it and an info
// line (with its duration) after it; a nil half stays nil.
func logged(log *zap.Logger, verb, name string, f func(context.Context) error) func(context.Context) error {
	if f == nil {
		return nil
	}
	return func(ctx context.Context) error {
		log.Debug(verb+" stage", zap.String("stage", name))
		begun := time.Now()
		if err := f(ctx); err != nil {
			return fmt.Errorf("%s %s: %w", verb, name, err)
		}
		log.Info(verb+" stage done", zap.String("stage", name), zap.Duration("took", time.Since(begun)))
		return nil
	}
}

// noCtx adapts a method that needs no context (a Close, a Start that may
// fail) to a start or stop hook.
func noCtx(f func() error) func(context.Context) error {
	return func(context.Context) error { return f() }
}

// infallible adapts a method that needs no context and cannot fail to a
// start or stop hook.
func infallible(f func()) func(context.Context) error {
	return func(context.Context) error { f(); return nil }
}
