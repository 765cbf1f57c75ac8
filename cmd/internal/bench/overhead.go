package bench

import (
	"context"
	"fmt"
	"io"
)

// Contenders of the overhead scenario, the baseline first.
var Contenders = []string{Raw, Stock, Pipelined, Franz, Floor, Dispatch}

// Overhead runs the overhead scenario: a no-op handler over w, each of
// contenders (all of Contenders when empty) in turn (see Rounds) for
// rounds rounds, on one preloaded input topic, and prints the table and the
// BENCH line; a ratio to a contender left out prints as "failed".
func Overhead(ctx context.Context, r *Runner, w Workload, rounds int, contenders []string, out io.Writer) ([]Run, error) {
	if len(contenders) == 0 {
		contenders = Contenders
	}
	input, err := r.preload("overhead", w)
	if err != nil {
		return nil, err
	}
	var legs []Leg
	for _, c := range contenders {
		legs = append(legs, Leg{Spec: Spec{Kind: c}, Input: input, Workload: w})
	}
	runs := r.Rounds(ctx, legs, rounds)
	stats := Summarise(runs, w.Messages)
	PrintReport(out, runs, stats, contenders[0], contenders, overheadLine(runs, stats))
	return runs, nil
}

// overheadLine is the machine-readable summary. Every ratio is dispatchd's
// msgs/s over the other's, except stock_ratio, which is stock's over raw's,
// and floor_pipelined_ratio, floor's over pipelined's: the ceiling of
// pipelined_ratio while dispatchd runs on watermill's router.
// A contender with any failed run has its rate, and every ratio it is part
// of, printed as "failed"; the gate's counts are dispatchd's.
func overheadLine(runs []Run, stats map[string]Stats) string {
	lost, dups, order := tally(runs, Dispatch)
	return fmt.Sprintf("BENCH overhead daemon_msgs_per_s=%s raw_msgs_per_s=%s stock_msgs_per_s=%s pipelined_msgs_per_s=%s franz_msgs_per_s=%s overhead_ratio=%s stock_ratio=%s pipelined_ratio=%s franz_ratio=%s order_violations=%d lost=%d duplicates=%d rss_peak_mib=%.1f cpu_s_per_10k=%.3f floor_msgs_per_s=%s floor_ratio=%s floor_pipelined_ratio=%s",
		rateField(stats, Dispatch), rateField(stats, Raw), rateField(stats, Stock), rateField(stats, Pipelined), rateField(stats, Franz),
		ratioField(stats, Dispatch, Raw), ratioField(stats, Stock, Raw), ratioField(stats, Dispatch, Pipelined), ratioField(stats, Dispatch, Franz),
		order, lost, dups, stats[Dispatch].RSSMiB, stats[Dispatch].CPUPer10k,
		rateField(stats, Floor), ratioField(stats, Dispatch, Floor), ratioField(stats, Floor, Pipelined))
}
