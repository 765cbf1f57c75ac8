package bench

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

func TestIdealRatio(t *testing.T) {
	tests := []struct {
		name        string
		keys        []int
		maxInFlight int
		want        float64
	}{
		{name: "window_caps_many_keys", keys: []int{125, 130, 120, 125}, maxInFlight: 64, want: 64},
		{name: "keys_cap_a_wide_window", keys: []int{2, 1, 3, 2}, maxInFlight: 64, want: 2},
		{name: "mixed_caps_average", keys: []int{100, 10}, maxInFlight: 64, want: 37},
		{name: "partitions_without_keys_do_not_count", keys: []int{3, 0, 1, 0}, maxInFlight: 64, want: 2},
		{name: "window_of_one_is_partition_mode", keys: []int{125, 125}, maxInFlight: 1, want: 1},
		{name: "no_keys", keys: []int{0, 0}, maxInFlight: 64, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, IdealRatio(tt.keys, tt.maxInFlight), 1e-9)
		})
	}
}

func TestKeysPerPartition(t *testing.T) {
	tests := []struct {
		name string
		w    Workload
		want int
	}{
		{name: "every_key_placed_once", w: Workload{Messages: 5000, Keys: 1000, Partitions: 8}, want: 1000},
		{name: "fewer_records_than_keys", w: Workload{Messages: 5, Keys: 1000, Partitions: 8}, want: 5},
		{name: "hot_keys", w: Workload{Messages: 100, Keys: 8, Partitions: 8}, want: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeysPerPartition(tt.w, sarama.NewHashPartitioner("in"))
			require.Len(t, got, int(tt.w.Partitions))
			sum := 0
			for _, k := range got {
				sum += k
			}
			require.Equal(t, tt.want, sum)
		})
	}
}

func TestKeyLines_a_failed_run_is_never_reported_as_fast(t *testing.T) {
	tests := []struct {
		name string
		line func(runs []Run) string
		runs []Run
		want []string
	}{
		{name: "concurrency_passing",
			line: func(runs []Run) string { return keyConcurrencyLine(runs, Summarise(runs, 1000), 64) },
			runs: []Run{{Contender: PartitionSleep, MsgsPerSec: 1500}, {Contender: KeySleep, MsgsPerSec: 30000}, {Contender: KeySleepHot, MsgsPerSec: 1400}},
			want: []string{"partition_msgs_per_s=1500 key_msgs_per_s=30000 key_concurrency_ratio=20.00 ideal_ratio=64.00 order_violations=0 lost=0",
				"hot_key_msgs_per_s=1400 hot_key_ratio=0.93"}},
		{name: "concurrency_key_reordered",
			line: func(runs []Run) string { return keyConcurrencyLine(runs, Summarise(runs, 1000), 64) },
			runs: []Run{{Contender: PartitionSleep, MsgsPerSec: 1500}, {Contender: KeySleep, MsgsPerSec: 1e9, Verdict: Verdict{OrderViolations: 2}}},
			want: []string{"key_msgs_per_s=failed key_concurrency_ratio=failed", "order_violations=2"}},
		{name: "concurrency_baseline_lost",
			line: func(runs []Run) string { return keyConcurrencyLine(runs, Summarise(runs, 1000), 64) },
			runs: []Run{{Contender: PartitionSleep, MsgsPerSec: 1500, Verdict: Verdict{Lost: 3}}, {Contender: KeySleep, MsgsPerSec: 30000}},
			want: []string{"partition_msgs_per_s=failed key_msgs_per_s=30000 key_concurrency_ratio=failed", "lost=3"}},
		{name: "overhead_passing",
			line: func(runs []Run) string { return keyOverheadLine(runs, Summarise(runs, 1000)) },
			runs: []Run{{Contender: Raw, MsgsPerSec: 20000}, {Contender: DispatchKey, MsgsPerSec: 60000}},
			want: []string{"BENCH key_overhead key_msgs_per_s=60000 raw_msgs_per_s=20000 key_overhead_ratio=3.00"}},
		{name: "overhead_key_duplicated",
			line: func(runs []Run) string { return keyOverheadLine(runs, Summarise(runs, 1000)) },
			runs: []Run{{Contender: Raw, MsgsPerSec: 20000}, {Contender: DispatchKey, MsgsPerSec: 60000}, {Contender: DispatchKey, MsgsPerSec: 1e9, Verdict: Verdict{Duplicates: 1}}},
			want: []string{"key_msgs_per_s=failed raw_msgs_per_s=20000 key_overhead_ratio=failed", "duplicates=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tt.line(tt.runs)
			for _, w := range tt.want {
				require.Contains(t, line, w)
			}
		})
	}
}
