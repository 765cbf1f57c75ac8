package main_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/cmd/internal/proc"
)

// TestBinary_reports_ready_watchdog_and_stopping_to_systemd runs the real
// dispatchd, `dev` on its embedded broker, as systemd would run a
// Type=notify unit with WatchdogSec, and plays systemd's side of the socket.
func TestBinary_reports_ready_watchdog_and_stopping_to_systemd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	broker, err := proc.FreeAddr()
	require.NoError(t, err)
	s := listenNotify(t)
	cmd := command(t, nil, "dev")
	cmd.Env = append(cleanEnv(),
		"DISPATCHD_KAFKA_BROKERS="+broker,
		"NOTIFY_SOCKET="+s.addr,
		"WATCHDOG_USEC=200000",
	)
	p := start(t, cmd)

	require.Empty(t, s.until(t, "READY=1"), "nothing before READY=1")
	require.Equal(t, "WATCHDOG=1", s.next(t))
	require.NoError(t, p.Signal(syscall.SIGTERM))
	for _, d := range s.until(t, "STOPPING=1") {
		require.Equal(t, "WATCHDOG=1", d)
	}
	require.NoError(t, p.Wait(60*time.Second), "exit after SIGTERM")
	require.Equal(t, 0, p.ExitCode())
	require.Empty(t, s.pending(t), "nothing after STOPPING=1")
}

// cleanEnv is this process's environment without anything that would steer
// the child: no systemd notify or watchdog variables, no DISPATCHD_* settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "NOTIFY_SOCKET" || strings.HasPrefix(name, "WATCHDOG_") || strings.HasPrefix(name, "DISPATCHD_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// notifySink is a notification socket the test owns, standing in for
// systemd. app/sdnotify's unit tests have their own: a cmd/internal helper
// cannot be imported from app/, and app/ holds no test-only package but
// the broker's.
type notifySink struct {
	conn *net.UnixConn
	addr string
}

// listenNotify binds a unixgram socket in a fresh temporary directory.
func listenNotify(t *testing.T) *notifySink {
	t.Helper()
	addr := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &notifySink{conn: conn, addr: addr}
}

// next blocks for the next datagram; the deadline only turns a missing
// datagram into a failure instead of a hang.
func (s *notifySink) next(t *testing.T) string {
	t.Helper()
	require.NoError(t, s.conn.SetReadDeadline(time.Now().Add(60*time.Second)))
	buf := make([]byte, 4096)
	n, err := s.conn.Read(buf)
	require.NoError(t, err, "no datagram")
	return string(buf[:n])
}

// until reads datagrams until want arrives and returns those before it.
func (s *notifySink) until(t *testing.T, want string) []string {
	t.Helper()
	var before []string
	for {
		got := s.next(t)
		if got == want {
			return before
		}
		before = append(before, got)
	}
}

// pending returns the datagrams already queued, without waiting: every send
// is synchronous, so once the sender returned its datagram is here.
func (s *notifySink) pending(t *testing.T) []string {
	t.Helper()
	raw, err := s.conn.SyscallConn()
	require.NoError(t, err)
	var out []string
	buf := make([]byte, 4096)
	for {
		var n int
		var rerr error
		require.NoError(t, raw.Read(func(fd uintptr) bool {
			n, _, rerr = syscall.Recvfrom(int(fd), buf, syscall.MSG_DONTWAIT)
			return true
		}))
		if errors.Is(rerr, syscall.EAGAIN) {
			return out
		}
		require.NoError(t, rerr)
		out = append(out, string(buf[:n]))
	}
}
