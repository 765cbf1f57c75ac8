package kafka

// An internal test: commitBook is what decides that a commit counts.

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
)

func TestCommitBook_a_commit_counts_only_once_the_coordinator_returns_it(t *testing.T) {
	c := kafkatest.Start(t)
	topic, group := kafkatest.Name(t, "in"), kafkatest.Name(t, "group")
	c.CreateTopics(t, 2, topic)
	sc := c.SaramaConfig(t)
	client, err := sarama.NewClient(c.Brokers, sc)
	require.NoError(t, err)
	defer func() { _ = client.Close() }()
	b := newCommitBook(client, group)

	b.mark(topic, 0, 5)
	b.mark(topic, 1, 3)
	want := b.pending()
	require.Len(t, want, 2)
	require.Greater(t, b.unconfirmedFor(time.Now().Add(time.Minute)), 59*time.Second, "marks wait for a confirmation")
	asked := time.Now()
	got, err := b.check(want, asked)
	require.Error(t, err, "nothing was committed: the check must fail")
	require.Empty(t, got)
	require.Len(t, b.pending(), 2, "still pending")
	require.Equal(t, time.Minute, b.unconfirmedFor(asked.Add(time.Minute)),
		"the coordinator answered: what it refused waits only since it was asked, so a refusal is no silence")

	// A standalone commit (no member, generation -1), as any admin tool can.
	coord, err := client.Coordinator(group)
	require.NoError(t, err)
	req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: group, ConsumerGroupGeneration: -1, RetentionTime: -1}
	req.AddBlock(topic, 0, 5, 0, "")
	require.Eventually(t, func() bool { // real Kafka may not know a topic created a moment ago
		resp, err := coord.CommitOffset(req)
		return err == nil && resp.Errors[topic][0] == sarama.ErrNoError
	}, 10*time.Second, 50*time.Millisecond)

	got, err = b.check(b.pending(), time.Now())
	require.ErrorContains(t, err, topic+"/1", "partition 1 is still not committed")
	require.Equal(t, map[partitionKey]int64{{topic, 0}: 5}, got, "partition 0 is")
	require.Equal(t, map[partitionKey]int64{{topic, 1}: 3}, b.pending())
	b.forget(topic, 1)
	require.Zero(t, b.unconfirmedFor(time.Now().Add(time.Hour)), "the partition waiting was revoked: nothing waits")
	require.True(t, b.transition(true), "the first failure is a change")
	require.False(t, b.transition(true), "the next is not: it is not logged again")
}
