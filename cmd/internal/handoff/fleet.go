package handoff

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
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
		case <-r.exited:
		default:
			if err := r.signal(syscall.SIGTERM, 30*time.Second); err != nil {
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
		r.kill()
		name := r.name
		if _, dup := logs[name]; dup {
			name += " (restarted)"
		}
		logs[name] = r.log.String()
	}
	return logs
}

// settled waits until the running replicas own every partition of topic
// between them, each some and none twice, the same way on two looks 500 ms
// apart, and returns who owns what.
func (f *fleet) settled(ctx context.Context, topic string) (map[string][]int32, error) {
	var last string
	var owned map[string][]int32
	err := waitFor(ctx, 60*time.Second, 500*time.Millisecond, func() bool {
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
			owned[r.name] = ps
		}
		now := fmt.Sprint(owned)
		stable := len(seen) == int(f.o.Partitions) && now == last
		last = now
		return stable
	})
	if err != nil {
		return nil, fmt.Errorf("the group never settled (last seen %s): %w", last, err)
	}
	return owned, nil
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
		out[r.name] = n
	}
	return out, nil
}

var ownedLine = regexp.MustCompile(`^dispatchd_last_commit_age_seconds\{partition="(\d+)",topic="([^"]+)"\}`)

// owned is the partitions of topic the replica owns now, none if it does
// not answer. With the cooperative-sticky strategy sarama calls Setup (and
// so logs "joined consumer group" with its claims) only on the first join,
// so the log does not follow later rebalances; the per-partition
// commit-age gauge does: it exists from a claim's start to its end.
func (r *replica) owned(topic string) []int32 {
	lines, _ := r.metrics()
	var ps []int32
	for _, l := range lines {
		if m := ownedLine.FindStringSubmatch(l); m != nil && m[2] == topic {
			p, _ := strconv.Atoi(m[1])
			ps = append(ps, int32(p))
		}
	}
	slices.Sort(ps)
	return ps
}

// rebalances is the replica's dispatchd_rebalances_total.
func (r *replica) rebalances() (float64, error) {
	lines, err := r.metrics()
	if err != nil {
		return 0, err
	}
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, "dispatchd_rebalances_total "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%s: no dispatchd_rebalances_total in /metrics", r.name)
}

// metrics is the replica's /metrics, a line each.
func (r *replica) metrics() ([]string, error) {
	resp, err := httpClient.Get("http://" + r.http + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("%s /metrics: %w", r.name, err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
