package sdnotify

// Health is what the watchdog reports on: WATCHDOG=1 is sent only while
// Healthy is true, so systemd restarts a daemon that stays unhealthy for
// longer than WatchdogSec.
type Health interface {
	// Healthy reports whether the daemon is doing its work.
	Healthy() bool
}

// Membership is what READY=1 waits for.
type Membership interface {
	// Joined reports whether the consumer has joined its group.
	Joined() bool
}

// GroupMembership is the part of *kafka.GroupState that GroupHealth reads.
type GroupMembership interface {
	Membership
	// Stopping reports whether shutdown has begun.
	Stopping() bool
}

// GroupHealth adapts the consumer's group state to Health: healthy while the
// member is in its group, and while it drains at shutdown. A member that lost
// its group (brokers gone) is unhealthy until it rejoins.
func GroupHealth(s GroupMembership) Health { return groupHealth{s} }

type groupHealth struct{ s GroupMembership }

func (g groupHealth) Healthy() bool { return g.s.Joined() || g.s.Stopping() }
