// Package config holds dispatchd's one typed configuration: its defaults, how it
// is loaded (YAML file, then DISPATCHD_* environment, then flags), how it is
// validated, and how it is printed with secrets redacted.
package config

import "time"

// Config is the whole configuration of one dispatchd process.
type Config struct {
	// Kafka is how to reach the cluster.
	Kafka Kafka `koanf:"kafka" yaml:"kafka"`
	// Consumer configures the consumer-group member that reads the input topic.
	Consumer Consumer `koanf:"consumer" yaml:"consumer"`
	// Producer configures the producer that publishes results and dead letters.
	Producer Producer `koanf:"producer" yaml:"producer"`
	// Topics names the topics and how they are created.
	Topics Topics `koanf:"topics" yaml:"topics"`
	// Router configures the retries of the message router.
	Router Router `koanf:"router" yaml:"router"`
	// HTTP configures the health, metrics and send endpoints.
	HTTP HTTP `koanf:"http" yaml:"http"`
	// Log configures the zap logger.
	Log Log `koanf:"log" yaml:"log"`
	// Shutdown configures the graceful stop.
	Shutdown Shutdown `koanf:"shutdown" yaml:"shutdown"`
	// Health configures what /healthz and the systemd watchdog report.
	Health Health `koanf:"health" yaml:"health"`
}

// Kafka is how to reach the cluster.
type Kafka struct {
	// Brokers are the bootstrap addresses, host:port. In `dispatchd dev` the
	// embedded broker listens on the first one.
	Brokers []string `koanf:"brokers" yaml:"brokers"`
	// ClientID is sent to the brokers with every request.
	ClientID string `koanf:"client_id" yaml:"client_id"`
	// Version is the Kafka protocol version to speak, e.g. "3.6.0".
	Version string `koanf:"version" yaml:"version"`
	// SASL holds optional SASL/PLAIN credentials.
	SASL SASL `koanf:"sasl" yaml:"sasl"`
	// TLS enables TLS to the brokers with the system's root CAs.
	TLS TLS `koanf:"tls" yaml:"tls"`
}

// SASL holds optional SASL/PLAIN credentials.
type SASL struct {
	// Enabled turns SASL/PLAIN on.
	Enabled bool `koanf:"enabled" yaml:"enabled"`
	// Username is the SASL user.
	Username string `koanf:"username" yaml:"username"`
	// Password is the SASL password; it is redacted when printed.
	Password string `koanf:"password" yaml:"password"`
}

// TLS enables TLS to the brokers.
type TLS struct {
	// Enabled turns TLS on, verifying brokers against the system's root CAs.
	Enabled bool `koanf:"enabled" yaml:"enabled"`
}

// Consumer configures the consumer-group member.
type Consumer struct {
	// Group is the consumer group id.
	Group string `koanf:"group" yaml:"group"`
	// InitialOffset is where a group with no committed offset starts: oldest or newest.
	InitialOffset string `koanf:"initial_offset" yaml:"initial_offset"`
	// SessionTimeout is how long the coordinator waits for a heartbeat before
	// it evicts the member and rebalances.
	SessionTimeout time.Duration `koanf:"session_timeout" yaml:"session_timeout"`
	// HeartbeatInterval is how often the member heartbeats; at most a third of SessionTimeout.
	HeartbeatInterval time.Duration `koanf:"heartbeat_interval" yaml:"heartbeat_interval"`
	// RebalanceTimeout is how long members get to rejoin during a rebalance.
	RebalanceTimeout time.Duration `koanf:"rebalance_timeout" yaml:"rebalance_timeout"`
	// RebalanceStrategy is range, roundrobin, sticky or cooperative-sticky.
	RebalanceStrategy string `koanf:"rebalance_strategy" yaml:"rebalance_strategy"`
	// InstanceID, when set, makes this member static (KIP-345).
	InstanceID string `koanf:"instance_id" yaml:"instance_id"`
	// LeaveOnStop removes a static member from the group when it stops, so
	// the others take its partitions at once; false keeps its place for a
	// restart within SessionTimeout, which then causes no rebalance.
	LeaveOnStop bool `koanf:"leave_on_stop" yaml:"leave_on_stop"`
	// Ordering is partition (one message at a time per partition) or key
	// (messages of different keys in a partition run concurrently; each
	// key's run one at a time, in offset order).
	Ordering string `koanf:"ordering" yaml:"ordering"`
	// MaxInFlight bounds, in key mode, the messages taken from a partition
	// and not yet committed: the in-flight window.
	MaxInFlight int `koanf:"max_in_flight" yaml:"max_in_flight"`
}

