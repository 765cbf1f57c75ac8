package handoff

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/app/kafka"
	"dispatchd/cmd/internal/proc"
)

// victim is the position of the replica that is stopped: the second.
const victim = 1

// Run runs o.Scenario once. It creates the topics, starts the replicas and
// waits until the group settles, starts the checker and the load, stops
// the second replica as the scenario says, keeps the load on until results
// come again from that replica's partitions and 2 s more, waits until every
// input has a result, and checks them. Times are measured, never judged:
// the caller decides what to assert. The Result holds the replicas' logs
// even when Run fails.
func Run(ctx context.Context, o Options) (res Result, err error) {
	began := time.Now()
	res = Result{Scenario: o.Scenario, Handoff: None, HandoffNew: None, HandoffRecv: None, Restarted: None}
	if o, err = o.withDefaults(); err != nil {
		return res, err
	}
	sc, err := o.sarama()
	if err != nil {
		return res, err
	}
	var topics []kafka.TopicSpec
	for _, name := range []string{o.Input, o.Output, o.DeadLetter} {
		topics = append(topics, kafka.TopicSpec{Name: name, Partitions: o.Partitions, ReplicationFactor: 1})
	}
	if _, err := kafka.EnsureTopics(o.Brokers, sc, topics); err != nil {
		return res, err
	}
	f := &fleet{o: o}
	defer func() { res.Logs, res.Took = f.close(), time.Since(began) }()
	for i := range o.Replicas {
		if _, err := f.start(i, fmt.Sprintf("r%d", i)); err != nil {
			return res, err
		}
	}
	for _, r := range f.now {
		if err := r.WaitReady(ctx); err != nil {
			return res, err
		}
	}
	if res.Owned, err = f.settled(ctx, o.Input); err != nil {
		return res, err
	}
	o.Logf("settled after %s: %v", time.Since(began).Round(time.Millisecond), res.Owned)

	chk, err := startChecker(o.Brokers, sc, o.Output)
	if err != nil {
		return res, err
	}
	defer chk.close()
	ld, err := startLoad(o.Brokers, sc, o.Input, o.Keys)
	if err != nil {
		return res, err
	}
	defer ld.halt()
	if err := pause(ctx, 3*time.Second); err != nil {
		return res, err
	}
	s, err := stopOne(ctx, o, sc, f, &res)
	if err != nil {
		return res, err
	}
	if err := finish(ctx, o, chk, ld, s, &res); err != nil {
		return res, err
	}
	if o.Scenario == StaticRestart {
		if res.OwnedAfter, err = f.settled(ctx, o.Input); err != nil {
			return res, fmt.Errorf("after the restart: %w", err)
		}
		if res.RebalancesAfter, err = f.rebalances(victim); err != nil {
			return res, err
		}
	}
	return res, f.stop()
}

// stopOne signals the victim as the scenario says and, for a static
// restart, starts it again at once under the same name and instance id.
// It returns what was known once the victim was gone.
func stopOne(ctx context.Context, o Options, sc *sarama.Config, f *fleet, res *Result) (stopped, error) {
	v := f.now[victim]
	res.Stopped = v.Name
	if res.Partitions = v.owned(o.Input); len(res.Partitions) == 0 {
		return stopped{}, fmt.Errorf("%s owns no partition right before the signal", v.Name)
	}
	var err error
	if o.Scenario == StaticRestart {
		if res.Rebalances, err = f.rebalances(victim); err != nil {
			return stopped{}, err
		}
	}
	var sig os.Signal = syscall.SIGTERM
	if o.Scenario == Kill {
		sig = syscall.SIGKILL
	}
	signalled := time.Now()
	if err := v.stop(sig, 30*time.Second); err != nil {
		return stopped{}, err
	}
	res.Exit, res.ExitCode = v.ExitedAt().Sub(signalled), v.ExitCode()
	if o.Scenario == Kill {
		// A produce request already on the wire when the process died may
		// still be appended; no new owner can start before the session timeout.
		if err := pause(ctx, 200*time.Millisecond); err != nil {
			return stopped{}, err
		}
	}
	s, err := readStopped(o, sc, res.Partitions, signalled)
	if err != nil {
		return s, err
	}
	o.Logf("%s %s: owned %v, exited %s after the signal (code %d), committed %v",
		sig, v.Name, res.Partitions, res.Exit.Round(time.Millisecond), res.ExitCode, s.committed)
	if o.Scenario == StaticRestart {
		if _, err := f.start(victim, v.Name); err != nil {
			return s, err
		}
		res.Restarted = time.Since(signalled)
		o.Logf("restarted %s with the same instance id %s after the signal (session timeout %s)",
			v.Name, res.Restarted.Round(time.Millisecond), sessionTimeout)
	}
	return s, nil
}

// finish keeps the load on until results come again from the victim's
// partitions, and 2 s more, then waits until every input has a result and
// checks them.
func finish(ctx context.Context, o Options, chk *checker, ld *load, s stopped, res *Result) error {
	err := proc.WaitFor(ctx, 30*time.Second, 20*time.Millisecond, func() bool { return chk.first(s.after) != nil })
	if err != nil {
		return fmt.Errorf("no result from %s's partitions after it was gone: %w", res.Stopped, err)
	}
	if err := pause(ctx, 2*time.Second); err != nil {
		return err
	}
	sent, err := ld.stop()
	if err != nil {
		return err
	}
	err = proc.WaitFor(ctx, 60*time.Second, 50*time.Millisecond, func() bool { return chk.distinct() >= len(sent) })
	if err != nil {
		return fmt.Errorf("results for %d inputs, %d arrived: %w", len(sent), chk.distinct(), err)
	}
	if err := pause(ctx, 500*time.Millisecond); err != nil { // late duplicates, if any
		return err
	}
	results, err := chk.all()
	if err != nil {
		return err
	}
	return check(o, sent, results, s, res)
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
