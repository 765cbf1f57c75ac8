package kafka_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
)

func TestProgress_commit_ages_move_only_when_a_new_offset_is_committed(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := kafka.NewProgress(time.Minute)
	p.SetClock(func() time.Time { return now })
	ages := func() map[int32]time.Duration {
		out := map[int32]time.Duration{}
		p.CommitAges(func(_ string, partition int32, age time.Duration) { out[partition] = age })
		return out
	}

	p.ClaimStarted("in", 0)
	p.ClaimStarted("in", 1)
	now = now.Add(5 * time.Second)
	require.Equal(t, map[int32]time.Duration{0: 5 * time.Second, 1: 5 * time.Second}, ages(), "aged from the assignment")

	p.Consumed("in", 0, 0, 1)
	p.Marked("in", 0, 0)
	p.CommitFailed(1)
	now = now.Add(time.Second)
	require.Equal(t, 6*time.Second, ages()[0], "a commit the coordinator did not confirm does not reset the age")
	p.Committed("in", 0, 1)
	now = now.Add(2 * time.Second)
	require.Equal(t, map[int32]time.Duration{0: 2 * time.Second, 1: 8 * time.Second}, ages(),
		"a commit resets only the partition whose offset moved")

	p.Committed("in", 0, 1)
	now = now.Add(time.Second)
	require.Equal(t, 3*time.Second, ages()[0], "a commit with nothing new does not reset the age")

	p.ClaimEnded("in", 1)
	require.NotContains(t, ages(), int32(1), "a partition no longer owned is not reported")
}

func TestProgress_stalls_only_on_records_taken_and_not_finished(t *testing.T) {
	tests := []struct {
		name  string
		steps func(p *kafka.Progress)
		want  []string
	}{
		{"nothing_taken", func(*kafka.Progress) {}, nil},
		{"taken_not_finished", func(p *kafka.Progress) { p.Consumed("in", 0, 5, 10) }, []string{"in/0"}},
		{"finished_up_to_the_high_water_mark", func(p *kafka.Progress) {
			p.Consumed("in", 0, 9, 10)
			p.Marked("in", 0, 9)
		}, nil},
		// A transaction's commit marker sits at offset 10: no record is ever
		// delivered there, so the high-water mark stays one ahead.
		{"finished_below_a_commit_marker", func(p *kafka.Progress) {
			p.Consumed("in", 0, 8, 11)
			p.Consumed("in", 0, 9, 11)
			p.Marked("in", 0, 9)
		}, nil},
		{"finished_the_first_of_two", func(p *kafka.Progress) {
			p.Consumed("in", 0, 8, 10)
			p.Consumed("in", 0, 9, 10)
			p.Marked("in", 0, 8)
		}, []string{"in/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1_000_000, 0)
			p := kafka.NewProgress(10 * time.Second)
			p.SetClock(func() time.Time { return now })
			p.ClaimStarted("in", 0)
			tt.steps(p)
			now = now.Add(11 * time.Second)
			require.Equal(t, tt.want, p.Stalled())
		})
	}
}

func TestProgress_oldest_age_is_the_oldest_unfinished_record(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := kafka.NewProgress(time.Minute)
	p.SetClock(func() time.Time { return now })
	oldest := func() map[int32]time.Duration {
		out := map[int32]time.Duration{}
		p.OldestAges(func(_ string, partition int32, age time.Duration) { out[partition] = age })
		return out
	}

	p.ClaimStarted("in", 0)
	require.Equal(t, map[int32]time.Duration{0: 0}, oldest(), "nothing taken: 0")
	p.Consumed("in", 0, 10, 20) // a stuck key's head
	now = now.Add(time.Second)
	p.Consumed("in", 0, 11, 20)
	p.Consumed("in", 0, 12, 20)
	now = now.Add(4 * time.Second)
	require.Equal(t, 5*time.Second, oldest()[0], "aged from when the oldest unfinished record was taken")

	p.Marked("in", 0, 10)
	require.Equal(t, 4*time.Second, oldest()[0], "the commit point moved: the next record is the oldest")
	p.Marked("in", 0, 12)
	require.Equal(t, time.Duration(0), oldest()[0], "all finished: 0")
}
