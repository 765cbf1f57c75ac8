package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
)

// Run is one contender's run.
type Run struct {
	// Contender is the Spec's label: raw, stock, dispatchd, key-5ms, ...
	Contender string
	// Round is 1-based.
	Round int
	// Verdict is what the gate saw.
	Verdict Verdict
	// MsgsPerSec is results per second, first result to last.
	MsgsPerSec float64
	// RSSMiB is the contender process's peak resident memory.
	RSSMiB float64
	// CPUSeconds is the contender process's user+system CPU time.
	CPUSeconds float64
	// Err is set when the run could not be completed.
	Err error
}

// Failed reports whether the run is disqualified.
func (r Run) Failed() bool { return r.Err != nil || !r.Verdict.OK() }

// Runner runs contenders as child processes of self (this executable).
type Runner struct {
	// Brokers are the bootstrap addresses.
	Brokers []string
	// Sarama is the config for the gate's reader and the admin.
	Sarama *sarama.Config
	// Self is the executable that runs `contender <kind>`.
	Self string
	// Timeout bounds one run.
	Timeout time.Duration
	// Log receives progress lines.
	Log io.Writer
	// ProfileDir, when set, gets a CPU and an allocation profile of each
	// contender's run, so the baselines' costs can be set beside dispatchd's.
	ProfileDir string
	// MemProfileDir, when set, gets an inuse heap profile of each dispatchd
	// run, taken at its largest heap; the run prints its peak by class.
	MemProfileDir string
}

// Spec is one contender as a scenario runs it.
type Spec struct {
	// Kind is raw, stock, pipelined, franz, floor or dispatchd.
	Kind string
	// Name labels its runs in tables; empty means Kind.
	Name string
	// Options tune a dispatchd contender.
	Options Options
	// Env are more variables (NAME=value) of the contender's process.
	Env []string
}

// Label is what tables call s.
func (s Spec) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Kind
}

// RunOne runs contender c once over input, with a fresh group and output
// topic.
func (r *Runner) RunOne(ctx context.Context, c Spec, round int, input string, w Workload) Run {
	contender := c.Label()
	run := Run{Contender: contender, Round: round}
	stamp := fmt.Sprintf("%s.%d.%d", contender, round, time.Now().UnixNano())
	t := Target{Brokers: r.Brokers, Group: "bench." + stamp, Input: input, Output: "bench.out." + stamp}
	if err := createTopics(r.Brokers, r.Sarama, w.Partitions, t.Output); err != nil {
		run.Err = err
		return run
	}
	// Runs after the gate stops reading. The embedded broker keeps every
	// record in this process, so each run's results left behind would make
	// every later run share the host with a larger heap than the earlier.
	defer r.dropTopics(t.Output, t.DeadLetter())
	gate := &Gate{Expected: w.Messages}
	stop, err := gate.Watch(ctx, r.Brokers, r.Sarama, t.Output)
	if err != nil {
		run.Err = err
		return run
	}
	defer stop()

	args := []string{"contender", c.Kind, "--brokers", join(r.Brokers), "--group", t.Group, "--input", t.Input, "--output", t.Output}
	args = append(args, c.Options.args()...)
	if r.ProfileDir != "" {
		base := fmt.Sprintf("%s/%s-round%d", r.ProfileDir, contender, round)
		args = append(args, "--cpuprofile", base+".pprof", "--allocprofile", base+".allocs.pprof")
	}
	if r.MemProfileDir != "" && c.Kind == Dispatch {
		args = append(args, "--heapprofile", fmt.Sprintf("%s/%s-round%d.heap.pprof", r.MemProfileDir, contender, round))
	}
	cmd := exec.Command(r.Self, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	if err := cmd.Start(); err != nil {
		run.Err = err
		return run
	}
	wctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	run.Verdict = gate.Wait(wctx, 300*time.Millisecond)
	// Peak RSS comes from /proc, not from wait4's rusage: Linux carries the
	// parent's high-water mark across fork and exec into ru_maxrss, so that
	// grows with the embedded broker's memory, not the contender's.
	run.RSSMiB = vmHWM(cmd.Process.Pid) / 1024
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		run.Err = fmt.Errorf("contender exited: %w", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.CPUSeconds = tv(ru.Utime) + tv(ru.Stime)
	}
	if wctx.Err() != nil && run.Verdict.Lost > 0 {
		run.Err = fmt.Errorf("timed out after %s with %d of %d results", r.Timeout, run.Verdict.Results, w.Messages)
	}
	if d := run.Verdict.Last.Sub(run.Verdict.First).Seconds(); d > 0 {
		run.MsgsPerSec = float64(run.Verdict.Results) / d
	}
	return run
}

// dropTopics deletes a finished run's topics; one that was never created
// is no error.
func (r *Runner) dropTopics(names ...string) {
	admin, err := sarama.NewClusterAdmin(r.Brokers, r.Sarama)
	if err != nil {
		fmt.Fprintf(r.Log, "delete topics: %v\n", err)
		return
	}
	defer func() { _ = admin.Close() }()
	for _, n := range names {
		if err := admin.DeleteTopic(n); err != nil && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			fmt.Fprintf(r.Log, "delete topic %s: %v\n", n, err)
		}
	}
}

// vmHWM returns the peak resident set of pid in KiB, 0 if unknown.
func vmHWM(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kib
		}
	}
	return 0
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func join(ss []string) string { return strings.Join(ss, ",") }
