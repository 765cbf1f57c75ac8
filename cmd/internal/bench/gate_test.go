package bench

import (
	"context"
	"encoding/json"
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
	runs := []Run{
		{Contender: Raw, MsgsPerSec: 100},
		{Contender: Stock, MsgsPerSec: 1e9, Verdict: Verdict{Duplicates: 3}},
		{Contender: Dispatch, MsgsPerSec: 80},
	}
	line := overheadLine(runs, Summarise(runs, 1000))
	require.Contains(t, line, "stock_msgs_per_s=failed")
	require.Contains(t, line, "stock_ratio=failed")
	require.Contains(t, line, "daemon_msgs_per_s=80 raw_msgs_per_s=100")
	require.Contains(t, line, "overhead_ratio=0.80")
}