// Producer configures the producer.
type Producer struct {
	// Acks is all, leader or none.
	Acks string `koanf:"acks" yaml:"acks"`
	// Idempotent enables the idempotent producer (no duplicates from retries).
	Idempotent bool `koanf:"idempotent" yaml:"idempotent"`
	// Retries is how many times a failed produce request is retried.
	Retries int `koanf:"retries" yaml:"retries"`
	// RetryBackoff is the wait between produce retries.
	RetryBackoff time.Duration `koanf:"retry_backoff" yaml:"retry_backoff"`
	// DeliveryTimeout bounds one publish, retries included.
	DeliveryTimeout time.Duration `koanf:"delivery_timeout" yaml:"delivery_timeout"`
	// MaxInFlight is the number of unacknowledged requests per broker connection.
	MaxInFlight int `koanf:"max_in_flight" yaml:"max_in_flight"`
	// Compression is none, gzip, snappy, lz4 or zstd.
	Compression string `koanf:"compression" yaml:"compression"`
	// FlushFrequency is the longest a batch waits before it is sent; 0 sends at once.
	FlushFrequency time.Duration `koanf:"flush_frequency" yaml:"flush_frequency"`
	// FlushBytes sends a batch once it holds this many bytes; 0 means no threshold.
	FlushBytes int `koanf:"flush_bytes" yaml:"flush_bytes"`
	// FlushMessages sends a batch once it holds this many messages; 0 means no threshold.
	FlushMessages int `koanf:"flush_messages" yaml:"flush_messages"`
}

// Topics names the topics and how they are created.
type Topics struct {
	// Input is the topic the consumer group reads.
	Input string `koanf:"input" yaml:"input"`
	// Output is the topic results are published to.
	Output string `koanf:"output" yaml:"output"`
	// DeadLetter is the topic failed messages are parked in.
	DeadLetter string `koanf:"dead_letter" yaml:"dead_letter"`
	// Partitions is the partition count used when a topic is created.
	Partitions int32 `koanf:"partitions" yaml:"partitions"`
	// ReplicationFactor is the replication factor used when a topic is created.
	ReplicationFactor int16 `koanf:"replication_factor" yaml:"replication_factor"`
	// AutoCreate creates missing topics at start-up.
	AutoCreate bool `koanf:"auto_create" yaml:"auto_create"`
}

// Router configures the message router's retries.
type Router struct {
	// RetryAttempts is how many times a transiently failing message is retried
	// before it is dead-lettered (0 disables retries).
	RetryAttempts int `koanf:"retry_attempts" yaml:"retry_attempts"`
	// RetryInitialBackoff is the wait before the first retry; it doubles each retry.
	RetryInitialBackoff time.Duration `koanf:"retry_initial_backoff" yaml:"retry_initial_backoff"`
	// RetryMaxBackoff caps the wait between retries.
	RetryMaxBackoff time.Duration `koanf:"retry_max_backoff" yaml:"retry_max_backoff"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	// Addr is the listen address of /healthz, /readyz, /metrics and /v1/messages.
	Addr string `koanf:"addr" yaml:"addr"`
}

// Log configures the logger.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `koanf:"level" yaml:"level"`
	// Format is json or console.
	Format string `koanf:"format" yaml:"format"`
}

// Shutdown configures the graceful stop.
type Shutdown struct {
	// DrainTimeout is the drain budget: how long in-flight messages get to
	// finish, and their results to be acknowledged, once shutdown begins.
	DrainTimeout time.Duration `koanf:"drain_timeout" yaml:"drain_timeout"`
	// Timeout bounds the whole stop; a second signal forces the exit earlier.
	Timeout time.Duration `koanf:"timeout" yaml:"timeout"`
}

// Health configures the progress-based health check.
type Health struct {
	// StallTimeout is how long an assigned partition may have lag without
	// finishing a message before /healthz fails: a stalled consumer gets
	// restarted, an idle one does not.
	StallTimeout time.Duration `koanf:"stall_timeout" yaml:"stall_timeout"`
}
