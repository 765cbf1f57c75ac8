package main_test

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/cmd/internal/proc"
)

// built is cmd/dispatchd, built once per test run: the tests drive the real
// program, signals and exit codes included.
var built proc.Binary

func TestMain(m *testing.M) {
	code := m.Run()
	_ = built.Remove()
	os.Exit(code)
}

// binary is the built binary's path.
func binary(t *testing.T) string {
	t.Helper()
	path, err := built.Path()
	require.NoError(t, err)
	return path
}

// command runs the built binary with args and env added to this process's
// environment.
func command(t *testing.T, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// start starts cmd as dispatchd, kills it at cleanup if it still runs, and
// shows its output if the test failed.
func start(t *testing.T, cmd *exec.Cmd) *proc.Process {
	t.Helper()
	p, err := proc.Start("dispatchd", cmd)
	require.NoError(t, err)
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("dispatchd output:\n%s", p.Log())
		}
	})
	return p
}

// waitReady waits for p's /readyz and returns how long it took since began.
func waitReady(t *testing.T, p *proc.Process, began time.Time) time.Duration {
	t.Helper()
	require.NoError(t, p.WaitReady(t.Context()))
	return time.Since(began)
}

// term sends SIGTERM and returns the exit code and how long the exit took.
func term(t *testing.T, p *proc.Process) (int, time.Duration) {
	t.Helper()
	began := time.Now()
	require.NoError(t, p.Signal(syscall.SIGTERM))
	require.NoError(t, p.Wait(60*time.Second), "dispatchd did not exit after SIGTERM")
	return p.ExitCode(), p.ExitedAt().Sub(began)
}
