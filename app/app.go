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
		fx.Provide(newStableLag),
		fx.Provide(func(m *telemetry.Metrics, p *kafka.Progress, sl *kafka.StableLag) kafka.Observer {
			m.RegisterCommitAges(p.CommitAges)
			m.RegisterOldestAges(p.OldestAges)
			if sl == nil {
				return kafka.Observers{m, p}
			}
			m.LagFromStableOffsets()
			return kafka.Observers{sl, m, p} // sl first: see StableLag.ClaimEnded
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

// newStableLag measures the lag to the last stable offset under
// read_committed; under read_uncommitted there is none (nil), and the lag
// is measured to the high-water mark.
func newStableLag(cfg config.Config, sc *sarama.Config, m *telemetry.Metrics, log *zap.Logger) *kafka.StableLag {
	if cfg.Consumer.IsolationLevel != "read_committed" {
		return nil
	}
	return kafka.NewStableLag(cfg.Kafka.Brokers, sc, cfg.Consumer.StableOffsetInterval, m.SetLag, log.Named("lag"))
}
