package kafka

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

// TopicSpec is a topic to ensure.
type TopicSpec struct {
	// Name of the topic.
	Name string
	// Partitions to create it with.
	Partitions int32
	// ReplicationFactor to create it with.
	ReplicationFactor int16
}

// TopicStatus says what EnsureTopics found or did for one topic.
type TopicStatus struct {
	// Name of the topic.
	Name string
	// Created is true when this call created the topic.
	Created bool
	// Partitions is the topic's partition count now.
	Partitions int32
}

// EnsureTopics creates every topic that does not exist yet, like the Admin
// API's createTopics, and leaves existing ones alone. It is idempotent.
func EnsureTopics(brokers []string, sc *sarama.Config, specs []TopicSpec) ([]TopicStatus, error) {
	admin, err := sarama.NewClusterAdmin(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("connect admin to %v: %w", brokers, err)
	}
	defer func() { _ = admin.Close() }()

	out := make([]TopicStatus, 0, len(specs))
	for _, sp := range specs {
		st := TopicStatus{Name: sp.Name, Partitions: sp.Partitions}
		err := admin.CreateTopic(sp.Name, &sarama.TopicDetail{
			NumPartitions: sp.Partitions, ReplicationFactor: sp.ReplicationFactor,
		}, false)
		switch {
		case err == nil:
			st.Created = true
		case errors.Is(err, sarama.ErrTopicAlreadyExists):
			meta, derr := admin.DescribeTopics([]string{sp.Name})
			if derr != nil {
				return out, fmt.Errorf("describe topic %q: %w", sp.Name, derr)
			}
			if len(meta) != 1 {
				return out, fmt.Errorf("describe topic %q: got metadata for %d topics, want 1", sp.Name, len(meta))
			}
			st.Partitions = int32(len(meta[0].Partitions))
		default:
			return out, fmt.Errorf("create topic %q (%d partitions, replication %d): %w",
				sp.Name, sp.Partitions, sp.ReplicationFactor, err)
		}
		out = append(out, st)
	}
	return out, nil
}
