package bench

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

func result(t *testing.T, key string, seq int) *sarama.ConsumerMessage {
	v, err := json.Marshal(Item{Key: key, Seq: seq})
	require.NoError(t, err)
	return &sarama.ConsumerMessage{Key: []byte(key), Value: v}
}

func TestGate_verdicts(t *testing.T) {
	tests := []struct {
		name     string
		expected int
		feed     func(t *testing.T) []*sarama.ConsumerMessage
		want     Verdict
		ok       bool
	}{
		{name: "all_in_order", expected: 3, ok: true, want: Verdict{Results: 3},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				return []*sarama.ConsumerMessage{result(t, "a", 0), result(t, "b", 0), result(t, "a", 1)}
			}},
		{name: "one_lost", expected: 3, want: Verdict{Results: 2, Lost: 1},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				return []*sarama.ConsumerMessage{result(t, "a", 0), result(t, "a", 1)}
			}},
		{name: "duplicate_counted", expected: 2, want: Verdict{Results: 2, Duplicates: 1},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				return []*sarama.ConsumerMessage{result(t, "a", 0), result(t, "a", 0), result(t, "a", 1)}
			}},
		{name: "key_order_violation", expected: 3, want: Verdict{Results: 3, OrderViolations: 1},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				return []*sarama.ConsumerMessage{result(t, "a", 0), result(t, "a", 2), result(t, "a", 1)}
			}},
		{name: "other_keys_do_not_interleave_order", expected: 4, ok: true, want: Verdict{Results: 4},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				return []*sarama.ConsumerMessage{result(t, "b", 1), result(t, "a", 0), result(t, "b", 2), result(t, "a", 1)}
			}},
		{name: "key_mismatch_is_undecodable", expected: 1, want: Verdict{Results: 0, Lost: 1, Undecodable: 1},
			feed: func(t *testing.T) []*sarama.ConsumerMessage {
				m := result(t, "a", 0)
				m.Key = []byte("b")
				return []*sarama.ConsumerMessage{m}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Gate{Expected: tt.expected, seen: map[Item]bool{}, lastSeq: map[string]int{}, done: make(chan struct{})}
			for _, m := range tt.feed(t) {
				g.observe(m, time.Now())
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // do not wait for results that will never come
			v := g.Wait(ctx, 0)
			require.Equal(t, tt.want.Results, v.Results)
			require.Equal(t, tt.want.Lost, v.Lost)
			require.Equal(t, tt.want.Duplicates, v.Duplicates)
			require.Equal(t, tt.want.OrderViolations, v.OrderViolations)
			require.Equal(t, tt.want.Undecodable, v.Undecodable)
			require.Equal(t, tt.ok, v.OK())
		})
	}
}

func TestOverheadLine_a_failed_contender_is_never_reported_as_fast(t *testing.T) {
	passing := func(c string, rate float64) Run { return Run{Contender: c, MsgsPerSec: rate} }
	dup := func(c string) Run { return Run{Contender: c, MsgsPerSec: 1e9, Verdict: Verdict{Duplicates: 3}} }
	tests := []struct {
		name string
		runs []Run
		want []string
	}{
		{name: "all_pass",
			runs: []Run{passing(Raw, 100), passing(Stock, 50), passing(Pipelined, 400), passing(Franz, 500), passing(Dispatch, 80)},
			want: []string{"BENCH overhead daemon_msgs_per_s=80 raw_msgs_per_s=100 stock_msgs_per_s=50 pipelined_msgs_per_s=400 franz_msgs_per_s=500 " +
				"overhead_ratio=0.80 stock_ratio=0.50 pipelined_ratio=0.20 franz_ratio=0.16 order_violations=0 lost=0 duplicates=0"}},
		{name: "stock_failed",
			runs: []Run{passing(Raw, 100), dup(Stock), passing(Pipelined, 400), passing(Franz, 500), passing(Dispatch, 80)},
			want: []string{"stock_msgs_per_s=failed", "stock_ratio=failed", "daemon_msgs_per_s=80 raw_msgs_per_s=100", "overhead_ratio=0.80",
				"pipelined_ratio=0.20"}},
		{name: "pipelined_failed_in_one_round",
			runs: []Run{passing(Pipelined, 400), dup(Pipelined), passing(Raw, 100), passing(Stock, 50), passing(Franz, 500), passing(Dispatch, 80)},
			want: []string{"pipelined_msgs_per_s=failed", "pipelined_ratio=failed", "franz_ratio=0.16", "overhead_ratio=0.80"}},
		{name: "franz_did_not_run",
			runs: []Run{passing(Raw, 100), passing(Stock, 50), passing(Pipelined, 400), {Contender: Franz, Err: errors.New("exited")}, passing(Dispatch, 80)},
			want: []string{"franz_msgs_per_s=failed", "franz_ratio=failed", "pipelined_ratio=0.20"}},
		{name: "floor_is_set_beside_dispatchd_and_pipelined",
			runs: []Run{passing(Pipelined, 400), passing(Floor, 160), passing(Dispatch, 80)},
			want: []string{"floor_msgs_per_s=160 floor_ratio=0.50 floor_pipelined_ratio=0.40", "pipelined_ratio=0.20"}},
		{name: "floor_failed",
			runs: []Run{passing(Pipelined, 400), dup(Floor), passing(Dispatch, 80)},
			want: []string{"floor_msgs_per_s=failed floor_ratio=failed floor_pipelined_ratio=failed", "pipelined_ratio=0.20"}},
		{name: "dispatchd_failed_fails_every_ratio_but_stock",
			runs: []Run{passing(Raw, 100), passing(Stock, 50), passing(Pipelined, 400), passing(Franz, 500), dup(Dispatch)},
			want: []string{"daemon_msgs_per_s=failed", "overhead_ratio=failed stock_ratio=0.50 pipelined_ratio=failed franz_ratio=failed", "duplicates=3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := overheadLine(tt.runs, Summarise(tt.runs, 1000))
			for _, w := range tt.want {
				require.Contains(t, line, w)
			}
		})
	}
}
