package chaos

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"dispatchd/cmd/internal/proc"
)

// Env is what every scenario runs on.
type Env struct {
	// Bin is the dispatchd binary.
	Bin string
	// Cluster is the 3-node cluster.
	Cluster Cluster
	// Netns holds the network_cut victim.
	Netns Netns
	// Partitions of every topic (default 8).
	Partitions int32
	// Logf receives progress lines.
	Logf func(format string, args ...any)
}

// run is one scenario in progress.
type run struct {
	env    *Env
	name   string
	fleet  *Fleet
	topics Topics
	load   *Load
	events []time.Time
	notes  []string
}

// begin creates fresh topics, starts n replicas, waits until they own every
// partition, and starts the load.
func (e *Env) begin(ctx context.Context, name, ordering string, n int, tweak func(*run)) (*run, error) {
	stamp := "chaos." + name + "." + ordering + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
	r := &run{env: e, name: name, topics: Topics{Group: stamp + ".group", Input: stamp + ".in",
		Output: stamp + ".out", DeadLetter: stamp + ".dlq", Partitions: e.Partitions}}
	r.fleet = &Fleet{Bin: e.Bin, Brokers: e.Cluster.Brokers(), Topics: r.topics, Ordering: ordering, Netns: e.Netns}
	if tweak != nil {
		tweak(r)
		r.fleet.Topics = r.topics
	}
	if err := r.topics.Create(ctx, e.Cluster.Brokers()); err != nil {
		return nil, err
	}
	for range n {
		if _, err := r.fleet.Start(ctx); err != nil {
			return r, err
		}
	}
	if err := r.fleet.Settled(ctx, 60*time.Second); err != nil {
		return r, err
	}
	load, err := StartLoad(e.Cluster.Brokers(), r.topics.Input)
	if err != nil {
		return r, err
	}
	r.load = load
	e.Logf("%s (%s): %d replica(s) settled, load started", name, ordering, n)
	return r, nil
}

// event marks now as a moment recovery is measured from.
func (r *run) event() time.Time {
	t := time.Now()
	r.events = append(r.events, t)
	return t
}

func (r *run) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// end stops the load, waits until every input has a result or a dead
// letter (or none came for 30 s), stops the replicas and judges.
func (r *run) end(ctx context.Context) (Verdict, error) {
	defer r.fleet.Close()
	var v Verdict
	acked, failed, err := r.load.Stop()
	stopped := time.Now()
	if err != nil {
		return v, err
	}
	if failed != "" {
		r.note("%s", failed)
	}
	brokers := r.env.Cluster.Brokers()
	// A backlog left by an outage drains at the replicas' pace: wait while
	// it shrinks, and call what is left lost once it stops shrinking for
	// 30 s. At the cap, a partition still shrinking is draining: its
	// unhandled tail is Pending, said apart from Lost.
	deadline := time.Now().Add(drainCap)
	lastLost, lastProgress := -1, time.Now()
	unhandled := map[int32]int{}
	draining := map[int32]bool{}
	for {
		if err := sleep(ctx, 5*time.Second); err != nil {
			return v, err
		}
		if v, err = r.judge(ctx, brokers, nil); err != nil {
			return v, err
		}
		if v.Lost != lastLost {
			lastLost, lastProgress = v.Lost, time.Now()
		}
		if v.Lost == 0 || time.Since(lastProgress) > 30*time.Second {
			break
		}
		if time.Now().After(deadline) {
			for p, n := range v.unhandled() {
				draining[p] = n < unhandled[p]
			}
			break
		}
		unhandled = v.unhandled()
	}
	r.note("drained %.0fs after the load stopped", time.Since(stopped).Seconds())
	if err := sleep(ctx, 2*time.Second); err != nil { // late duplicates, if any
		return v, err
	}
	if v, err = r.judge(ctx, brokers, draining); err != nil {
		return v, err
	}
	if v.Pending > 0 {
		r.note("pending=%d: partitions %v were still draining their backlog when the run stopped waiting %s after the load", v.Pending, keys(draining), drainCap)
	}
	if int64(v.Inputs) < acked {
		return v, fmt.Errorf("the brokers acknowledged %d load records, the input topic holds %d", acked, v.Inputs)
	}
	return v, nil
}

// drainCap bounds the wait for a backlog after the load stops.
const drainCap = 8 * time.Minute

func (r *run) judge(ctx context.Context, brokers []string, draining map[int32]bool) (Verdict, error) {
	in, err := ReadAll(ctx, brokers, r.topics.Input)
	if err != nil {
		return Verdict{}, err
	}
	out, err := ReadAll(ctx, brokers, r.topics.Output)
	if err != nil {
		return Verdict{}, err
	}
	dlq, err := ReadAll(ctx, brokers, r.topics.DeadLetter)
	if err != nil {
		return Verdict{}, err
	}
	return Judge(in, out, dlq, r.events, draining)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// alive is whether p still runs.
func aliveProc(p *proc.Process) bool {
	select {
	case <-p.Done():
		return false
	default:
		return true
	}
}
