package chaos

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BrokerKill SIGKILLs the broker leading the most input partitions
// mid-load and leaves it dead to the end; then it starts it again for the
// next scenario.
func (e *Env) BrokerKill(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "broker_kill", ordering, 3, nil)
	defer func() { line = finish(r, "broker_kill", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 10*time.Second); err != nil {
		return "", err
	}
	leaders, err := r.topics.Leaders(ctx, e.Cluster.Brokers())
	if err != nil {
		return "", err
	}
	victim := slices.MaxFunc(slices.Collect(maps.Keys(leaders)), func(a, b int32) int { return leaders[a] - leaders[b] })
	r.event()
	if err := e.Cluster.Signal(int(victim), syscall.SIGKILL, 30*time.Second); err != nil {
		return "", err
	}
	e.Logf("broker_kill: SIGKILLed node %d, leader of %d/%d input partitions", victim, leaders[victim], r.topics.Partitions)
	r.note("killed node %d leading %d/%d input partitions, left dead", victim, leaders[victim], r.topics.Partitions)
	if err := sleep(ctx, 30*time.Second); err != nil {
		return "", err
	}
	r.note("healthz during: %s", probeAll(r.fleet, "/healthz"))
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	if err := e.Cluster.Start(); err != nil {
		return "", fmt.Errorf("bring node %d back: %w", victim, err)
	}
	return r.Line(v), nil
}

// ClusterRestart stops every broker for about 10 s and starts them again;
// the replicas must recover without a restart. While the cluster is down it
// records what /readyz and /healthz said.
func (e *Env) ClusterRestart(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "cluster_restart", ordering, 3, nil)
	defer func() { line = finish(r, "cluster_restart", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 10*time.Second); err != nil {
		return "", err
	}
	pids := r.fleet.Running()
	down := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, Nodes)
	for n := 1; n <= Nodes; n++ {
		wg.Go(func() {
			// A node whose quorum is going away can hang in its controlled
			// shutdown: a stop that takes longer is a kill.
			if errs[n-1] = e.Cluster.Signal(n, syscall.SIGTERM, 15*time.Second); errs[n-1] != nil {
				errs[n-1] = e.Cluster.Signal(n, syscall.SIGKILL, 15*time.Second)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return "", err
		}
	}
	stopped := time.Since(down)
	down = time.Now()
	seen := map[string]bool{}
	var said []string
	for time.Since(down) < 10*time.Second {
		for _, path := range []string{"/readyz", "/healthz"} {
			a := path + " " + short(Probe(pids[0], path))
			if !seen[a] {
				seen[a] = true
				said = append(said, a)
			}
		}
		if err := sleep(ctx, time.Second); err != nil {
			return "", err
		}
	}
	starting := r.event()
	if err := e.Cluster.Start(); err != nil {
		return "", err
	}
	e.Logf("cluster_restart: brokers down %s, started again", starting.Sub(down).Round(time.Second))
	r.note("brokers stopped in %.1fs (SIGTERM, SIGKILL after 15s), then down %.0fs, then answering %.0fs after their start; %s said while down: %s",
		stopped.Seconds(), starting.Sub(down).Seconds(), time.Since(starting).Seconds(), pids[0].Name, strings.Join(said, " | "))
	if err := r.fleet.Settled(ctx, 90*time.Second); err != nil {
		return "", err
	}
	if err := sleep(ctx, 15*time.Second); err != nil {
		return "", err
	}
	for _, p := range pids {
		if !aliveProc(p) {
			return "", fmt.Errorf("%s exited (code %d) during the outage", p.Name, p.ExitCode())
		}
	}
	r.note("all 3 replicas kept running; after: readyz %s", probeAll(r.fleet, "/readyz"))
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	return r.Line(v), nil
}

// finish keeps the replicas' logs and turns an error into a FAILED line.
func finish(r *run, name, ordering, line string, err error) string {
	if r != nil && r.fleet != nil {
		r.fleet.Close()
		r.env.saveLogs(name+"-"+ordering, r.fleet.Logs())
	}
	if err == nil {
		return line
	}
	return failed(name, ordering, err)
}
