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
