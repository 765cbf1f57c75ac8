package handoff

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"dispatchd/cmd/internal/proc"
)

// fleet is the replicas of one run: those running now, by position, and
// every process ever started, for their logs.
type fleet struct {
	o   Options
	now []*replica
	all []*replica
}

// start starts replica name in position i (appending when i is len(now)).
func (f *fleet) start(i int, name string) (*replica, error) {
	r, err := startReplica(f.o, name)
	if err != nil {
		return nil, err
	}
	f.all = append(f.all, r)
	if i == len(f.now) {
		f.now = append(f.now, r)
	} else {
		f.now[i] = r
	}
	return r, nil
}

// stop sends SIGTERM to every replica still running and waits for each.
func (f *fleet) stop() error {
	var errs []error
	for _, r := range f.now {
		select {
		case <-r.Done():
		default:
			if err := r.stop(syscall.SIGTERM, 30*time.Second); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// close kills whatever still runs and returns every process's log, by name;
// a restarted replica's second log is under "<name> (restarted)".
func (f *fleet) close() map[string]string {
	logs := map[string]string{}
	for _, r := range f.all {
		r.Kill()
		name := r.Name
		if _, dup := logs[name]; dup {
			name += " (restarted)"
		}
		logs[name] = r.Log()
	}
	return logs
}

// settled waits until the running replicas own every partition of topic
// between them, each some and none twice, the same way on two looks 500 ms
// apart, and returns who owns what.
func (f *fleet) settled(ctx context.Context, topic string) (map[string][]int32, error) {
	var last string
	var owned map[string][]int32
	err := proc.WaitFor(ctx, 60*time.Second, 500*time.Millisecond, func() bool {
		owned = map[string][]int32{}
		seen := map[int32]bool{}
		for _, r := range f.now {
			ps := r.owned(topic)
			if len(ps) == 0 {
				return false
			}
			for _, p := range ps {
				if seen[p] {
					return false
				}
				seen[p] = true
			}
			owned[r.Name] = ps
		}
		now := fmt.Sprint(owned)
		// Complete is not enough: a cooperative group can hold a complete
		// but uneven assignment (6/3/3) for a moment before it evens it out.
		stable := len(seen) == int(f.o.Partitions) && even(owned) && now == last
		last = now
		return stable
	})
	if err != nil {
		return nil, fmt.Errorf("the group never settled (last seen %s): %w", last, err)
	}
	return owned, nil
}

// even reports whether no member owns more than one partition more than
// another, which is where every assignor of a settled group ends.
func even(owned map[string][]int32) bool {
	lo, hi := -1, 0
	for _, ps := range owned {
		if lo < 0 || len(ps) < lo {
			lo = len(ps)
		}
		hi = max(hi, len(ps))
	}
	return hi-lo <= 1
}

// rebalances is dispatchd_rebalances_total of every running replica but
// the one at skip.
func (f *fleet) rebalances(skip int) (map[string]float64, error) {
	out := map[string]float64{}
	for i, r := range f.now {
		if i == skip {
			continue
		}
		n, err := r.rebalances()
		if err != nil {
			return nil, err
		}
		out[r.Name] = n
	}
	return out, nil
}
