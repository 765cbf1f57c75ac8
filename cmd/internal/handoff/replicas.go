package handoff

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dispatchd/cmd/internal/proc"
)

// replica is one dispatchd process of the fleet.
type replica struct{ *proc.Process }

// startReplica starts replica name with the harness's settings.
func startReplica(o Options, name string) (*replica, error) {
	cmd := o.Command(name)
	cmd.Env = append(os.Environ(), o.env(name)...)
	p, err := proc.Start(name, cmd)
	if err != nil {
		return nil, err
	}
	return &replica{p}, nil
}

// stop sends sig and waits up to within for the process to exit.
func (r *replica) stop(sig os.Signal, within time.Duration) error {
	if err := r.Signal(sig); err != nil {
		return err
	}
	if err := r.Wait(within); err != nil {
		return fmt.Errorf("%w of %s", err, sig)
	}
	return nil
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
	return 0, fmt.Errorf("%s: no dispatchd_rebalances_total in /metrics", r.Name)
}

// metrics is the replica's /metrics, a line each.
func (r *replica) metrics() ([]string, error) {
	resp, err := r.Get("/metrics")
	if err != nil {
		return nil, fmt.Errorf("%s /metrics: %w", r.Name, err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
