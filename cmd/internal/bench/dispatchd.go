package bench

import (
	"context"
	"flag"
	"os"
	"time"

	"go.uber.org/fx"

	"dispatchd/app"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// Options tune the dispatchd contender. The zero value runs the daemon as
// the environment configures it, with the no-op handler.
type Options struct {
	// Ordering, when set, overrides consumer.ordering: partition or key.
	Ordering string
	// HandlerSleep, when set, makes the handler wait this long before it
	// echoes, as a handler that waits on I/O would.
	HandlerSleep time.Duration
}

// Bind makes o's fields flags of the contender command.
func (o *Options) Bind(fs *flag.FlagSet) {
	fs.StringVar(&o.Ordering, "ordering", "", "dispatchd's consumer.ordering, partition or key (default: the config's)")
	fs.DurationVar(&o.HandlerSleep, "handler-sleep", 0, "dispatchd's handler waits this long before it echoes")
}

// args is o as flags of the contender command, the inverse of Bind.
func (o Options) args() []string {
	var a []string
	if o.Ordering != "" {
		a = append(a, "--ordering", o.Ordering)
	}
	if o.HandlerSleep > 0 {
		a = append(a, "--handler-sleep", o.HandlerSleep.String())
	}
	return a
}

// daemonConfig is dispatchd's config as `dispatchd run` would load it from
// the environment (DISPATCHD_* may tune it), aimed at t, with o applied.
// The bench process calls it too, to know what its contender runs with.
func daemonConfig(t Target, o Options) (config.Config, error) {
	cfg, err := config.Load("", os.Environ(), nil)
	if err != nil {
		return cfg, err
	}
	cfg.Kafka.Brokers = t.Brokers
	cfg.Consumer.Group = t.Group
	if o.Ordering != "" {
		cfg.Consumer.Ordering = o.Ordering
	}
	cfg.Topics.Input, cfg.Topics.Output, cfg.Topics.DeadLetter = t.Input, t.Output, t.DeadLetter()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "warn"
	return cfg, cfg.Validate()
}

// Noop is the no-op handler every contender runs: it echoes the value.
var Noop = handlers.Func{HandlerName: "bench-noop",
	Fn: func(_ context.Context, in messages.Envelope) (messages.Result, error) {
		return messages.Result{Type: ResultType, Payload: in.Payload}, nil
	}}

// Sleeper is Noop after a wait of d that ends early, with ctx's error, when
// ctx does: a stand-in for a handler that calls a slow service.
func Sleeper(d time.Duration) handlers.Handler {
	return handlers.Func{HandlerName: "bench-sleep",
		Fn: func(ctx context.Context, in messages.Envelope) (messages.Result, error) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return messages.Result{}, ctx.Err()
			}
			return Noop.Handle(ctx, in)
		}}
}

// runDispatchd runs dispatchd's own modules, as `dispatchd run` wires them,
// with the no-op handler (or Sleeper, as o says) registered for the input's
// type.
func runDispatchd(ctx context.Context, t Target, o Options) error {
	cfg, err := daemonConfig(t, o)
	if err != nil {
		return err
	}
	var h handlers.Handler = Noop
	if o.HandlerSleep > 0 {
		h = Sleeper(o.HandlerSleep)
	}
	a := fx.New(app.Options(cfg, telemetry.BuildInfo{Version: "bench", Commit: "bench"}),
		fx.Decorate(func(*handlers.Registry) *handlers.Registry {
			return handlers.NewRegistry().MustRegister(NoopType, h)
		}),
	)
	if err := a.Start(context.Background()); err != nil {
		return err
	}
	<-ctx.Done()
	return a.Stop(context.Background())
}
