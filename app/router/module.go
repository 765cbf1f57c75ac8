package router

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
)

// Module provides the router and runs it for the life of the app.
var Module = fx.Module("router",
	fx.Provide(newFromGraph),
	fx.Invoke(Run),
)

// Run starts the router when the app starts and closes it, draining
// in-flight messages, when the app stops. If the router ends on its own, the
// app is shut down with exit code 1 rather than left half-alive.
func Run(lc fx.Lifecycle, r *message.Router, sd fx.Shutdowner, log *zap.Logger) {
	log = log.Named("router")
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			failed := make(chan error, 1)
			go func() {
				err := r.Run(context.Background())
				if err != nil {
					failed <- err
				}
				if !r.IsClosed() {
					log.Error("router stopped on its own; shutting down", zap.Error(err))
					_ = sd.Shutdown(fx.ExitCode(1))
				}
			}()
			select {
			case <-r.Running():
				log.Info("router running")
				return nil
			case err := <-failed:
				return fmt.Errorf("start router: %w", err)
			case <-ctx.Done():
				return fmt.Errorf("start router: %w", ctx.Err())
			}
		},
		OnStop: func(context.Context) error {
			log.Info("closing router: draining in-flight messages, then leaving the group")
			if err := r.Close(); err != nil {
				return fmt.Errorf("close router: %w", err)
			}
			log.Info("router closed")
			return nil
		},
	})
}

// newFromGraph adapts New to the graph's types.
func newFromGraph(cfg config.Config, sub message.Subscriber, pub message.Publisher, reg *handlers.Registry,
	m *telemetry.Metrics, log *zap.Logger, wl watermill.LoggerAdapter) (*message.Router, error) {
	return New(Params{Config: cfg, Subscriber: sub, Publisher: pub, Registry: reg, Metrics: m, Logger: log, Watermill: wl})
}
