package sdnotify

import (
	"fmt"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
)

// Module provides the Agent that reports to systemd: the Notifier from
// NOTIFY_SOCKET, the watchdog interval from WATCHDOG_USEC, and the
// Health the graph provides. app starts it last and stops it first, so
// STOPPING=1 is the first thing systemd hears of a shutdown.
var Module = fx.Module("sdnotify",
	fx.Provide(
		FromEnv,
		newAgent,
	),
)

func newAgent(n *Notifier, s *kafka.GroupState, h Health, log *zap.Logger) (*Agent, error) {
	every, err := WatchdogInterval()
	if err != nil {
		return nil, fmt.Errorf("systemd watchdog: %w", err)
	}
	log = log.Named("sdnotify")
	if n.Enabled() {
		log.Info("reporting to systemd", zap.Duration("watchdog_ping", every))
	}
	return NewAgent(AgentConfig{Notifier: n, Joined: s, Health: h, Watchdog: every, Log: log}), nil
}
