package deployments_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// TestKEDA_scales_on_the_daemons_group_and_topic: the trigger reads the lag
// of the group and topic the pods consume, from the brokers they use, and
// never adds members beyond the partition count (idle members).
func TestKEDA_scales_on_the_daemons_group_and_topic(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	cfg, err := config.Load("", podEnviron(t, d), nil)
	require.NoError(t, err)
	var so scaledObject
	one(t, "ScaledObject", &so)

	require.Equal(t, d.Metadata.Name, so.Spec.ScaleTargetRef.Name)
	require.NotNil(t, so.Spec.MinReplicaCount)
	require.NotNil(t, so.Spec.MaxReplicaCount)
	minR, maxR := *so.Spec.MinReplicaCount, *so.Spec.MaxReplicaCount
	require.GreaterOrEqual(t, minR, 1, "at least one member, or nothing consumes the lag KEDA scales on")
	require.LessOrEqual(t, minR, maxR)
	require.LessOrEqual(t, maxR, int(config.Default().Topics.Partitions), "maxReplicaCount vs default topics.partitions")
	require.LessOrEqual(t, maxR, int(cfg.Topics.Partitions), "maxReplicaCount vs the pods' topics.partitions")
	require.LessOrEqual(t, d.Spec.Replicas, maxR)

	require.Len(t, so.Spec.Triggers, 1)
	tr := so.Spec.Triggers[0]
	require.Equal(t, "kafka", tr.Type)
	require.Equal(t, cfg.Consumer.Group, tr.Metadata["consumerGroup"])
	require.Equal(t, cfg.Topics.Input, tr.Metadata["topic"])
	require.Equal(t, strings.Join(cfg.Kafka.Brokers, ","), tr.Metadata["bootstrapServers"])
	lag, err := strconv.Atoi(tr.Metadata["lagThreshold"])
	require.NoError(t, err)
	require.Positive(t, lag)
}

func TestReplicas_fit_the_partitions(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	compose := composeServices(t)["dispatchd"]
	parts := int(config.Default().Topics.Partitions)
	cases := []struct {
		name     string
		replicas int
	}{
		{"kubernetes", d.Spec.Replicas},
		{"compose", compose.Deploy.Replicas},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Positive(t, tc.replicas)
			require.LessOrEqual(t, tc.replicas, parts)
		})
	}
}

// TestSelectors_match: the PDB and the Service select the Deployment's pods.
func TestSelectors_match(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	var b pdb
	one(t, "PodDisruptionBudget", &b)
	var s service
	one(t, "Service", &s)
	labels := d.Spec.Template.Metadata.Labels
	require.Equal(t, d.Spec.Selector.MatchLabels, b.Spec.Selector.MatchLabels)
	require.Equal(t, 1, b.Spec.MaxUnavailable, "one member at a time")
	for k, v := range s.Spec.Selector {
		require.Equal(t, v, labels[k], "service selector %s", k)
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		require.Equal(t, v, labels[k], "deployment selector %s", k)
	}
}
