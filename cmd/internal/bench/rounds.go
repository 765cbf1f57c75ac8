package bench

import (
	"context"
	"fmt"
	"time"
)

// Leg is one contender of a scenario with the input it runs over.
type Leg struct {
	// Spec is the contender.
	Spec Spec
	// Input is the preloaded topic.
	Input string
	// Workload is what Input holds.
	Workload Workload
}

// Rounds runs the legs in turn, rounds times, each round starting one leg
// later (A B C, B C A, C A B, ...), logging each run as it ends. Over
// len(legs) rounds every leg runs once in every position: with a fixed
// order the place itself was measured as a cost (the tracing scenario's
// second leg at 0.76-0.84 of the first, 0.95-1.02 rotated), paid by the
// same leg every time.
func (r *Runner) Rounds(ctx context.Context, legs []Leg, rounds int) []Run {
	var runs []Run
	for round := 1; round <= rounds; round++ {
		for i := range legs {
			l := legs[(i+round-1)%len(legs)]
			fmt.Fprintf(r.Log, "round %d/%d: %s ... ", round, rounds, l.Spec.Label())
			run := r.RunOne(ctx, l.Spec, round, l.Input, l.Workload)
			fmt.Fprintf(r.Log, "%.0f msgs/s, %d/%d results in %s%s\n", run.MsgsPerSec, run.Verdict.Results, l.Workload.Messages,
				run.Verdict.Last.Sub(run.Verdict.First).Round(time.Millisecond), failNote(run))
			runs = append(runs, run)
		}
	}
	return runs
}

// SummariseLegs is Summarise per leg, each over its own workload's size.
func SummariseLegs(runs []Run, legs []Leg) map[string]Stats {
	out := map[string]Stats{}
	for _, l := range legs {
		var mine []Run
		for _, run := range runs {
			if run.Contender == l.Spec.Label() {
				mine = append(mine, run)
			}
		}
		for c, s := range Summarise(mine, l.Workload.Messages) {
			out[c] = s
		}
	}
	return out
}

// preload writes w into a fresh input topic for scenario and logs it.
func (r *Runner) preload(scenario string, w Workload) (string, error) {
	input := fmt.Sprintf("bench.%s.in.%d", scenario, time.Now().UnixNano())
	took, err := Preload(r.Brokers, r.Sarama, input, w)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(r.Log, "preloaded %d records (%d keys, %d partitions) into %s in %s\n",
		w.Messages, w.Keys, w.Partitions, input, took.Round(time.Millisecond))
	return input, nil
}

func failNote(r Run) string {
	if r.Err != nil {
		return " FAILED: " + r.Err.Error()
	}
	if !r.Verdict.OK() {
		return fmt.Sprintf(" FAILED gate (lost %d, duplicates %d, order violations %d, undecodable %d)",
			r.Verdict.Lost, r.Verdict.Duplicates, r.Verdict.OrderViolations, r.Verdict.Undecodable)
	}
	return ""
}

// tally sums the gate's counts over the runs of the named contenders.
func tally(runs []Run, contenders ...string) (lost, duplicates, order int) {
	for _, r := range runs {
		for _, c := range contenders {
			if r.Contender == c {
				lost += r.Verdict.Lost
				duplicates += r.Verdict.Duplicates
				order += r.Verdict.OrderViolations
			}
		}
	}
	return lost, duplicates, order
}
