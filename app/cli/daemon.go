package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app"
	"dispatchd/app/devbroker"
	"dispatchd/app/logging"
	"dispatchd/config"
)

func runCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon against the configured Kafka cluster (the default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// loadClient also reads the secret, CA and certificate files, so
			// one that is missing is a config error (exit 2), like a typo.
			cfg, _, err := loadClient(cmd)
			if err != nil {
				return err
			}
			return serve(cfg, nil)
		},
	}
}

func devCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "Start an embedded Kafka broker on the first kafka.brokers address and run the daemon on it",
		Long: `dev starts franz-go's in-process kfake broker listening on the first address of
kafka.brokers (default 127.0.0.1:9092), creates the topics (the input topic with
at least 8 partitions), and runs the same daemon as "run" against it. Everything
the broker holds is lost when dev stops. Unless the config file, the environment
or a flag says otherwise, logs are in the console format and POST /v1/messages
is on (http.send.enabled).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadOver(cmd, DevDefaults())
			if err != nil {
				return err
			}
			log, err := logging.New(cfg.Log)
			if err != nil {
				return usageErr(err)
			}
			b, err := devbroker.Start(cfg.Kafka.Brokers[0], DevTopics(cfg), log.Named("devbroker"))
			if err != nil {
				return err
			}
			defer b.Close()
			cfg.Kafka.Brokers = []string{b.Addr()}
			return serve(cfg, nil)
		},
	}
}

// DevDefaults are what dev starts from: the defaults, with the send
// endpoint on for trying dispatchd with curl, and console logs.
func DevDefaults() config.Config {
	cfg := config.Default()
	cfg.HTTP.Send.Enabled = true
	cfg.Log.Format = "console"
	return cfg
}

// DevTopics are the topics the embedded broker starts with.
func DevTopics(cfg config.Config) []devbroker.Topic {
	t := cfg.Topics
	return []devbroker.Topic{
		{Name: t.Input, Partitions: max(t.Partitions, devbroker.MinInputPartitions)},
		{Name: t.Output, Partitions: t.Partitions},
		{Name: t.DeadLetter, Partitions: t.Partitions},
	}
}

// serve runs the daemon until SIGTERM or SIGINT, then stops it within
// shutdown.timeout. A second signal forces the exit. extra options are for
// tests.
func serve(cfg config.Config, extra fx.Option) error {
	var log *zap.Logger
	opts := []fx.Option{app.Options(cfg, buildInfo()), fx.Populate(&log)}
	if extra != nil {
		opts = append(opts, extra)
	}
	a := fx.New(opts...)
	if err := a.Err(); err != nil {
		// dig's error names every constructor between the one that failed
		// and the root; the failure is the news.
		return fmt.Errorf("build daemon: %w", dig.RootCause(err))
	}
	// fx listens for signals only once it runs; until then a signal cancels
	// the start-up, which waits up to kafka.connect_timeout for the brokers.
	signalled, stopListening := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stopListening()
	startCtx, cancel := context.WithTimeout(signalled, cfg.Kafka.ConnectTimeout+fx.DefaultTimeout)
	defer cancel()
	if err := a.Start(startCtx); err != nil {
		if signalled.Err() != nil {
			log.Info("signal received during start-up: stopped before running")
			return nil
		}
		return err // "start <stage>: <cause>", one line
	}
	waiting := a.Wait() // fx listens from here
	early := signalled.Err() != nil
	stopListening() // which also cancels signalled
	sd := fx.ShutdownSignal{Signal: syscall.SIGTERM}
	if !early { // a signal that came before fx listened is already here
		sd = <-waiting // SIGINT, SIGTERM, or fx.Shutdowner
	}
	// From here a second signal forces the exit.
	again := make(chan os.Signal, 1)
	signal.Notify(again, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(again)
	if sd.Signal != nil {
		log.Info("signal received: shutting down; send it again to force", zap.Stringer("signal", sd.Signal),
			zap.Duration("timeout", cfg.Shutdown.Timeout))
	}
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown.Timeout)
		defer cancel()
		stopped <- a.Stop(ctx)
	}()
	select {
	case err := <-stopped:
		if err != nil {
			return fmt.Errorf("stop: %w", err)
		}
	case sig := <-again:
		return &exitError{code: ExitForced, err: fmt.Errorf("%s received again: forced exit before the drain finished", sig)}
	}
	log.Info("stopped cleanly")
	if sd.ExitCode != 0 {
		return &exitError{code: sd.ExitCode, err: fmt.Errorf("daemon stopped on its own (exit code %d)", sd.ExitCode)}
	}
	return nil
}
