package handoff

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// None is a duration that was not measured because its event never came.
const None time.Duration = -1

// Result is what one Run measured.
type Result struct {
	// Scenario is what happened to the stopped replica.
	Scenario Scenario
	// Stopped names the stopped replica.
	Stopped string
	// Partitions are the input partitions it owned right before the signal.
	Partitions []int32
	// Exit is how long it took to exit after the signal.
	Exit time.Duration
	// ExitCode is its exit code, -1 when a signal ended it.
	ExitCode int
	// Inputs is how many records the load sent.
	Inputs int
	// Lost counts inputs without a result.
	Lost int
	// Duplicates counts results beyond the first for an input.
	Duplicates int
	// OrderViolations counts first results that came after the first result
	// of a later input of the same key.
	OrderViolations int
	// Window is the stopped replica's uncommitted window: inputs on its
	// partitions at or past the group's committed offset once it was gone
	// whose result it had already published. After kill -9 the new owner
	// redoes exactly those, so nothing beyond them may be duplicated.
	Window int
	// Handoff is from the signal to the first result published after the
	// stopped replica was gone from one of its partitions, by the record's
	// timestamp, set by the publishing replica. After a static restart that
	// is the restarted replica's first result, ownership being unchanged.
	Handoff time.Duration
	// HandoffNew is the same for the first input the stopped replica had not
	// handled: after kill -9 the new owner first redoes the window.
	HandoffNew time.Duration
	// HandoffRecv is Handoff as the checker received the result.
	HandoffRecv time.Duration
	// Restarted is, after a static restart, from the signal to the start of
	// the new process.
	Restarted time.Duration
	// Owned is who owned which input partitions once the group settled.
	Owned map[string][]int32
	// OwnedAfter is the same after a static restart, once it settled again.
	OwnedAfter map[string][]int32
	// Rebalances is dispatchd_rebalances_total of every replica never
	// stopped, right before the signal (static restart only).
	Rebalances map[string]float64
	// RebalancesAfter is the same at the end.
	RebalancesAfter map[string]float64
	// DuplicateSpans describe the duplicates by input partition.
	DuplicateSpans []string
	// Took is the whole run.
	Took time.Duration
	// Logs are the replicas' logs by name, kept even when Run fails.
	Logs map[string]string
}

// Fields is the run's numbers as key=value pairs, for one log line.
func (r Result) Fields() string {
	name := map[Scenario]string{Graceful: "graceful_ms", Kill: "kill9_ms", StaticRestart: "restart_ms"}[r.Scenario]
	f := []string{
		name + "=" + Millis(r.Handoff),
		"handoff_new_ms=" + Millis(r.HandoffNew),
		"handoff_recv_ms=" + Millis(r.HandoffRecv),
	}
	if r.Scenario == StaticRestart {
		f = append(f, "restarted_ms="+Millis(r.Restarted))
	}
	f = append(f, fmt.Sprintf("inputs=%d duplicates=%d window=%d lost=%d order_violations=%d",
		r.Inputs, r.Duplicates, r.Window, r.Lost, r.OrderViolations))
	return strings.Join(f, " ")
}

// Millis is d in whole milliseconds, or "none" for None.
func Millis(d time.Duration) string {
	if d == None {
		return "none"
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}
