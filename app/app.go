// Package app assembles the dispatchd daemon from its fx modules. Each
// concern lives in its own subpackage with one module.go; this file lists
// them, and lifecycle.go fixes the order of start and stop.
package app

import (
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/logging"
	"dispatchd/app/router"
	"dispatchd/app/sdnotify"
	"dispatchd/app/telemetry"
	"dispatchd/app/tracing"
	"dispatchd/config"
	"dispatchd/handlers"
)

// stopSlack is what fx's stop budget adds to shutdown.timeout, so the
// router's own bounded close reports its error instead of fx cutting it off.
const stopSlack = 2 * time.Second

// Options is the whole daemon for cfg: the modules provide the parts, and
// register (lifecycle.go) orders their start and stop.
func Options(cfg config.Config, build telemetry.BuildInfo) fx.Option {
	return fx.Options(
		fx.Supply(cfg, build),
		fx.Error(cfg.Validate()),
		fx.Invoke(applyGCPercent),
		fx.WithLogger(logging.FxLogger),
		fx.StopTimeout(cfg.Shutdown.Timeout+stopSlack),
		fx.Provide(handlers.Default),
		fx.Provide(func(c config.Config) *kafka.Progress { return kafka.NewProgress(c.Health.StallTimeout) }),
		fx.Provide(func(p *kafka.Progress, ps *router.Pauses) (httpapi.Health, sdnotify.Health) {
			h := health{progress: p, pauses: ps}
			return h, h
		}),
		fx.Provide(newLag),
		fx.Provide(func(m *telemetry.Metrics, p *kafka.Progress, lag *kafka.Lag) kafka.Observer {
			m.RegisterCommitAges(p.CommitAges)
			m.RegisterOldestAges(p.OldestAges)
			return kafka.Observers{lag, m, p} // lag first: see Lag.ClaimEnded
		}),
		logging.Module,
		telemetry.Module,
		tracing.Module,
		kafka.Module,
		httpapi.Module,
		router.Module,
		sdnotify.Module,
		fx.Invoke(register),
	)
}

// newLag measures each owned partition's lag into the lag gauge: to the
// last stable offset under read_committed, to the high-water mark under
// read_uncommitted (sc's isolation level says which).
func newLag(cfg config.Config, sc *sarama.Config, m *telemetry.Metrics, log *zap.Logger) *kafka.Lag {
	return kafka.NewLag(cfg.Kafka.Brokers, sc, cfg.Consumer.StableOffsetInterval, m.SetLag, log.Named("lag"))
}
