package chaos

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dispatchd/cmd/internal/proc"
)

// Fleet starts and stops dispatchd replicas of one scenario as OS
// processes, over the scenario's group and topics.
type Fleet struct {
	// Bin is the dispatchd binary.
	Bin string
	// Brokers are the bootstrap addresses.
	Brokers []string
	// Topics are the scenario's group and topics.
	Topics Topics
	// Ordering is consumer.ordering: partition or key.
	Ordering string
	// Env is extra environment for every replica.
	Env []string
	// Netns runs the replicas started with InNetns.
	Netns Netns

	now []*proc.Process
	all []*proc.Process
	seq int
}

// SessionTimeout is the replicas' consumer.session_timeout: the network
// cut lasts longer than it.
const SessionTimeout = 6 * time.Second

func (f *Fleet) env(name string) []string {
	t := f.Topics
	return append([]string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(f.Brokers, ","),
		"DISPATCHD_KAFKA_CLIENT_ID=" + name,
		"DISPATCHD_CONSUMER_GROUP=" + t.Group,
		"DISPATCHD_TOPICS_INPUT=" + t.Input,
		"DISPATCHD_TOPICS_OUTPUT=" + t.Output,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + t.DeadLetter,
		"DISPATCHD_TOPICS_PARTITIONS=" + strconv.Itoa(int(t.Partitions)),
		"DISPATCHD_TOPICS_REPLICATION_FACTOR=3",
		"DISPATCHD_CONSUMER_ORDERING=" + f.Ordering,
		"DISPATCHD_CONSUMER_SESSION_TIMEOUT=" + SessionTimeout.String(),
		"DISPATCHD_CONSUMER_HEARTBEAT_INTERVAL=2s",
		"DISPATCHD_LOG_FORMAT=json",
		"DISPATCHD_LOG_LEVEL=info",
	}, f.Env...)
}

// Start starts one more replica and waits until it is ready.
func (f *Fleet) Start(ctx context.Context) (*proc.Process, error) {
	return f.start(ctx, false)
}

// StartInNetns is Start inside the network namespace.
func (f *Fleet) StartInNetns(ctx context.Context) (*proc.Process, error) {
	return f.start(ctx, true)
}

func (f *Fleet) start(ctx context.Context, netns bool) (*proc.Process, error) {
	f.seq++
	name := fmt.Sprintf("r%d", f.seq)
	var p *proc.Process
	var err error
	if netns {
		cmd := f.Netns.Command(f.Bin, "run")
		cmd.Env = append(os.Environ(), f.env(name)...)
		addr := fmt.Sprintf("%s:%d", f.Netns.NsAddr, 18000+f.seq)
		p, err = proc.StartAt(name, cmd, addr)
	} else {
		cmd := exec.Command(f.Bin, "run")
		cmd.Env = append(os.Environ(), f.env(name)...)
		p, err = proc.Start(name, cmd)
	}
	if err != nil {
		return nil, err
	}
	f.all = append(f.all, p)
	f.now = append(f.now, p)
	return p, p.WaitReady(ctx)
}

// Stop sends SIGTERM to p and waits for it to exit.
func (f *Fleet) Stop(p *proc.Process) error {
	f.now = slices.DeleteFunc(f.now, func(q *proc.Process) bool { return q == p })
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return p.Wait(60 * time.Second)
}

// Running is the replicas running now, oldest first.
func (f *Fleet) Running() []*proc.Process { return slices.Clone(f.now) }

// Close stops every replica still running, gracefully, and kills what does not stop.
func (f *Fleet) Close() {
	for _, p := range f.Running() {
		_ = f.Stop(p)
	}
	for _, p := range f.all {
		p.Kill()
	}
}

// Logs are every replica's output, by name.
func (f *Fleet) Logs() map[string]string {
	out := map[string]string{}
	for _, p := range f.all {
		out[p.Name] = p.Log()
	}
	return out
}

var ownedLine = regexp.MustCompile(`^dispatchd_last_commit_age_seconds\{partition="(\d+)",topic="([^"]+)"\}`)

// Owned is the input partitions p owns now, from its per-partition
// commit-age gauge, which lives from a claim's start to its end.
func (f *Fleet) Owned(p *proc.Process) []int32 {
	resp, err := p.Get("/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var ps []int32
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if m := ownedLine.FindStringSubmatch(sc.Text()); m != nil && m[2] == f.Topics.Input {
			n, _ := strconv.Atoi(m[1])
			ps = append(ps, int32(n))
		}
	}
	slices.Sort(ps)
	return ps
}

// Settled waits until the running replicas own every input partition
// between them, each some and none twice.
func (f *Fleet) Settled(ctx context.Context, within time.Duration) error {
	var last string
	err := proc.WaitFor(ctx, within, 500*time.Millisecond, func() bool {
		seen := map[int32]bool{}
		var parts []string
		for _, p := range f.now {
			ps := f.Owned(p)
			parts = append(parts, fmt.Sprintf("%s:%v", p.Name, ps))
			if len(ps) == 0 {
				return false
			}
			for _, n := range ps {
				if seen[n] {
					return false
				}
				seen[n] = true
			}
		}
		last = strings.Join(parts, " ")
		return len(seen) == int(f.Topics.Partitions)
	})
	if err != nil {
		return fmt.Errorf("the group never settled (last seen %s): %w", last, err)
	}
	return nil
}

// Probe is what p's path answered: the status code and the body, or the error.
func Probe(p *proc.Process, path string) string {
	resp, err := p.Get(path)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
}
