package sdnotify_test

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// failAfter bounds a blocking read so a missing datagram fails the test
// instead of hanging it; it is never what a test asserts on.
const failAfter = 60 * time.Second

// sink is a notification socket the test owns, standing in for systemd.
type sink struct {
	conn *net.UnixConn
	addr string
}

// listen binds a unixgram socket in a fresh temporary directory.
func listen(t *testing.T) *sink {
	t.Helper()
	return listenAt(t, filepath.Join(t.TempDir(), "notify.sock"))
}

// listenAt binds a unixgram socket at addr; a leading '@' is abstract.
func listenAt(t *testing.T, addr string) *sink {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &sink{conn: conn, addr: addr}
}

// next blocks for the next datagram.
func (s *sink) next(t *testing.T) string {
	t.Helper()
	require.NoError(t, s.conn.SetReadDeadline(time.Now().Add(failAfter)))
	buf := make([]byte, 4096)
	n, err := s.conn.Read(buf)
	require.NoError(t, err, "no datagram")
	return string(buf[:n])
}

// until reads datagrams until want arrives and returns those before it.
func (s *sink) until(t *testing.T, want string) []string {
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
func (s *sink) pending(t *testing.T) []string {
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

// abstractName is an abstract socket name unique to t.
func abstractName(t *testing.T) string {
	return "@dispatchd-test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000000000")
}
