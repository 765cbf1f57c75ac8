// Package proc runs the dispatchd binary as an OS process, for the tests
// and tools that need the real program: it builds the binary once, starts
// it with its HTTP server on a free port, waits for /readyz, signals it,
// reaps it with its exit code and keeps its output.
package proc

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Process is one started dispatchd. Its output is read while it runs, so
// it is captured under a lock.
type Process struct {
	// Name labels the process in errors.
	Name string
	// Addr is its HTTP server's address, host:port.
	Addr string

	cmd    *exec.Cmd
	log    lockedBuffer
	done   chan struct{}
	exitAt time.Time // set before done closes
}

// Start starts cmd as the process called name, with DISPATCHD_HTTP_ADDR set
// to a free loopback port after cmd.Env (this process's environment when
// cmd.Env is nil) and its stdout and stderr captured. The process is reaped
// as soon as it exits; Kill makes sure it does.
func Start(name string, cmd *exec.Cmd) (*Process, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	return StartAt(name, cmd, addr)
}

// StartAt is Start with the HTTP server on addr: for a process in another
// network namespace, whose loopback the caller cannot reach.
func StartAt(name string, cmd *exec.Cmd, addr string) (*Process, error) {
	p := &Process{Name: name, Addr: addr, cmd: cmd, done: make(chan struct{})}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "DISPATCHD_HTTP_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = &p.log, &p.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = cmd.Wait()
		p.exitAt = time.Now()
		close(p.done)
	}()
	return p, nil
}

// Signal sends sig; Wait waits for the exit it may cause.
func (p *Process) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal %s: %w", p.Name, err)
	}
	return nil
}

// Wait waits up to within for the process to exit.
func (p *Process) Wait(within time.Duration) error {
	select {
	case <-p.done:
		return nil
	case <-time.After(within):
		return fmt.Errorf("%s did not exit within %s", p.Name, within)
	}
}

// Kill ends the process if it still runs, and waits for it.
func (p *Process) Kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Done is closed once the process has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitCode is the process's exit code: -1 while it runs or when a signal
// ended it.
func (p *Process) ExitCode() int {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

// ExitedAt is when the process was seen to exit, the zero time while it
// runs.
func (p *Process) ExitedAt() time.Time {
	select {
	case <-p.done:
		return p.exitAt
	default:
		return time.Time{}
	}
}

// Log is everything the process wrote to stdout and stderr so far.
func (p *Process) Log() string { return p.log.String() }

// FreeAddr returns a loopback address nothing listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
