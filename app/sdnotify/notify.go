// Package sdnotify tells systemd about the daemon's life over the
// sd_notify(3) protocol: READY=1 once the consumer has joined its group,
// WATCHDOG=1 while it is healthy, STOPPING=1 when shutdown begins. It needs
// nothing beyond the standard library; without NOTIFY_SOCKET it does nothing.
package sdnotify

import (
	"fmt"
	"net"
	"os"
)

// States sent to systemd; see sd_notify(3).
const (
	StateReady    = "READY=1"
	StateStopping = "STOPPING=1"
	StateWatchdog = "WATCHDOG=1"
)

// Notifier sends datagrams to the service manager's notification socket. A
// nil Notifier, or one with an empty socket path, sends nothing. It is safe
// for concurrent use.
type Notifier struct {
	addr *net.UnixAddr
}

// New returns a Notifier for socketPath: a filesystem path, or an abstract
// socket name with a leading '@'. An empty path gives a Notifier that sends
// nothing.
func New(socketPath string) *Notifier {
	if socketPath == "" {
		return &Notifier{}
	}
	// net maps a leading '@' to Linux's abstract namespace.
	return &Notifier{addr: &net.UnixAddr{Name: socketPath, Net: "unixgram"}}
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET, which systemd sets for
// Type=notify services.
func FromEnv() *Notifier { return New(os.Getenv("NOTIFY_SOCKET")) }

// Enabled reports whether the Notifier has a socket to send to.
func (n *Notifier) Enabled() bool { return n != nil && n.addr != nil }

// Notify sends state, one or more newline-separated VAR=value assignments,
// as one datagram. It does nothing when the Notifier is not Enabled.
func (n *Notifier) Notify(state string) error {
	if !n.Enabled() {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify %s: %w", n.addr.Name, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: write %q: %w", n.addr.Name, state, err)
	}
	return nil
}

// Ready tells systemd that start-up is finished.
func (n *Notifier) Ready() error { return n.Notify(StateReady) }

// Stopping tells systemd that a graceful stop has begun.
func (n *Notifier) Stopping() error { return n.Notify(StateStopping) }

// Watchdog keeps the service's watchdog timer from firing.
func (n *Notifier) Watchdog() error { return n.Notify(StateWatchdog) }

// Status sets the free-form status line `systemctl status` shows.
func (n *Notifier) Status(s string) error { return n.Notify("STATUS=" + s) }
