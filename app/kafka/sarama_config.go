package kafka

import (
	"fmt"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"

	"dispatchd/app/kafka/security"
	"dispatchd/config"
)

// sarama records per-request histograms with go-metrics, which dispatchd
// never exports; they cost several percent of its CPU. The switch is
// process-wide and read by every client as it is made, so it is set before
// any goroutine runs: in init, for every process that links this package.
func init() { metrics.UseNilMetrics = true }

// SaramaConfig translates dispatchd's config into one sarama.Config shared by
// the consumer group, the producer and the admin client. It assumes cfg was
// validated; it still returns sarama's own verdict so nothing slips through.
func SaramaConfig(cfg config.Config) (*sarama.Config, error) {
	sc := sarama.NewConfig()
	sc.ClientID = cfg.Kafka.ClientID
	// A metadata request must not create a topic as a side effect: a typo in
	// topics.output would silently make a new topic. Topics are created only
	// by topics.auto_create, through the admin API.
	sc.Metadata.AllowAutoTopicCreation = false
	v, err := sarama.ParseKafkaVersion(cfg.Kafka.Version)
	if err != nil {
		return nil, fmt.Errorf("kafka.version: %w", err)
	}
	sc.Version = v
	if err := security.Apply(sc, cfg.Kafka); err != nil {
		return nil, err
	}

	consumerConfig(sc, cfg.Consumer)
	if err := producerConfig(sc, cfg.Producer); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("sarama rejects the config: %w", err)
	}
	return sc, nil
}

func consumerConfig(sc *sarama.Config, c config.Consumer) {
	sc.Consumer.Return.Errors = true
	sc.Consumer.Fetch.Default = int32(c.PartitionFetchBytes)
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	// sarama, like Java, reads uncommitted by default; records of an
	// aborted transaction must not be dispatched (consumer.isolation_level).
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	if c.IsolationLevel == "read_uncommitted" {
		sc.Consumer.IsolationLevel = sarama.ReadUncommitted
	}
	if c.InitialOffset == "newest" {
		sc.Consumer.Offsets.Initial = sarama.OffsetNewest
	}
	// Offsets are marked only after a message's result is acknowledged, and
	// committed by the subscriber itself (see claimHandler), every
	// AutoCommit.Interval and whenever a claim or session ends.
	sc.Consumer.Offsets.AutoCommit.Enable = false
	sc.Consumer.Group.Session.Timeout = c.SessionTimeout
	sc.Consumer.Group.Heartbeat.Interval = c.HeartbeatInterval
	sc.Consumer.Group.Rebalance.Timeout = c.RebalanceTimeout
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{balanceStrategy(c.RebalanceStrategy)}
	if c.InstanceID != "" {
		sc.Consumer.Group.InstanceId = c.InstanceID
	}
}

// balanceStrategy returns a new strategy for its name; the names are
// sarama's own (BalanceStrategy.Name), which are also the config's values.
func balanceStrategy(name string) sarama.BalanceStrategy {
	switch name {
	case sarama.RangeBalanceStrategyName:
		return sarama.NewBalanceStrategyRange()
	case sarama.RoundRobinBalanceStrategyName:
		return sarama.NewBalanceStrategyRoundRobin()
	case sarama.StickyBalanceStrategyName:
		return sarama.NewBalanceStrategySticky()
	default:
		return sarama.NewBalanceStrategyCooperativeSticky()
	}
}

func producerConfig(sc *sarama.Config, p config.Producer) error {
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	switch p.Acks {
	case "none":
		sc.Producer.RequiredAcks = sarama.NoResponse
	case "leader":
		sc.Producer.RequiredAcks = sarama.WaitForLocal
	default:
		sc.Producer.RequiredAcks = sarama.WaitForAll
	}
	sc.Producer.Idempotent = p.Idempotent
	sc.Producer.Retry.Max = retriesWithin(p)
	sc.Producer.Retry.Backoff = p.RetryBackoff
	sc.Producer.MaxMessageBytes = p.MaxMessageBytes
	sc.Net.MaxOpenRequests = p.MaxInFlight
	var codec sarama.CompressionCodec
	if err := codec.UnmarshalText([]byte(p.Compression)); err != nil {
		return fmt.Errorf("producer.compression: %w", err)
	}
	sc.Producer.Compression = codec
	sc.Producer.Flush.Frequency = p.FlushFrequency
	sc.Producer.Flush.Bytes = p.FlushBytes
	sc.Producer.Flush.Messages = p.FlushMessages
	// Results are keyed by the input's key, so one entity's results land on
	// one partition, in order, as the seed's advice on keys asks; which one
	// is producer.partitioner's choice (Java's, by default).
	sc.Producer.Partitioner = partitioner(p.Partitioner)
	return nil
}

// retriesWithin is producer.retries, cut to what fits in
// producer.delivery_timeout at producer.retry_backoff apart: sarama counts
// retries where Java's producer counts time, and a leader failover must be
// retried for as long as the publish may wait, no longer, so sarama does
// not go on writing a record whose publish already failed.
func retriesWithin(p config.Producer) int {
	if p.RetryBackoff <= 0 {
		return p.Retries
	}
	fit := int64(p.DeliveryTimeout/p.RetryBackoff) + 1
	return int(min(int64(p.Retries), fit))
}
