package sdnotify_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBinary_reports_ready_watchdog_and_stopping_to_systemd runs the real
// dispatchd, `dev` on its embedded broker, as systemd would run a
// Type=notify unit with WatchdogSec, and plays systemd's side of the socket.
func TestBinary_reports_ready_watchdog_and_stopping_to_systemd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "dispatchd")
	out, err := exec.Command("go", "build", "-o", bin, "dispatchd/cmd/dispatchd").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)

	s := listen(t)
	cmd := exec.Command(bin, "dev")
	cmd.Env = append(cleanEnv(),
		"DISPATCHD_KAFKA_BROKERS="+freeAddr(t),
		"DISPATCHD_HTTP_ADDR="+freeAddr(t),
		"NOTIFY_SOCKET="+s.addr,
		"WATCHDOG_USEC=200000",
	)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("dispatchd output:\n%s", logs.String())
		}
	})

	require.Empty(t, s.until(t, "READY=1"), "nothing before READY=1")
	require.Equal(t, "WATCHDOG=1", s.next(t))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	for _, d := range s.until(t, "STOPPING=1") {
		require.Equal(t, "WATCHDOG=1", d)
	}
	err = cmd.Wait()
	require.NoError(t, err, "exit after SIGTERM")
	require.Equal(t, 0, cmd.ProcessState.ExitCode())
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

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
