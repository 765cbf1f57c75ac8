package proc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// readyWithin bounds the wait for /readyz: start-up includes joining the
// consumer group, which takes seconds on a busy machine.
const readyWithin = 60 * time.Second

// WaitReady waits until the process's /readyz answers 200, and fails at
// once if the process exits first.
func (p *Process) WaitReady(ctx context.Context) error {
	err := WaitFor(ctx, readyWithin, 20*time.Millisecond, func() bool {
		select {
		case <-p.done:
			return true
		default:
		}
		resp, err := p.Get("/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode == http.StatusOK
	})
	select {
	case <-p.done:
		return fmt.Errorf("%s exited with code %d before it was ready", p.Name, p.ExitCode())
	default:
	}
	if err != nil {
		return fmt.Errorf("%s never ready: %w", p.Name, err)
	}
	return nil
}

// Get sends a GET for path to the process's HTTP server.
func (p *Process) Get(path string) (*http.Response, error) {
	return httpClient.Get("http://" + p.Addr + path)
}

// httpClient is bounded, so a process that hangs cannot hang its caller.
var httpClient = &http.Client{Timeout: 5 * time.Second}

// WaitFor polls cond every interval until it holds, within passes, or ctx
// ends.
func WaitFor(ctx context.Context, within, every time.Duration, cond func() bool) error {
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
