package chaos_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/cmd/internal/chaos"
	"dispatchd/messages"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// in is input p/off under key, written at second off.
func in(p int32, off int64, key string) *kgo.Record {
	return &kgo.Record{Topic: "in", Partition: p, Offset: off, Key: []byte(key), Timestamp: t0.Add(time.Duration(off) * time.Second)}
}

// out is the outOff-th record of the results (or dead-letter) topic, for
// input p/off, published at second at.
func out(outOff int64, p int32, off int64, at int) *kgo.Record {
	return &kgo.Record{Topic: "out", Offset: outOff, Timestamp: t0.Add(time.Duration(at) * time.Second),
		Headers: []kgo.RecordHeader{{Key: messages.HeaderSource, Value: fmt.Appendf(nil, "in/%d/%d", p, off)}}}
}

func TestJudge(t *testing.T) {
	inputs := []*kgo.Record{in(0, 0, "a"), in(0, 1, "a"), in(0, 2, "b"), in(1, 0, "c")}
	for _, tc := range []struct {
		name      string
		out, dlq  []*kgo.Record
		events    []time.Time
		want      chaos.Verdict
		recovered time.Duration
	}{
		{name: "every_input_one_result",
			out:  []*kgo.Record{out(0, 0, 0, 1), out(1, 0, 1, 2), out(2, 0, 2, 3), out(3, 1, 0, 1)},
			want: chaos.Verdict{Inputs: 4, Results: 4}},
		{name: "a_dead_letter_counts_as_handled",
			out: []*kgo.Record{out(0, 0, 0, 1), out(1, 0, 1, 2), out(2, 1, 0, 1)}, dlq: []*kgo.Record{out(0, 0, 2, 3)},
			want: chaos.Verdict{Inputs: 4, Results: 3, DeadLetters: 1}},
		{name: "an_input_without_either_is_lost",
			out:  []*kgo.Record{out(0, 0, 0, 1), out(1, 0, 1, 2), out(2, 0, 2, 3)},
			want: chaos.Verdict{Inputs: 4, Results: 3, Lost: 1}},
		{name: "a_second_result_is_a_duplicate_not_a_reorder",
			out:  []*kgo.Record{out(0, 0, 0, 1), out(1, 0, 1, 2), out(2, 0, 0, 3), out(3, 0, 2, 3), out(4, 1, 0, 1)},
			want: chaos.Verdict{Inputs: 4, Results: 5, Duplicates: 1}},
		{name: "a_key_out_of_input_order_is_a_violation",
			out:  []*kgo.Record{out(0, 0, 1, 1), out(1, 0, 0, 2), out(2, 0, 2, 3), out(3, 1, 0, 1)},
			want: chaos.Verdict{Inputs: 4, Results: 4, OrderViolations: 1}},
		{name: "recovery_is_until_every_partition_publishes_again",
			out:       []*kgo.Record{out(0, 0, 0, 1), out(1, 1, 0, 1), out(2, 0, 1, 5), out(3, 0, 2, 9)},
			events:    []time.Time{t0.Add(2 * time.Second)},
			want:      chaos.Verdict{Inputs: 4, Results: 4},
			recovered: 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := chaos.Judge(inputs, tc.out, tc.dlq, tc.events, nil)
			require.NoError(t, err)
			got := chaos.Verdict{Inputs: v.Inputs, Results: v.Results, DeadLetters: v.DeadLetters, Lost: v.Lost,
				Duplicates: v.Duplicates, OrderViolations: v.OrderViolations}
			require.Equal(t, tc.want, got, v.Lines)
			require.Equal(t, tc.recovered, v.Recovered)
		})
	}
}

func TestJudge_refuses_a_result_naming_an_input_never_written(t *testing.T) {
	_, err := chaos.Judge([]*kgo.Record{in(0, 0, "a")}, []*kgo.Record{out(0, 0, 7, 1)}, nil, nil, nil)
	require.EqualError(t, err, "out/0/0 names input 0/7, which is not in the input topic")
}

func TestJudge_a_draining_partitions_tail_is_pending_and_a_gap_is_lost(t *testing.T) {
	inputs := []*kgo.Record{in(0, 0, "a"), in(0, 1, "a"), in(0, 2, "a"), in(0, 3, "a"), in(1, 0, "b")}
	out := []*kgo.Record{out(0, 0, 0, 1), out(1, 0, 2, 2)} // 0/1 skipped, 0/3 not reached, 1/0 never
	v, err := chaos.Judge(inputs, out, nil, nil, map[int32]bool{0: true})
	require.NoError(t, err)
	require.Equal(t, 1, v.Pending, "0/3: behind everything handled on a partition still draining")
	require.Equal(t, 2, v.Lost, "0/1 (a gap) and 1/0 (its partition was not draining)")
}
