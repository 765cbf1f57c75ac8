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
					next, last := finish(w, taken[s.offset])
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
	_, last := finish(w, w.entries[2])
	require.Nil(t, last)
	require.True(t, w.full())
	_, last = finish(w, a)
	require.Equal(t, int64(0), last.Offset)
	require.False(t, w.full())
	require.Equal(t, 2, w.len())
}

// finish is a record acked with nothing in flight: handled, then settled.
func finish(w *window, e *entry) (*entry, *sarama.ConsumerMessage) {
	next := w.handled(e)
	return next, w.settled(e)
}

func TestWindow_pipelining_moves_the_lane_on_before_the_commit_point(t *testing.T) {
	w := newWindow(8, partitionLane)
	a := w.add(rec(0, "k"))
	require.Nil(t, w.add(rec(1, "k")))
	require.Nil(t, w.add(rec(2, "k")))
	// 0 acked, its results in flight: 1 runs, nothing is committable.
	b := w.handled(a)
	require.Equal(t, int64(1), b.km.Offset)
	c := w.handled(b)
	require.Equal(t, int64(2), c.km.Offset)
	// 1's results are acknowledged first: still nothing below it is.
	require.Nil(t, w.settled(b))
	require.Equal(t, int64(1), w.settled(a).Offset, "0 and 1 settled: the commit point passes both")
	require.Nil(t, w.handled(c))
	require.Equal(t, int64(2), w.settled(c).Offset)
	require.Zero(t, w.len())
}

func TestWindow_restart_replays_from_the_commit_point(t *testing.T) {
	w := newWindow(8, keyLane)
	a := w.add(rec(0, "a"))
	w.add(rec(1, "b"))
	require.Nil(t, w.add(rec(2, "a")))
	// 0 settled; 1 failed; 2 ran and settled above the failure.
	next := w.handled(a)
	require.Equal(t, int64(0), w.settled(a).Offset)
	b := w.entries[0]
	require.Nil(t, w.handled(b))
	b.failed = true
	require.Nil(t, w.handled(next))
	require.Nil(t, w.settled(next), "1 failed: the commit point stays at 1")

	run := w.restart()
	require.Equal(t, 2, w.len(), "1 and 2 are taken again")
	require.Len(t, run, 2, "their lanes are free: both run")
	require.Equal(t, int64(1), run[0].km.Offset)
	require.True(t, run[0].sync, "the failed record runs synchronously")
	require.False(t, run[1].sync)
	require.False(t, run[1].done, "what settled above the failure is redone")
}
