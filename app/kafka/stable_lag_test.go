package kafka_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
)

func TestStableLag_measures_to_the_LSO_and_skips_gaps_no_record_came_from(t *testing.T) {
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
			s := kafka.NewStableLag(nil, nil, 0, func(_ string, _ int32, lag int64) { got = lag }, zap.NewNop())
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

func TestStableLag_reports_no_partition_it_no_longer_owns(t *testing.T) {
	set := 0
	s := kafka.NewStableLag(nil, nil, 0, func(string, int32, int64) { set++ }, zap.NewNop())
	s.ClaimStarted("in", 0)
	s.Consumed("in", 0, 1, 0)
	s.ClaimEnded("in", 0)
	kafka.PollStable(s, "in", 0, 5)
	require.Zero(t, set)
	require.NoError(t, s.Stop(), "stop without start")
	var none *kafka.StableLag
	require.NoError(t, none.Start())
	require.NoError(t, none.Stop())
}
