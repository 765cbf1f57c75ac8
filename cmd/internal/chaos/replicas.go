package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RollingRestart sends SIGTERM to each of 3 replicas in turn under load
// and starts a new one in its place: a graceful handoff, so no duplicates.
func (e *Env) RollingRestart(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "rolling_restart", ordering, 3, nil)
	defer func() { line = finish(r, "rolling_restart", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 8*time.Second); err != nil {
		return "", err
	}
	var took []string
	for _, p := range r.fleet.Running() {
		t := r.event()
		if err := r.fleet.Stop(p); err != nil {
			return "", err
		}
		if _, err := r.fleet.Start(ctx); err != nil {
			return "", err
		}
		if err := r.fleet.Settled(ctx, 60*time.Second); err != nil {
			return "", err
		}
		took = append(took, fmt.Sprintf("%s exit %d", p.Name, p.ExitCode()))
		e.Logf("rolling_restart: replaced %s in %s", p.Name, time.Since(t).Round(time.Millisecond))
		if err := sleep(ctx, 3*time.Second); err != nil {
			return "", err
		}
	}
	r.note("replaced %v", took)
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	return r.Line(v), nil
}

// Scale runs 1, then 3, then 1 replica under load.
func (e *Env) Scale(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "scale", ordering, 1, nil)
	defer func() { line = finish(r, "scale", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 8*time.Second); err != nil {
		return "", err
	}
	r.event()
	for range 2 {
		if _, err := r.fleet.Start(ctx); err != nil {
			return "", err
		}
	}
	if err := r.fleet.Settled(ctx, 60*time.Second); err != nil {
		return "", err
	}
	if err := sleep(ctx, 10*time.Second); err != nil {
		return "", err
	}
	r.event()
	for _, p := range r.fleet.Running()[1:] {
		if err := r.fleet.Stop(p); err != nil {
			return "", err
		}
	}
	if err := r.fleet.Settled(ctx, 60*time.Second); err != nil {
		return "", err
	}
	if err := sleep(ctx, 8*time.Second); err != nil {
		return "", err
	}
	r.note("1->3->1 replicas")
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	return r.Line(v), nil
}

// saveLogs writes a failed scenario's replica logs under the cluster's
// state dir's sibling chaos-logs, so a failure can be read afterwards.
func (e *Env) saveLogs(scenario string, logs map[string]string) {
	dir := filepath.Join(filepath.Dir(e.Cluster.State), "chaos-logs", scenario)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	for name, log := range logs {
		_ = os.WriteFile(filepath.Join(dir, name+".log"), []byte(log), 0o644)
	}
	e.Logf("%s: replica logs in %s", scenario, dir)
}
