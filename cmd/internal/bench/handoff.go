package bench

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"

	"dispatchd/app/cli"
	"dispatchd/cmd/internal/handoff"
)

// handoffScenarios are the runs of the handoff scenario, in order.
var handoffScenarios = []handoff.Scenario{handoff.Graceful, handoff.Kill}

// Handoff runs the handoff scenario: cmd/internal/handoff's graceful
// (SIGTERM) and kill -9 runs, once each, with three replicas that are this
// executable (`dispatch-bench replica run`) on r's broker, and prints the
// BENCH line.
// DISPATCHD_* variables reach the replicas. A run that errs, loses, reorders
// or duplicates beyond what its stop allows is returned with Err set.
func Handoff(ctx context.Context, r *Runner, out io.Writer) ([]Run, error) {
	var runs []Run
	results := map[handoff.Scenario]handoff.Result{}
	failed := map[handoff.Scenario]bool{}
	for _, s := range handoffScenarios {
		fmt.Fprintf(r.Log, "handoff %s:\n", s)
		res, err := handoff.Run(ctx, handoff.Options{
			Brokers:  r.Brokers,
			Scenario: s,
			Command:  func(string) *exec.Cmd { return exec.Command(r.Self, "replica", "run") },
			Logf:     func(format string, args ...any) { fmt.Fprintf(r.Log, "  "+format+"\n", args...) },
		})
		run := Run{Contender: "handoff-" + string(s), Round: 1, Err: handoffErr(s, res, err)}
		run.Verdict = Verdict{Results: res.Inputs - res.Lost, Lost: res.Lost, OrderViolations: res.OrderViolations}
		if err == nil {
			results[s] = res
			fmt.Fprintf(r.Log, "  %s\n", res.Fields())
		}
		if run.Err != nil {
			failed[s] = true
			fmt.Fprintf(r.Log, "  FAILED: %v\n", run.Err)
			for _, name := range slices.Sorted(maps.Keys(res.Logs)) {
				fmt.Fprintf(r.Log, "  --- %s log, last lines:\n%s", name, lastLines(res.Logs[name], 30))
			}
		}
		runs = append(runs, run)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, handoffLine(results, failed))
	return runs, nil
}

// handoffErr is why a run fails the bars the handoff tests hold it to, or nil.
func handoffErr(s handoff.Scenario, res handoff.Result, err error) error {
	switch {
	case err != nil:
		return err
	case res.Lost > 0 || res.OrderViolations > 0:
		return fmt.Errorf("lost %d, order violations %d", res.Lost, res.OrderViolations)
	case s == handoff.Kill && res.Duplicates > res.Window:
		return fmt.Errorf("%d duplicates beyond the killed replica's uncommitted window of %d", res.Duplicates, res.Window)
	case s != handoff.Kill && res.Duplicates > 0:
		return fmt.Errorf("%d duplicates after a graceful stop", res.Duplicates)
	}
	return nil
}

// handoffLine is the machine-readable summary. A failed run's handoff time
// and duplicates are "failed"; so are the counts after them when a run
// could not be measured at all.
func handoffLine(results map[handoff.Scenario]handoff.Result, failed map[handoff.Scenario]bool) string {
	g, gok := results[handoff.Graceful]
	k, kok := results[handoff.Kill]
	num := func(ok bool, v any) string {
		if !ok {
			return "failed"
		}
		return fmt.Sprint(v)
	}
	f := []string{
		"graceful_ms=" + num(!failed[handoff.Graceful], handoff.Millis(g.Handoff)),
		"kill_ms=" + num(!failed[handoff.Kill], handoff.Millis(k.Handoff)),
		"graceful_duplicates=" + num(!failed[handoff.Graceful], g.Duplicates),
		"kill_duplicates=" + num(!failed[handoff.Kill], k.Duplicates),
		"lost=" + num(gok && kok, g.Lost+k.Lost),
		"order_violations=" + num(gok && kok, g.OrderViolations+k.OrderViolations),
		"kill_window=" + num(kok, k.Window),
	}
	return "BENCH handoff " + strings.Join(f, " ")
}

// lastLines is the last n lines of log.
func lastLines(log string, n int) string {
	lines := strings.SplitAfter(log, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// replicaMain is `dispatch-bench replica <dispatchd arguments>`: this
// executable running as dispatchd, for the handoff scenario's replicas.
func replicaMain(args []string, stdout, stderr io.Writer) int {
	return cli.Main(args, os.Stdin, stdout, stderr)
}
