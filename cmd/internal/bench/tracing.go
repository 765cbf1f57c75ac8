package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"

	"dispatchd/app/tracing/otlpsink"
)

// Labels of the tracing scenario's runs; all are dispatchd in partition
// mode with the no-op handler.
const (
	TraceOff       = "trace-off"
	TracePropagate = "trace-propagate"
	TraceExport    = "trace-export"
)

// Tracing runs the tracing scenario: the overhead scenario's dispatchd over
// w three ways, in turn for rounds rounds. off reads records without trace
// context (a header of the same size in its place), so there is nothing
// to carry on; propagate reads records that each carry a sampled
// traceparent, with no exporter, so only the context is carried into the
// results; export reads those and exports every span over OTLP/HTTP to a
// receiver in this process that counts them. Ratios are each
// traced leg's msgs/s over off's. With a profile directory, the bench
// process itself (broker, gate and receiver) is profiled too, as
// tracing-bench.pprof, since the receiver shares the machine with dispatchd.
func Tracing(ctx context.Context, r *Runner, w Workload, rounds int, out io.Writer) ([]Run, error) {
	if r.ProfileDir != "" {
		stop, err := profileSelf(filepath.Join(r.ProfileDir, "tracing-bench.pprof"))
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	w.Trace = TracePadded
	off, err := r.preload("tracing-off", w)
	if err != nil {
		return nil, err
	}
	traced := w
	traced.Trace = TraceParent
	on, err := r.preload("tracing-on", traced)
	if err != nil {
		return nil, err
	}
	sink := otlpsink.Start(false)
	defer sink.Close()
	none := []string{"OTEL_TRACES_EXPORTER=none"}
	export := []string{"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + sink.URL(), "OTEL_SERVICE_NAME=dispatchd-bench"}
	legs := []Leg{
		{Spec: Spec{Kind: Dispatch, Name: TraceOff, Env: none}, Input: off, Workload: w},
		{Spec: Spec{Kind: Dispatch, Name: TracePropagate, Env: none}, Input: on, Workload: traced},
		{Spec: Spec{Kind: Dispatch, Name: TraceExport, Env: export}, Input: on, Workload: traced},
	}
	runs := r.Rounds(ctx, legs, rounds)
	stats := SummariseLegs(runs, legs)
	PrintReport(out, runs, stats, TraceOff, []string{TraceOff, TracePropagate, TraceExport},
		tracingLine(runs, stats, sink.Count(), rounds*w.Messages))
	return runs, nil
}

// tracingLine is the machine-readable summary, ratios to off. spans is how many the
// receiver got of the want the export runs handled: the SDK's batcher drops
// spans its queue (tracing.QueueSize by default) cannot hold, rather than
// slow the messages down.
func tracingLine(runs []Run, stats map[string]Stats, spans, want int) string {
	lost, dups, order := tally(runs, TraceOff, TracePropagate, TraceExport)
	return fmt.Sprintf("BENCH tracing off_msgs_per_s=%s propagate_msgs_per_s=%s export_msgs_per_s=%s propagate_ratio=%s export_ratio=%s spans=%d spans_expected=%d order_violations=%d lost=%d duplicates=%d propagate_cpu_ratio=%s export_cpu_ratio=%s",
		rateField(stats, TraceOff), rateField(stats, TracePropagate), rateField(stats, TraceExport),
		ratioField(stats, TracePropagate, TraceOff), ratioField(stats, TraceExport, TraceOff), spans, want, order, lost, dups,
		cpuRatioField(stats, TracePropagate, TraceOff), cpuRatioField(stats, TraceExport, TraceOff))
}

// cpuRatioField is dispatchd's CPU per message in c over base's. Unlike the
// rate it does not move with what else the host runs, and it leaves out
// the receiver, which shares the host but is not dispatchd.
func cpuRatioField(stats map[string]Stats, c, base string) string {
	s, b := stats[c], stats[base]
	if s.Failed > 0 || b.Failed > 0 || s.CPUPer10k == 0 || b.CPUPer10k == 0 {
		return "failed"
	}
	return strconv.FormatFloat(s.CPUPer10k/b.CPUPer10k, 'f', 2, 64)
}

// profileSelf writes a CPU profile of this process to path until stop.
func profileSelf(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("profile the bench: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
