package bench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
)

// Stats summarises one contender's runs.
type Stats struct {
	// Median, Min and Max of msgs/s over the passing runs.
	Median, Min, Max float64
	// Failed counts disqualified runs.
	Failed int
	// RSSMiB is the highest peak RSS over the runs.
	RSSMiB float64
	// CPUPer10k is the median CPU seconds per 10,000 messages.
	CPUPer10k float64
}

// Summarise computes Stats per contender; a failed run never counts as fast.
func Summarise(runs []Run, messages int) map[string]Stats {
	by := map[string][]Run{}
	for _, r := range runs {
		by[r.Contender] = append(by[r.Contender], r)
	}
	out := map[string]Stats{}
	for c, rs := range by {
		var rates, cpus []float64
		st := Stats{}
		for _, r := range rs {
			st.RSSMiB = max(st.RSSMiB, r.RSSMiB)
			if r.Failed() {
				st.Failed++
				continue
			}
			rates = append(rates, r.MsgsPerSec)
			cpus = append(cpus, r.CPUSeconds/float64(messages)*10000)
		}
		if len(rates) > 0 {
			st.Median, st.Min, st.Max = median(rates), slices.Min(rates), slices.Max(rates)
			st.CPUPer10k = median(cpus)
		}
		out[c] = st
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// PrintReport writes a scenario's results: the per-run table, the summary
// against baseline (contenders in order), and the BENCH line.
func PrintReport(w io.Writer, runs []Run, stats map[string]Stats, baseline string, order []string, line string) {
	fmt.Fprintln(w)
	PrintRuns(w, runs)
	fmt.Fprintln(w)
	PrintSummary(w, stats, baseline, order)
	fmt.Fprintln(w)
	fmt.Fprintln(w, line)
}

// PrintRuns writes the per-run table.
func PrintRuns(w io.Writer, runs []Run) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "contender\tround\tmsgs/s\tlost\tdup\torder\trss MiB\tcpu s\tverdict\t")
	for _, r := range runs {
		verdict := "ok"
		if r.Err != nil {
			verdict = "FAILED: " + r.Err.Error()
		} else if !r.Verdict.OK() {
			verdict = "FAILED gate"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%d\t%d\t%d\t%.1f\t%.2f\t%s\t\n", r.Contender, r.Round, r.MsgsPerSec,
			r.Verdict.Lost, r.Verdict.Duplicates, r.Verdict.OrderViolations, r.RSSMiB, r.CPUSeconds, verdict)
	}
	_ = tw.Flush()
}

// PrintSummary writes the per-contender summary with ratios to baseline.
func PrintSummary(w io.Writer, stats map[string]Stats, baseline string, order []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "contender\tmedian msgs/s\tspread (min-max)\tratio to "+baseline+"\tfailed runs\tpeak rss MiB\tcpu s/10k\t")
	b := stats[baseline].Median
	for _, c := range order {
		s := stats[c]
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f-%.0f\t%.2f\t%d\t%.1f\t%.3f\t\n", c, s.Median, s.Min, s.Max, ratio(s.Median, b), s.Failed, s.RSSMiB, s.CPUPer10k)
	}
	_ = tw.Flush()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// rateField is c's median msgs/s for a BENCH line, or "failed" when any run
// of c failed (or none ran): a failed contender is never reported as fast.
func rateField(stats map[string]Stats, c string) string {
	if s := stats[c]; s.Failed == 0 && s.Median > 0 {
		return strconv.FormatFloat(s.Median, 'f', 0, 64)
	}
	return "failed"
}

// ratioField is c's median over base's for a BENCH line, or "failed" when
// either has a failed run.
func ratioField(stats map[string]Stats, c, base string) string {
	s, b := stats[c], stats[base]
	if s.Failed > 0 || b.Failed > 0 || s.Median == 0 || b.Median == 0 {
		return "failed"
	}
	return strconv.FormatFloat(s.Median/b.Median, 'f', 2, 64)
}
