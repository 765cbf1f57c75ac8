package kafka

// An internal test: the window is the scheduling core of key mode, and its
// rules are easier to see here than through a broker.

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

func rec(offset int64, key string) *sarama.ConsumerMessage {
	return &sarama.ConsumerMessage{Offset: offset, Key: []byte(key)}
}

// The script: "+O" takes offset O (its key is the letter after the colon),
// "-O" finishes it. want lists, per step, what may run ("run:O" or "wait")
// or, for a finish, the record started next and the committable offset.
func TestWindow_key_lanes(t *testing.T) {
	type step struct {
		take   bool
		offset int64
		key    string
		want   string
	}
	cases := []struct {
		name  string
		limit int
		lane  func(*sarama.ConsumerMessage) string
		steps []step
	}{
		{"different_keys_run_at_once", 8, keyLane, []step{
			{true, 0, "a", "run:0"}, {true, 1, "b", "run:1"}, {true, 2, "c", "run:2"},
			{false, 1, "", "next:- commit:-"}, // 0 still runs: nothing committable
			{false, 0, "", "next:- commit:1"}, // 0 and 1 done
			{false, 2, "", "next:- commit:2"},
		}},
		{"same_key_waits_and_keeps_offset_order", 8, keyLane, []step{
			{true, 0, "a", "run:0"}, {true, 1, "a", "wait"}, {true, 2, "b", "run:2"}, {true, 3, "a", "wait"},
			{false, 2, "", "next:- commit:-"},
			{false, 0, "", "next:1 commit:0"},
			{false, 1, "", "next:3 commit:2"},
			{false, 3, "", "next:- commit:3"},
		}},
		{"a_slow_head_holds_the_commit_point_not_other_keys", 8, keyLane, []step{
			{true, 0, "slow", "run:0"}, {true, 1, "b", "run:1"}, {true, 2, "b", "wait"}, {true, 3, "c", "run:3"},
			{false, 1, "", "next:2 commit:-"},
			{false, 2, "", "next:- commit:-"},
			{false, 3, "", "next:- commit:-"},
			{false, 0, "", "next:- commit:3"},
		}},
		{"keyless_records_share_a_lane", 8, keyLane, []step{
			{true, 0, "", "run:0"}, {true, 1, "", "wait"},
			{false, 0, "", "next:1 commit:0"},
			{false, 1, "", "next:- commit:1"},
		}},
		{"partition_lane_runs_one_at_a_time", 8, partitionLane, []step{
			{true, 0, "a", "run:0"}, {true, 1, "b", "wait"},
			{false, 0, "", "next:1 commit:0"},
			{false, 1, "", "next:- commit:1"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWindow(c.limit, c.lane)
			taken := map[int64]*entry{}
			for i, s := range c.steps {
				var got string
				if s.take {
					e := w.add(rec(s.offset, s.key))
					got = "wait"
					for _, x := range w.entries {
						if x.km.Offset == s.offset {
							taken[s.offset] = x
						}
					}
					if e != nil {
						got = fmt.Sprintf("run:%d", e.km.Offset)
					}
				} else {
					next, last := w.finish(taken[s.offset])
					got = "next:- "
					if next != nil {
						got = fmt.Sprintf("next:%d ", next.km.Offset)
					}
					if last != nil {
						got += fmt.Sprintf("commit:%d", last.Offset)
					} else {
						got += "commit:-"
					}
				}
				require.Equal(t, s.want, got, "step %d", i)
			}
			require.Zero(t, w.len(), "every record finished, so nothing is left uncommitted")
			require.Empty(t, w.lanes)
		})
	}
}

func TestWindow_is_full_at_its_limit_of_uncommitted_records(t *testing.T) {
	w := newWindow(3, keyLane)
	a := w.add(rec(0, "a"))
	w.add(rec(1, "b"))
	w.add(rec(2, "c"))
	require.True(t, w.full())
	// Finishing a later record frees no room: it is not committable yet.
	_, last := w.finish(w.entries[2])
	require.Nil(t, last)
	require.True(t, w.full())
	_, last = w.finish(a)
	require.Equal(t, int64(0), last.Offset)
	require.False(t, w.full())
	require.Equal(t, 2, w.len())
}
