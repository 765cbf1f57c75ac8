package kafka_test

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
)

// reading is a client config that reads at isolation level l.
func reading(l sarama.IsolationLevel) *sarama.Config {
	sc := sarama.NewConfig()
	sc.Consumer.IsolationLevel = l
	return sc
}

func TestLag_under_read_uncommitted_is_the_high_water_mark_less_the_commit_point(t *testing.T) {
	lags := map[int32]int64{}
	s := kafka.NewLag(nil, reading(sarama.ReadUncommitted), 0, func(_ string, p int32, lag int64) { lags[p] = lag }, zap.NewNop())
	require.NoError(t, s.Start(), "no LSO to poll: it connects nothing")
	steps := []struct {
		name string
		do   func()
		want map[int32]int64
	}{
		{"consumed", func() { s.ClaimStarted("in", 0); s.Consumed("in", 0, 5, 10) }, map[int32]int64{0: 5}},
		{"marked", func() { s.Marked("in", 0, 5) }, map[int32]int64{0: 4}},
		{"taken_records_count_until_marked", func() { s.Consumed("in", 0, 6, 12); s.Consumed("in", 0, 7, 12) },
			map[int32]int64{0: 6}},
		{"one_mark_passes_many", func() { s.Marked("in", 0, 7) }, map[int32]int64{0: 4}},
		{"other_partition", func() { s.ClaimStarted("in", 1); s.Consumed("in", 1, 0, 3) }, map[int32]int64{0: 4, 1: 3}},
		{"claim_ended_and_a_late_mark_sets_nothing", func() { s.ClaimEnded("in", 0); delete(lags, 0); s.Marked("in", 0, 9) },
			map[int32]int64{1: 3}},
		{"claimed_again_starts_at_its_first_record", func() { s.ClaimStarted("in", 0); s.Consumed("in", 0, 7, 10) },
			map[int32]int64{0: 3, 1: 3}},
	}
	for _, st := range steps {
		st.do()
		require.Equal(t, st.want, lags, st.name)
	}
	require.NoError(t, s.Stop())
}

func TestLag_under_read_committed_measures_to_the_LSO_and_skips_gaps_no_record_came_from(t *testing.T) {
	type step struct {
		consume []int64 // records taken
		mark    []int64 // records finished
		lso     int64   // then one tick answers this; -1: no tick
		want    int64   // the last lag set; -1: none
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"nothing_taken_is_unknown_until_a_quiet_interval", []step{
			{lso: 10, want: -1}, {lso: 10, want: 0}}},
		{"taken_and_unfinished_is_lag", []step{
			{consume: []int64{4, 5, 6}, mark: []int64{4}, lso: 20, want: 15}}},
		{"a_trailing_marker_is_lag_for_one_interval_then_not", []step{
			{consume: []int64{4, 5}, mark: []int64{4, 5}, lso: 7, want: 1}, {lso: 7, want: 0}, {lso: 7, want: 0}}},
		{"an_unfinished_record_keeps_the_gap", []step{
			{consume: []int64{4, 5}, mark: []int64{4}, lso: 9, want: 4}, {lso: 9, want: 4}}},
		{"a_moving_LSO_is_not_a_gap", []step{
			{consume: []int64{0}, mark: []int64{0}, lso: 5, want: 4}, {lso: 8, want: 7}}},
		{"a_record_below_the_floor_undoes_it", []step{
			{consume: []int64{0}, mark: []int64{0}, lso: 4, want: 3}, {lso: 4, want: 0},
			{consume: []int64{2}, lso: 4, want: 3}}},
		{"records_between_ticks_move_the_lag_at_once", []step{
			{consume: []int64{0}, mark: []int64{0}, lso: 10, want: 9},
			{consume: []int64{1, 2, 3}, mark: []int64{1, 2}, lso: -1, want: 7},
			{consume: []int64{10, 11}, lso: -1, want: 9}}},
		{"records_after_a_gap_count_from_where_they_are", []step{
			{consume: []int64{0}, mark: []int64{0}, lso: 4, want: 3}, {lso: 4, want: 0},
			{consume: []int64{5, 6}, mark: []int64{5}, lso: 9, want: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := int64(-1)
			s := kafka.NewLag(nil, reading(sarama.ReadCommitted), 0, func(_ string, _ int32, lag int64) { got = lag }, zap.NewNop())
			s.ClaimStarted("in", 0)
			for i, st := range tt.steps {
				for _, o := range st.consume {
					s.Consumed("in", 0, o, 0)
				}
				for _, o := range st.mark {
					s.Marked("in", 0, o)
				}
				if st.lso >= 0 {
					got = -1
					kafka.PollStable(s, "in", 0, st.lso)
				}
				require.Equal(t, st.want, got, "poll %d", i+1)
			}
		})
	}
}

func TestLag_under_read_committed_reports_no_partition_it_no_longer_owns(t *testing.T) {
	set := 0
	s := kafka.NewLag(nil, reading(sarama.ReadCommitted), 0, func(string, int32, int64) { set++ }, zap.NewNop())
	s.ClaimStarted("in", 0)
	s.Consumed("in", 0, 1, 0)
	s.ClaimEnded("in", 0)
	kafka.PollStable(s, "in", 0, 5)
	require.Zero(t, set)
	require.NoError(t, s.Stop(), "stop without start")
}
