package handoff

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

// replica is one dispatchd process. Its log is read while it runs, so it is
// captured under a lock.
type replica struct {
	name   string
	cmd    *exec.Cmd
	http   string
	log    *lockedBuffer
	exited chan struct{}
	exitAt time.Time // set before exited closes
}

// startReplica starts replica name with its HTTP server on a free port.
func startReplica(o Options, name string) (*replica, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r := &replica{name: name, http: addr, log: &lockedBuffer{}, exited: make(chan struct{})}
	r.cmd = o.Command(name)
	r.cmd.Env = append(os.Environ(), append(o.env(name), "DISPATCHD_HTTP_ADDR="+addr)...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = r.cmd.Wait()
		r.exitAt = time.Now()
		close(r.exited)
	}()
	return r, nil
}

// signal sends sig and waits up to within for the process to exit.
func (r *replica) signal(sig os.Signal, within time.Duration) error {
	if err := r.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal %s: %w", r.name, err)
	}
	select {
	case <-r.exited:
		return nil
	case <-time.After(within):
		return fmt.Errorf("%s did not exit within %s of %s", r.name, within, sig)
	}
}

// kill ends the process if it still runs, and waits for it.
func (r *replica) kill() {
	select {
	case <-r.exited:
	default:
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// waitReady waits until the replica's /readyz answers 200, or it exits.
func (r *replica) waitReady(ctx context.Context) error {
	err := waitFor(ctx, 60*time.Second, 20*time.Millisecond, func() bool {
		select {
		case <-r.exited:
			return true
		default:
		}
		resp, err := httpClient.Get("http://" + r.http + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode == http.StatusOK
	})
	select {
	case <-r.exited:
		return fmt.Errorf("%s exited with code %d before it was ready", r.name, r.cmd.ProcessState.ExitCode())
	default:
	}
	if err != nil {
		return fmt.Errorf("%s never ready: %w", r.name, err)
	}
	return nil
}

// httpClient is bounded, so a replica that hangs cannot hang the harness.
var httpClient = &http.Client{Timeout: 5 * time.Second}

func freeAddr() (string, error) {
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

// waitFor polls cond every interval until it holds, within passes, or ctx
// ends.
func waitFor(ctx context.Context, within, every time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up after %s: %w", within, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// pause sleeps d, or less if ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
