package sdnotify

// Health is what the watchdog reports on: WATCHDOG=1 is sent only while
// Healthy is true, so systemd restarts a daemon that stays unhealthy for
// longer than WatchdogSec. In the daemon it is *kafka.Progress, the same
// progress check /healthz answers with.
type Health interface {
	// Healthy reports whether the daemon is doing its work.
	Healthy() bool
}

// Membership is what READY=1 waits for.
type Membership interface {
	// Joined reports whether the consumer has joined its group.
	Joined() bool
}
