// Package kafkatest is the one place tests get a Kafka cluster from. With
// DISPATCHD_TEST_BROKERS set it uses that cluster (real Apache Kafka in CI);
// otherwise it starts the embedded kfake broker in process. Every
// integration test goes through Start, so each runs against both.
package kafkatest

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/devbroker"
	"dispatchd/app/kafka/security"
	"dispatchd/config"
)

// EnvBrokers names the cluster to test against; unset means embedded.
const EnvBrokers = "DISPATCHD_TEST_BROKERS"

// EnvRequireReal makes a test fail instead of falling back to the embedded broker.
const EnvRequireReal = "REQUIRE_REAL_KAFKA"

// Cluster is the cluster one test runs against.
type Cluster struct {
	// Brokers are its bootstrap addresses.
	Brokers []string
	// Kind is "external" or "embedded".
	Kind string
	// Version is the protocol version to configure clients with.
	Version string
	// SASL is the authentication its listener needs; zero for none.
	SASL config.SASL
	// TLS is the TLS its listener needs; zero for none.
	TLS config.TLS
}

// Start returns the test's cluster; an embedded one is closed at cleanup.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if v := strings.TrimSpace(os.Getenv(EnvBrokers)); v != "" {
		return &Cluster{Brokers: strings.Split(v, ","), Kind: "external", Version: config.Default().Kafka.Version}
	}
	if os.Getenv(EnvRequireReal) == "1" {
		t.Fatalf("%s=1 but %s is not set: refusing to fall back to the embedded broker", EnvRequireReal, EnvBrokers)
	}
	b, err := devbroker.Start("127.0.0.1:0", nil, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return &Cluster{Brokers: []string{b.Addr()}, Kind: "embedded", Version: config.Default().Kafka.Version}
}

// StartEmbeddedAt starts an embedded broker on addr, even when a real
// cluster is configured: for tests of what the daemon does while no broker
// is there yet, which need to choose when one appears.
func StartEmbeddedAt(t testing.TB, addr string) *Cluster {
	t.Helper()
	b, err := devbroker.Start(addr, nil, zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return &Cluster{Brokers: []string{b.Addr()}, Kind: "embedded", Version: config.Default().Kafka.Version}
}

var seq atomic.Int64

// Name returns a name no other test in this process or earlier run uses, for
// topics and groups, so tests can share one real cluster.
func Name(t testing.TB, prefix string) string {
	return fmt.Sprintf("%s.%s.%d.%d", prefix, sanitize(t.Name()), time.Now().UnixNano()%1e9, seq.Add(1))
}

func sanitize(s string) string {
	r := strings.NewReplacer("/", "-", " ", "-", "#", "-")
	s = r.Replace(s)
	if len(s) > 80 {
		s = s[len(s)-80:]
	}
	return s
}

// Config is dispatchd's default config pointed at c, with fresh topics and
// group, the HTTP server on a free port, and timeouts short enough for tests.
func (c *Cluster) Config(t testing.TB, partitions int32) config.Config {
	cfg := config.Default()
	cfg.Kafka.Brokers = c.Brokers
	cfg.Kafka.Version = c.Version
	if c.SASL.Enabled {
		cfg.Kafka.SASL = c.SASL
	}
	cfg.Kafka.TLS = c.TLS
	cfg.Consumer.Group = Name(t, "group")
	cfg.Topics.Input = Name(t, "in")
	cfg.Topics.Output = Name(t, "out")
	cfg.Topics.DeadLetter = Name(t, "dlq")
	cfg.Topics.Partitions = partitions
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "warn"
	cfg.Consumer.SessionTimeout = 6 * time.Second
	cfg.Consumer.NackBackoff = 10 * time.Millisecond
	cfg.Consumer.NackBackoffMax = 500 * time.Millisecond
	cfg.Router.RetryInitialBackoff = 10 * time.Millisecond
	cfg.Router.RetryMaxBackoff = 50 * time.Millisecond
	return cfg
}

// SaramaConfig is a plain client config for the test's own producers and
// consumers: what any Kafka client, not watermill, would use.
func (c *Cluster) SaramaConfig(t testing.TB) *sarama.Config {
	sc := sarama.NewConfig()
	v, err := sarama.ParseKafkaVersion(c.Version)
	require.NoError(t, err)
	sc.Version = v
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewHashPartitioner
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	require.NoError(t, security.Apply(sc, config.Kafka{SASL: c.SASL, TLS: c.TLS}))
	return sc
}

// CreateTopics creates the topics with the given partition count.
func (c *Cluster) CreateTopics(t testing.TB, partitions int32, names ...string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = admin.Close() }()
	for _, n := range names {
		require.NoError(t, admin.CreateTopic(n, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false), "create %s", n)
	}
}

// DeleteTopic deletes topic and waits until the brokers no longer list it.
func (c *Cluster) DeleteTopic(t testing.TB, topic string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = admin.Close() }()
	require.NoError(t, admin.DeleteTopic(topic), "delete %s", topic)
	require.Eventually(t, func() bool {
		topics, err := admin.ListTopics()
		_, listed := topics[topic]
		return err == nil && !listed
	}, 30*time.Second, 50*time.Millisecond, "%s still listed after its deletion", topic)
}

// RecreateTopic creates topic again after DeleteTopic, retrying while the
// brokers still finish the deletion (real Kafka deletes asynchronously).
func (c *Cluster) RecreateTopic(t testing.TB, partitions int32, topic string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = admin.Close() }()
	var last error
	require.Eventually(t, func() bool {
		last = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false)
		return last == nil
	}, 30*time.Second, 100*time.Millisecond, "recreate %s: %v", topic, &last)
}

// SetTopicConfig sets one config of topic on the brokers, or, with value
// nil, removes the override so the broker's default applies again.
func (c *Cluster) SetTopicConfig(t testing.TB, topic, name string, value *string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = admin.Close() }()
	op := sarama.IncrementalAlterConfigsOperationSet
	if value == nil {
		op = sarama.IncrementalAlterConfigsOperationDelete
	}
	require.NoError(t, admin.IncrementalAlterConfig(sarama.TopicResource, topic,
		map[string]sarama.IncrementalAlterConfigsEntry{name: {Operation: op, Value: value}}, false), "set %s of %s", name, topic)
}
