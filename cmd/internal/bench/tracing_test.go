package bench

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTracingLine_ratios_are_to_off_and_a_failed_leg_is_never_fast(t *testing.T) {
	passing := func(c string, rate float64) Run { return Run{Contender: c, MsgsPerSec: rate, CPUSeconds: 1e6 / rate} }
	lost := func(c string) Run { return Run{Contender: c, MsgsPerSec: 1e9, Verdict: Verdict{Lost: 2}} }
	tests := []struct {
		name string
		runs []Run
		want []string
	}{
		{name: "all_pass", runs: []Run{passing(TraceOff, 1000), passing(TracePropagate, 980), passing(TraceExport, 900)},
			want: []string{"BENCH tracing off_msgs_per_s=1000 propagate_msgs_per_s=980 export_msgs_per_s=900 propagate_ratio=0.98 export_ratio=0.90 spans=7 spans_expected=9 order_violations=0 lost=0 duplicates=0 propagate_cpu_ratio=1.02 export_cpu_ratio=1.11"}},
		{name: "export_lost_records", runs: []Run{passing(TraceOff, 1000), passing(TracePropagate, 980), lost(TraceExport)},
			want: []string{"export_msgs_per_s=failed", "export_ratio=failed", "propagate_ratio=0.98", "lost=2", "export_cpu_ratio=failed"}},
		{name: "off_failed_fails_both_ratios", runs: []Run{lost(TraceOff), passing(TracePropagate, 980), passing(TraceExport, 900)},
			want: []string{"off_msgs_per_s=failed", "propagate_ratio=failed export_ratio=failed", "propagate_cpu_ratio=failed export_cpu_ratio=failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tracingLine(tt.runs, Summarise(tt.runs, 1000), 7, 9)
			for _, w := range tt.want {
				require.Contains(t, line, w)
			}
		})
	}
}

func TestTraceInput_padded_weighs_what_traced_does(t *testing.T) {
	for i := range 3 {
		pad, tp := TracePadded.traceHeader(i), TraceParent.traceHeader(i)
		require.Len(t, pad, 1)
		require.Len(t, tp, 1)
		require.Equal(t, len(tp[0].Key)+len(tp[0].Value), len(pad[0].Key)+len(pad[0].Value))
		require.Equal(t, "traceparent", string(tp[0].Key))
		require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`, string(tp[0].Value))
	}
	require.Empty(t, TraceNone.traceHeader(0))
}

// The SDK's traceidratio sampler keeps a trace when the low 8 bytes of its
// id are below ratio * 2^63 (read as a big-endian uint64 shifted right by
// one); the bench's ids must give it the share it would keep of random ids.
func TestTraceInput_ids_are_spread_like_random_ones(t *testing.T) {
	const n = 20000
	ratio := 0.1
	bound := uint64(ratio * (1 << 63))
	seen := map[string]bool{}
	kept := 0
	for i := range n {
		v := string(TraceParent.traceHeader(i)[0].Value)
		id := v[3:35]
		require.False(t, seen[id], "trace id of record %d repeats", i)
		seen[id] = true
		low, err := strconv.ParseUint(id[16:], 16, 64)
		require.NoError(t, err)
		if low>>1 < bound {
			kept++
		}
	}
	require.InDelta(t, ratio, float64(kept)/n, 0.01)
}
