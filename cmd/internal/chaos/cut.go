package chaos

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/cmd/internal/proc"
)

// cutFor is how long the victim is cut off: well past the session timeout,
// so the group evicts it and the others take its partitions.
const cutFor = 3 * SessionTimeout

// NetworkCut cuts one replica, in the network namespace, off from the
// brokers for longer than the session timeout, then reconnects it. The
// others must take its partitions; on its return it must neither lose
// anything nor double-commit, and what is duplicated must fit in its window:
// the inputs of its partitions past the group's committed offset at the cut.
func (e *Env) NetworkCut(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "network_cut", ordering, 2, nil)
	defer func() { line = finish(r, "network_cut", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := e.Netns.Heal(); err != nil {
		return "", err
	}
	victim, err := r.fleet.StartInNetns(ctx)
	if err != nil {
		return "", err
	}
	if err := r.fleet.Settled(ctx, 60*time.Second); err != nil {
		return "", err
	}
	if err := sleep(ctx, 8*time.Second); err != nil {
		return "", err
	}
	parts := r.fleet.Owned(victim)
	committed, err := r.topics.Committed(ctx, e.Cluster.Brokers())
	if err != nil {
		return "", err
	}
	commits := watchCommits(ctx, r.topics, e.Cluster.Brokers())
	cut := r.event()
	if err := e.Netns.Cut(); err != nil {
		return "", err
	}
	// The victim can fetch until the blackhole route is in place, so the
	// window counts what was written until Cut returned, not until it began.
	inEffect := time.Now()
	e.Logf("network_cut: cut %s (owning %v) off the brokers", victim.Name, parts)
	others := r.fleet.Running()[:2]
	var takeover time.Duration = -1
	for time.Since(cut) < cutFor {
		if takeover < 0 && covers(r.fleet, others, r.topics.Partitions) {
			takeover = time.Since(cut)
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return "", err
		}
	}
	during := "readyz " + short(Probe(victim, "/readyz")) + " healthz " + short(Probe(victim, "/healthz"))
	healed := r.event()
	if err := e.Netns.Heal(); err != nil {
		return "", err
	}
	if err := r.fleet.Settled(ctx, 90*time.Second); err != nil {
		return "", fmt.Errorf("after the cut: %w", err)
	}
	rejoined := time.Since(healed)
	if err := sleep(ctx, 8*time.Second); err != nil {
		return "", err
	}
	samples, backwards := commits.end()
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	r.note("committed offsets sampled %d times from the cut on, went backwards %d times %v", samples, len(backwards), backwards)
	in, err := ReadAll(ctx, e.Cluster.Brokers(), r.topics.Input)
	if err != nil {
		return "", err
	}
	window := windowOf(in, parts, committed, inEffect)
	r.note("committed before the cut %v", committed)
	r.note("victim %s owned %v, cut %.0fs (session timeout %s): others owned all after %s; victim said %s; rejoined %.1fs after reconnect; window=%d duplicates<=window: %t",
		victim.Name, parts, cutFor.Seconds(), SessionTimeout, secs(takeover), during, rejoined.Seconds(), window, v.Duplicates <= window)
	if v.Duplicates > window {
		r.note("FAIL: %d duplicates exceed the window of %d: the returning replica published results after the reconnect, before it learnt it had been evicted", v.Duplicates, window)
	}
	return r.Line(v), nil
}

// covers reports whether the replicas ps own every partition between them.
func covers(f *Fleet, ps []*proc.Process, partitions int32) bool {
	seen := map[int32]bool{}
	for _, p := range ps {
		for _, n := range f.Owned(p) {
			seen[n] = true
		}
	}
	return len(seen) == int(partitions)
}

// windowOf counts the inputs of parts at or past the committed offset and
// written before the cut: all the victim may have handled without its
// commit reaching the group, so all a new owner may redo.
func windowOf(in []*kgo.Record, parts []int32, committed map[int32]int64, cut time.Time) int {
	n := 0
	for _, r := range in {
		if slices.Contains(parts, r.Partition) && r.Offset >= max(committed[r.Partition], 0) && r.Timestamp.Before(cut) {
			n++
		}
	}
	return n
}

func secs(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
