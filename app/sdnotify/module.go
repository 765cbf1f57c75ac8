package sdnotify

import (
	"fmt"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
)

// Module provides the Agent that reports to systemd: the Notifier from
// NOTIFY_SOCKET, the watchdog interval from WATCHDOG_USEC, and the
// consumer's progress as Health. It registers no hook: app.Options invokes
// Run as its very last option, because fx runs every module's invokes before
// the root's, and runs stop hooks in reverse, so only a root invoke listed
// last stops first.
var Module = fx.Module("sdnotify",
	fx.Provide(
		FromEnv,
		func(p *kafka.Progress) Health { return p },
		newAgent,
	),
)

// Run starts the Agent with the app and, on stop, sends STOPPING=1 before
// any other stop hook runs, provided it is the last hook registered.
func Run(lc fx.Lifecycle, a *Agent) {
	lc.Append(fx.StartStopHook(a.Start, a.Stop))
}

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
