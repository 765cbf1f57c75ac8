package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Contenders of the overhead scenario, the baseline first.
var Contenders = []string{Raw, Stock, Dispatch}

// Overhead runs the overhead scenario: a no-op handler over w, each
// contender in turn (A B C A B C ...) for rounds rounds, on one preloaded
// input topic, and prints the table and the BENCH line.
func Overhead(ctx context.Context, r *Runner, w Workload, rounds int, out io.Writer) ([]Run, error) {
	input := fmt.Sprintf("bench.overhead.in.%d", time.Now().UnixNano())
	took, err := Preload(r.Brokers, r.Sarama, input, w)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.Log, "preloaded %d records (%d keys, %d partitions) into %s in %s\n",
		w.Messages, w.Keys, w.Partitions, input, took.Round(time.Millisecond))
	var runs []Run
	for round := 1; round <= rounds; round++ {
		for _, c := range Contenders {
			fmt.Fprintf(r.Log, "round %d/%d: %s ... ", round, rounds, c)
			run := r.RunOne(ctx, c, round, input, w)
			fmt.Fprintf(r.Log, "%.0f msgs/s, %d/%d results%s\n", run.MsgsPerSec, run.Verdict.Results, w.Messages, failNote(run))
			runs = append(runs, run)
		}
	}
	fmt.Fprintln(out)
	PrintRuns(out, runs)
	fmt.Fprintln(out)
	stats := Summarise(runs, w.Messages)
	PrintSummary(out, stats, Raw, Contenders)
	fmt.Fprintln(out)
	fmt.Fprintln(out, overheadLine(runs, stats))
	return runs, nil
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

// overheadLine is the machine-readable summary. A contender with any failed
// run has its rate and ratio printed as "failed".
func overheadLine(runs []Run, stats map[string]Stats) string {
	rate := func(c string) string {
		if s := stats[c]; s.Failed == 0 && s.Median > 0 {
			return strconv.FormatFloat(s.Median, 'f', 0, 64)
		}
		return "failed"
	}
	rat := func(c string) string {
		s, b := stats[c], stats[Raw]
		if s.Failed > 0 || b.Failed > 0 || b.Median == 0 {
			return "failed"
		}
		return strconv.FormatFloat(s.Median/b.Median, 'f', 2, 64)
	}
	var lost, dups, order int
	for _, r := range runs {
		if r.Contender == Dispatch {
			lost += r.Verdict.Lost
			dups += r.Verdict.Duplicates
			order += r.Verdict.OrderViolations
		}
	}
	return fmt.Sprintf("BENCH overhead daemon_msgs_per_s=%s raw_msgs_per_s=%s stock_msgs_per_s=%s overhead_ratio=%s stock_ratio=%s order_violations=%d lost=%d duplicates=%d rss_peak_mib=%.1f cpu_s_per_10k=%.3f",
		rate(Dispatch), rate(Raw), rate(Stock), rat(Dispatch), rat(Stock), order, lost, dups, stats[Dispatch].RSSMiB, stats[Dispatch].CPUPer10k)
}
