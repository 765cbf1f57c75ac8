// Package app assembles the dispatchd daemon from its fx modules. Each
// concern lives in its own subpackage with one module.go; this file only
// lists them and fixes the order of start and stop.
package app

import (
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/logging"
	"dispatchd/app/router"
	"dispatchd/app/sdnotify"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
)

// stopSlack is what fx's stop budget adds to shutdown.timeout, so the
// router's own bounded close reports its error instead of fx cutting it off.
const stopSlack = 2 * time.Second

// Options is the whole daemon for cfg. Start order: topics, HTTP (so
// /healthz answers while the group is joined), then the router, then the
// systemd notifier (READY=1 once joined). Stop order is the reverse:
// STOPPING=1 to systemd, /readyz says 503, the router drains and leaves the
// group, HTTP stops, and the producer closes last.
func Options(cfg config.Config, build telemetry.BuildInfo) fx.Option {
	return fx.Options(
		fx.Supply(cfg, build),
		fx.Error(cfg.Validate()),
		fx.WithLogger(logging.FxLogger),
		fx.StopTimeout(cfg.Shutdown.Timeout+stopSlack),
		fx.Provide(handlers.Default),
		fx.Provide(func(c config.Config) *kafka.Progress { return kafka.NewProgress(c.Health.StallTimeout) }),
		fx.Provide(func(m *telemetry.Metrics, p *kafka.Progress) kafka.Observer {
			m.RegisterCommitAges(p.CommitAges)
			return kafka.Observers{m, p}
		}),
		logging.Module,
		telemetry.Module,
		kafka.Module,
		httpapi.Module,
		router.Module,
		sdnotify.Module,
		fx.Invoke(stopReadinessFirst),
		// fx runs every module's invokes before these top-level ones, so
		// this is the last start hook and its STOPPING=1 the first stop hook.
		fx.Invoke(sdnotify.Run),
	)
}

// stopReadinessFirst registers the last start hook, so its stop hook runs
// first: from the moment shutdown begins, /readyz answers 503.
func stopReadinessFirst(lc fx.Lifecycle, state *kafka.GroupState, log *zap.Logger) {
	lc.Append(fx.StopHook(func() {
		log.Info("shutdown begins: readiness off")
		state.SetStopping()
	}))
}
