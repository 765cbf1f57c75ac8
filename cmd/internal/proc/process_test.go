package proc_test

import (
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/cmd/internal/proc"
)

// childEnv makes this test binary act as a stand-in for dispatchd, so the
// harness is tested without building and starting the real one.
const childEnv = "PROC_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "serve":
		serve(false)
	case "serve_ignoring_sigterm":
		serve(true)
	case "exit_3":
		os.Stderr.WriteString("bad config\n")
		os.Exit(3)
	}
}

// serve answers /readyz on DISPATCHD_HTTP_ADDR, as dispatchd does, and
// exits 0 on SIGTERM unless told to ignore it.
func serve(ignoreTerm bool) {
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	http.HandleFunc("/readyz", func(http.ResponseWriter, *http.Request) {})
	go func() { _ = http.ListenAndServe(os.Getenv("DISPATCHD_HTTP_ADDR"), nil) }()
	os.Stderr.WriteString("serving\n")
	for range terms {
		if !ignoreTerm {
			os.Exit(0)
		}
	}
}

func start(t *testing.T, child string) *proc.Process {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+child)
	p, err := proc.Start(child, cmd)
	require.NoError(t, err)
	t.Cleanup(p.Kill)
	return p
}

func TestProcess_ready_then_exits_0_on_SIGTERM(t *testing.T) {
	p := start(t, "serve")
	require.NoError(t, p.WaitReady(t.Context()))
	require.Equal(t, -1, p.ExitCode(), "still running")
	require.True(t, p.ExitedAt().IsZero())

	signalled := time.Now()
	require.NoError(t, p.Signal(syscall.SIGTERM))
	require.NoError(t, p.Wait(10*time.Second))
	require.Equal(t, 0, p.ExitCode())
	require.False(t, p.ExitedAt().Before(signalled))
	require.Contains(t, p.Log(), "serving")
}

func TestProcess_exit_before_ready_is_an_error_with_its_code(t *testing.T) {
	p := start(t, "exit_3")
	require.EqualError(t, p.WaitReady(t.Context()), "exit_3 exited with code 3 before it was ready")
	require.Equal(t, 3, p.ExitCode())
	require.Contains(t, p.Log(), "bad config")
}

func TestProcess_wait_gives_up_and_kill_ends_it(t *testing.T) {
	p := start(t, "serve_ignoring_sigterm")
	require.NoError(t, p.WaitReady(t.Context()))
	require.NoError(t, p.Signal(syscall.SIGTERM))
	require.EqualError(t, p.Wait(300*time.Millisecond), "serve_ignoring_sigterm did not exit within 300ms")
	p.Kill()
	<-p.Done()
	require.Equal(t, -1, p.ExitCode(), "ended by a signal")
}

func TestFreeAddr_is_a_loopback_port_nothing_listens_on(t *testing.T) {
	addr, err := proc.FreeAddr()
	require.NoError(t, err)
	_, err = http.Get("http://" + addr + "/")
	require.Error(t, err)
}
