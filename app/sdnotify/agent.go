package sdnotify

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// DefaultPoll is how often the Agent checks for the group join.
const DefaultPoll = 50 * time.Millisecond

// AgentConfig is what an Agent reports and how often.
type AgentConfig struct {
	// Notifier sends the datagrams; when it is not Enabled the Agent does nothing.
	Notifier *Notifier
	// Joined gates READY=1.
	Joined Membership
	// Health gates each WATCHDOG=1.
	Health Health
	// Watchdog is the ping interval (see WatchdogInterval); 0 sends no pings.
	Watchdog time.Duration
	// Poll is how often Joined is checked; DefaultPoll when 0.
	Poll time.Duration
	// Log gets the send failures; a failed datagram never stops the daemon.
	Log *zap.Logger
}

// Agent sends READY=1 once the consumer has joined its group, then WATCHDOG=1
// every Watchdog interval while Health says healthy, and STOPPING=1 on Stop.
type Agent struct {
	cfg    AgentConfig
	cancel context.CancelFunc
	done   chan struct{}
}

// NewAgent returns an Agent for cfg; it starts nothing.
func NewAgent(cfg AgentConfig) *Agent {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	return &Agent{cfg: cfg}
}

// Start launches the reporting goroutine and returns at once. It does
// nothing when the Notifier is not Enabled.
func (a *Agent) Start() {
	if !a.cfg.Notifier.Enabled() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		a.run(ctx)
	}()
}

// Stop ends the reporting goroutine, waits for it, and sends STOPPING=1.
func (a *Agent) Stop() {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
	a.send(StateStopping)
}

func (a *Agent) run(ctx context.Context) {
	poll := time.NewTicker(a.cfg.Poll)
	for !a.cfg.Joined.Joined() {
		select {
		case <-ctx.Done():
			poll.Stop()
			return
		case <-poll.C:
		}
	}
	poll.Stop()
	a.send(StateReady)
	if a.cfg.Watchdog <= 0 {
		return
	}
	ping := time.NewTicker(a.cfg.Watchdog)
	defer ping.Stop()
	for {
		if a.cfg.Health.Healthy() {
			a.send(StateWatchdog)
		}
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
		}
	}
}

func (a *Agent) send(state string) {
	if !a.cfg.Notifier.Enabled() {
		return
	}
	if err := a.cfg.Notifier.Notify(state); err != nil {
		a.cfg.Log.Warn("systemd notification failed", zap.Error(err))
		return
	}
	// READY and STOPPING are stages of the daemon's life, logged like the
	// others; a watchdog ping every few seconds is not.
	if state == StateWatchdog {
		a.cfg.Log.Debug("systemd notified", zap.String("state", state))
		return
	}
	a.cfg.Log.Info("systemd notified", zap.String("state", state))
}
