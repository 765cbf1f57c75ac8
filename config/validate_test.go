package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Config)
		want   string // "" when the config is valid
	}{
		{"no_brokers", func(c *config.Config) { c.Kafka.Brokers = nil }, "kafka.brokers must list"},
		{"broker_without_port", func(c *config.Config) { c.Kafka.Brokers = []string{"a:1", "b"} }, "kafka.brokers[1]"},
		{"broker_without_host", func(c *config.Config) { c.Kafka.Brokers = []string{":9092"} }, "kafka.brokers[0]"},
		{"broker_port_zero", func(c *config.Config) { c.Kafka.Brokers = []string{"a:0"} }, "kafka.brokers[0]"},
		{"broker_port_too_big", func(c *config.Config) { c.Kafka.Brokers = []string{"a:65536"} }, "kafka.brokers[0]"},
		{"broker_port_not_numeric", func(c *config.Config) { c.Kafka.Brokers = []string{"a:kafka"} }, "kafka.brokers[0]"},
		{"broker_ipv6_is_valid", func(c *config.Config) { c.Kafka.Brokers = []string{"[::1]:9092"} }, ""},
		{"empty_client_id", func(c *config.Config) { c.Kafka.ClientID = "" }, "kafka.client_id"},
		{"version_not_dotted", func(c *config.Config) { c.Kafka.Version = "latest" }, "kafka.version"},
		{"version_two_parts", func(c *config.Config) { c.Kafka.Version = "3.6" }, "kafka.version"},
		{"version_without_headers", func(c *config.Config) { c.Kafka.Version = "0.10.2.1" }, "kafka.version"},
		{"version_four_parts_is_valid", func(c *config.Config) { c.Kafka.Version = "0.11.0.2" }, ""},
		{"sasl_without_username", func(c *config.Config) { c.Kafka.SASL = config.SASL{Enabled: true, Password: "p"} }, "kafka.sasl.username"},
		{"sasl_without_password", func(c *config.Config) { c.Kafka.SASL = config.SASL{Enabled: true, Username: "u"} }, "kafka.sasl.password"},
		{"sasl_complete_is_valid", func(c *config.Config) {
			c.Kafka.SASL = config.SASL{Enabled: true, Username: "u", Password: "p"}
			c.Kafka.TLS.Enabled = true
		}, ""},
		{"empty_group", func(c *config.Config) { c.Consumer.Group = "" }, "consumer.group"},
		{"bad_initial_offset", func(c *config.Config) { c.Consumer.InitialOffset = "latest" }, "consumer.initial_offset"},
		{"zero_session_timeout", func(c *config.Config) { c.Consumer.SessionTimeout = 0 }, "consumer.session_timeout"},
		{"zero_heartbeat", func(c *config.Config) { c.Consumer.HeartbeatInterval = 0 }, "consumer.heartbeat_interval"},
		{"heartbeat_above_a_third", func(c *config.Config) { c.Consumer.HeartbeatInterval = 4 * time.Second },
			"consumer.heartbeat_interval (4s) must be at most a third of consumer.session_timeout (10s)"},
		{"zero_rebalance_timeout", func(c *config.Config) { c.Consumer.RebalanceTimeout = 0 }, "consumer.rebalance_timeout"},
		{"bad_rebalance_strategy", func(c *config.Config) { c.Consumer.RebalanceStrategy = "cooperative" }, "consumer.rebalance_strategy"},
		{"bad_instance_id", func(c *config.Config) { c.Consumer.InstanceID = "worker 1" }, "consumer.instance_id"},
		{"instance_id_is_valid", func(c *config.Config) { c.Consumer.InstanceID = "worker-1.eu_west" }, ""},
		{"bad_isolation_level", func(c *config.Config) { c.Consumer.IsolationLevel = "committed" }, "consumer.isolation_level"},
		{"read_uncommitted_is_valid", func(c *config.Config) { c.Consumer.IsolationLevel = "read_uncommitted" }, ""},
		{"bad_ordering", func(c *config.Config) { c.Consumer.Ordering = "keyed" }, "consumer.ordering"},
		{"key_ordering_is_valid", func(c *config.Config) { c.Consumer.Ordering = "key" }, ""},
		{"zero_consumer_max_in_flight", func(c *config.Config) { c.Consumer.MaxInFlight = 0 }, "consumer.max_in_flight"},
		{"huge_consumer_max_in_flight", func(c *config.Config) { c.Consumer.MaxInFlight = 10001 }, "consumer.max_in_flight"},
		{"zero_partition_fetch_bytes", func(c *config.Config) { c.Consumer.PartitionFetchBytes = 0 }, "consumer.partition_fetch_bytes"},
		{"partition_fetch_bytes_above_100_mib", func(c *config.Config) { c.Consumer.PartitionFetchBytes = 100<<20 + 1 }, "consumer.partition_fetch_bytes"},
		{"zero_gc_percent", func(c *config.Config) { c.Runtime.GCPercent = 0 }, "runtime.gc_percent"},
		{"zero_consumer_nack_backoff", func(c *config.Config) { c.Consumer.NackBackoff = 0 }, "consumer.nack_backoff"},
		{"nack_backoff_max_below_nack_backoff", func(c *config.Config) { c.Consumer.NackBackoffMax = time.Millisecond }, "consumer.nack_backoff_max"},
		{"bad_acks", func(c *config.Config) { c.Producer.Acks = "1" }, "producer.acks"},
		{"negative_retries", func(c *config.Config) { c.Producer.Retries = -1 }, "producer.retries"},
		{"negative_retry_backoff", func(c *config.Config) { c.Producer.RetryBackoff = -time.Second }, "producer.retry_backoff"},
		{"zero_delivery_timeout", func(c *config.Config) { c.Producer.DeliveryTimeout = 0 }, "producer.delivery_timeout"},
		{"zero_max_in_flight", func(c *config.Config) { c.Producer.MaxInFlight = 0 }, "producer.max_in_flight"},
		{"bad_compression", func(c *config.Config) { c.Producer.Compression = "brotli" }, "producer.compression"},
		{"bad_partitioner", func(c *config.Config) { c.Producer.Partitioner = "murmur2_random" }, "producer.partitioner"},
		{"crc32_partitioner_is_valid", func(c *config.Config) { c.Producer.Partitioner = "crc32" }, ""},
		{"fnv_partitioner_is_valid", func(c *config.Config) { c.Producer.Partitioner = "fnv" }, ""},
		{"negative_flush_frequency", func(c *config.Config) { c.Producer.FlushFrequency = -1 }, "producer.flush_frequency"},
		{"negative_flush_bytes", func(c *config.Config) { c.Producer.FlushBytes = -1 }, "producer.flush_bytes"},
		{"negative_flush_messages", func(c *config.Config) { c.Producer.FlushMessages = -1 }, "producer.flush_messages"},
		{"idempotent_without_acks_all", func(c *config.Config) { c.Producer.Acks = "leader" }, "producer.idempotent requires producer.acks=all"},
		{"idempotent_without_retries", func(c *config.Config) { c.Producer.Retries = 0 }, "producer.idempotent requires producer.retries"},
		{"idempotent_with_two_in_flight", func(c *config.Config) { c.Producer.MaxInFlight = 2 }, "only one in-flight request per connection"},
		{"retries_reorder_without_idempotence", func(c *config.Config) {
			c.Producer.Idempotent, c.Producer.MaxInFlight, c.Producer.Retries = false, 5, 5
		},
			"producer.max_in_flight (5) > 1 with producer.retries (5) > 0"},
		{"many_in_flight_without_retries_is_valid", func(c *config.Config) {
			c.Producer.Idempotent, c.Producer.MaxInFlight, c.Producer.Retries = false, 5, 0
		}, ""},
		{"leader_acks_without_idempotence_is_valid", func(c *config.Config) { c.Producer.Idempotent, c.Producer.Acks = false, "leader" }, ""},
		{"empty_input_topic", func(c *config.Config) { c.Topics.Input = "" }, "topics.input must not be empty"},
		{"bad_output_topic", func(c *config.Config) { c.Topics.Output = "results/v1" }, "topics.output"},
		{"dot_dead_letter_topic", func(c *config.Config) { c.Topics.DeadLetter = ".." }, "topics.dead_letter"},
		{"same_input_and_output", func(c *config.Config) { c.Topics.Output = c.Topics.Input }, "topics.output must differ from topics.input"},
		{"same_output_and_dead_letter", func(c *config.Config) { c.Topics.DeadLetter = c.Topics.Output },
			"topics.dead_letter must differ from topics.output"},
		{"zero_partitions", func(c *config.Config) { c.Topics.Partitions = 0 }, "topics.partitions"},
		{"zero_replication_factor", func(c *config.Config) { c.Topics.ReplicationFactor = 0 }, "topics.replication_factor"},
		{"negative_retry_attempts", func(c *config.Config) { c.Router.RetryAttempts = -1 }, "router.retry_attempts"},
		{"retries_without_backoff", func(c *config.Config) { c.Router.RetryInitialBackoff = 0 }, "router.retry_initial_backoff"},
		{"no_router_retries_is_valid", func(c *config.Config) { c.Router.RetryAttempts, c.Router.RetryInitialBackoff = 0, 0 }, ""},
		{"max_backoff_below_initial", func(c *config.Config) { c.Router.RetryMaxBackoff = 50 * time.Millisecond }, "router.retry_max_backoff"},
		{"negative_handler_timeout", func(c *config.Config) { c.Router.HandlerTimeout = -time.Second }, "router.handler_timeout"},
		{"zero_drain_timeout", func(c *config.Config) { c.Shutdown.DrainTimeout = 0 }, "shutdown.drain_timeout"},
		{"http_addr_without_port", func(c *config.Config) { c.HTTP.Addr = "localhost" }, "http.addr"},
		{"http_port_not_numeric", func(c *config.Config) { c.HTTP.Addr = ":http" }, "http.addr"},
		{"http_any_host_port_zero_is_valid", func(c *config.Config) { c.HTTP.Addr = ":0" }, ""},
		{"http_admin_addr_without_port", func(c *config.Config) { c.HTTP.AdminAddr = "localhost" }, "http.admin_addr"},
		{"http_admin_addr_same_as_addr", func(c *config.Config) { c.HTTP.AdminAddr = c.HTTP.Addr }, "http.admin_addr \"127.0.0.1:8080\" must differ from http.addr"},
		{"http_admin_addr_and_addr_both_ephemeral_is_valid", func(c *config.Config) { c.HTTP.Addr, c.HTTP.AdminAddr = "127.0.0.1:0", "127.0.0.1:0" }, ""},
		{"http_admin_addr_is_valid", func(c *config.Config) { c.HTTP.AdminAddr = "0.0.0.0:9090" }, ""},
		{"http_send_max_concurrent_zero", func(c *config.Config) { c.HTTP.Send.MaxConcurrent = 0 }, "http.send.max_concurrent (0) must be at least 1"},
		{"http_send_timeout_zero", func(c *config.Config) { c.HTTP.Send.Timeout = 0 }, "http.send.timeout (0s) must be positive"},
		{"bad_log_level", func(c *config.Config) { c.Log.Level = "trace" }, "log.level"},
		{"bad_log_format", func(c *config.Config) { c.Log.Format = "text" }, "log.format"},
		{"zero_shutdown_timeout", func(c *config.Config) { c.Shutdown.Timeout = 0 }, "shutdown.timeout"},
		{"shutdown_not_above_drain_timeout", func(c *config.Config) { c.Shutdown.Timeout = 10 * time.Second },
			"shutdown.timeout (10s) must exceed shutdown.drain_timeout (10s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
			require.ErrorContains(t, err, "config: ")
		})
	}
}

func TestValidate_reports_every_problem(t *testing.T) {
	c := config.Default()
	c.Consumer.Group, c.Log.Level = "", "loud"
	err := c.Validate()
	require.ErrorContains(t, err, "consumer.group")
	require.ErrorContains(t, err, "log.level")
}
