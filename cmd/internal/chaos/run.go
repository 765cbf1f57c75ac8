package chaos

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

func keys(m map[int32]bool) []int32 {
	var out []int32
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

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

// Line is the scenario's CHAOS line.
func (r *run) Line(v Verdict) string {
	notes := append([]string{"ordering=" + r.fleet.Ordering}, r.notes...)
	if len(v.PerEvent) > 1 {
		var per []string
		for _, d := range v.PerEvent {
			per = append(per, fmt.Sprintf("%.1f", d.Seconds()))
		}
		notes = append(notes, "recovered_s per event: "+strings.Join(per, ","))
	}
	notes = append(notes, fmt.Sprintf("caught_up_s=%.1f", v.CaughtUp.Seconds()))
	notes = append(notes, v.Lines...)
	return fmt.Sprintf("CHAOS %s inputs=%d results=%d dead_letters=%d lost=%d duplicates=%d order_violations=%d recovered_s=%.1f%s %s",
		r.name, v.Inputs, v.Results, v.DeadLetters, v.Lost, v.Duplicates, v.OrderViolations, v.Recovered.Seconds(), pending(v),
		strings.Join(notes, "; "))
}

// failed is the CHAOS line of a scenario that could not finish.
func failed(name, ordering string, err error) string {
	return fmt.Sprintf("CHAOS %s FAILED ordering=%s: %v", name, ordering, err)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// probeAll is every running replica's answer to path, by name.
func probeAll(f *Fleet, path string) string {
	var out []string
	for _, p := range f.Running() {
		out = append(out, p.Name+"="+short(Probe(p, path)))
	}
	return strings.Join(out, " ")
}

// short squeezes an answer onto a CHAOS line.
func short(s string) string {
	s = strings.Join(strings.Fields(s), "")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
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

func pending(v Verdict) string {
	if v.Pending == 0 {
		return ""
	}
	return fmt.Sprintf(" pending=%d", v.Pending)
}
