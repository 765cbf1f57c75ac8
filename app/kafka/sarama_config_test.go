package kafka_test

import (
	"math"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
	"dispatchd/config"
)

func TestSaramaConfig_producer_retries_last_as_long_as_the_delivery_timeout(t *testing.T) {
	cases := []struct {
		name      string
		retries   int
		backoff   time.Duration
		timeout   time.Duration
		wantRetry int
	}{
		{name: "javas_default_retries_end_with_the_timeout", retries: math.MaxInt32, backoff: 100 * time.Millisecond,
			timeout: 2 * time.Minute, wantRetry: 1201},
		{name: "a_short_timeout_gives_few_retries", retries: math.MaxInt32, backoff: 100 * time.Millisecond,
			timeout: 2 * time.Second, wantRetry: 21},
		{name: "an_explicit_count_below_the_timeout_is_kept", retries: 3, backoff: 100 * time.Millisecond,
			timeout: 2 * time.Minute, wantRetry: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Producer.Retries, cfg.Producer.RetryBackoff, cfg.Producer.DeliveryTimeout = tc.retries, tc.backoff, tc.timeout
			sc, err := kafka.SaramaConfig(cfg)
			require.NoError(t, err)
			require.Equal(t, tc.wantRetry, sc.Producer.Retry.Max)
			require.Equal(t, tc.backoff, sc.Producer.Retry.Backoff)
		})
	}
}

func TestSaramaConfig_topics_are_never_created_by_a_metadata_request(t *testing.T) {
	sc, err := kafka.SaramaConfig(config.Default())
	require.NoError(t, err)
	require.False(t, sc.Metadata.AllowAutoTopicCreation)
	require.Equal(t, config.Default().Producer.MaxMessageBytes, sc.Producer.MaxMessageBytes)
}

func TestSaramaConfig_isolation_level(t *testing.T) {
	tests := []struct {
		name  string
		level string
		want  sarama.IsolationLevel
	}{
		{"default_reads_committed", "", sarama.ReadCommitted},
		{"read_committed", "read_committed", sarama.ReadCommitted},
		{"read_uncommitted", "read_uncommitted", sarama.ReadUncommitted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			if tt.level != "" {
				cfg.Consumer.IsolationLevel = tt.level
			}
			require.NoError(t, cfg.Validate())
			sc, err := kafka.SaramaConfig(cfg)
			require.NoError(t, err)
			require.Equal(t, tt.want, sc.Consumer.IsolationLevel)
		})
	}
}

func TestSaramaConfig_partition_fetch_bytes_sizes_each_partitions_fetch(t *testing.T) {
	cfg := config.Default()
	cfg.Consumer.PartitionFetchBytes = 64 << 10
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	require.Equal(t, int32(64<<10), sc.Consumer.Fetch.Default)
	require.Zero(t, sc.Consumer.Fetch.Max, "a record larger than a fetch must still be read")
}
