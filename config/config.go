// Package config holds dispatchd's one typed configuration: its defaults, how it
// is loaded (YAML file, then DISPATCHD_* environment, then flags), how it is
// validated, and how it is printed with secrets redacted.
package config

import "time"

// Config is the whole configuration of one dispatchd process. The doc tag of
// each setting is its one description, rendered into the README's reference
// (ReferenceMarkdown) and into the help of the flag that sets it.
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
	// HTTP configures the health, metrics and send endpoints and their listeners.
	HTTP HTTP `koanf:"http" yaml:"http"`
	// Log configures the zap logger.
	Log Log `koanf:"log" yaml:"log"`
	// Shutdown configures the graceful stop.
	Shutdown Shutdown `koanf:"shutdown" yaml:"shutdown"`
	// Health configures what /healthz and the systemd watchdog report.
	Health Health `koanf:"health" yaml:"health"`
	// Runtime tunes the Go runtime the daemon runs on.
	Runtime Runtime `koanf:"runtime" yaml:"runtime"`
}

// Kafka is how to reach the cluster.
type Kafka struct {
	Brokers        []string      `koanf:"brokers" yaml:"brokers" doc:"Bootstrap broker addresses, host:port, comma-separated; dispatchd dev listens on the first."`
	ClientID       string        `koanf:"client_id" yaml:"client_id" doc:"Client id sent to the brokers with every request."`
	Version        string        `koanf:"version" yaml:"version" doc:"Kafka protocol version to speak, X.Y.Z; at least 0.11.0 (record headers)."`
	ConnectTimeout time.Duration `koanf:"connect_timeout" yaml:"connect_timeout" doc:"How long start-up keeps trying to reach a broker (capped backoff, one log line per attempt, /readyz 503) before it exits 1; a failed authentication or TLS handshake exits at once."`
	// SASL holds the optional SASL authentication.
	SASL SASL `koanf:"sasl" yaml:"sasl"`
	// TLS holds the optional TLS to the brokers.
	TLS TLS `koanf:"tls" yaml:"tls"`
}

// SASL holds the optional SASL authentication. A secret comes from its key
// or from the file its *_file key names, read at start.
type SASL struct {
	Enabled        bool   `koanf:"enabled" yaml:"enabled" doc:"Turns SASL on, with kafka.sasl.mechanism (PLAIN unless set)."`
	Mechanism      string `koanf:"mechanism" yaml:"mechanism" doc:"PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (OAuth client credentials, see kafka.sasl.oauth)."`
	Username       string `koanf:"username" yaml:"username" doc:"SASL user for PLAIN and SCRAM."`
	Password       string `koanf:"password" yaml:"password" secret:"true" doc:"SASL password for PLAIN and SCRAM; redacted when the config is printed. Prefer kafka.sasl.password_file."`
	PasswordFile   string `koanf:"password_file" yaml:"password_file" doc:"File holding the SASL password (one trailing newline dropped), read at start; instead of kafka.sasl.password."`
	AllowPlaintext bool   `koanf:"allow_plaintext" yaml:"allow_plaintext" doc:"Allow SASL credentials or tokens over a connection without TLS; refused unless this says it is meant."`
	// OAuth configures OAUTHBEARER's client-credentials grant.
	OAuth OAuth `koanf:"oauth" yaml:"oauth"`
}

// OAuth configures the OAuth 2.0 client-credentials grant whose access token
// OAUTHBEARER presents; the token is cached until it expires.
type OAuth struct {
	TokenURL         string   `koanf:"token_url" yaml:"token_url" doc:"OAUTHBEARER: the identity provider's token endpoint (https)."`
	ClientID         string   `koanf:"client_id" yaml:"client_id" doc:"OAUTHBEARER: the OAuth client id."`
	ClientSecret     string   `koanf:"client_secret" yaml:"client_secret" secret:"true" doc:"OAUTHBEARER: the OAuth client secret; redacted when the config is printed. Prefer kafka.sasl.oauth.client_secret_file."`
	ClientSecretFile string   `koanf:"client_secret_file" yaml:"client_secret_file" doc:"OAUTHBEARER: file holding the client secret (one trailing newline dropped), read at start; instead of kafka.sasl.oauth.client_secret."`
	Scopes           []string `koanf:"scopes" yaml:"scopes" doc:"OAUTHBEARER: scopes to request, comma-separated; empty asks for none."`
}

// TLS holds the optional TLS to the brokers.
type TLS struct {
	Enabled            bool   `koanf:"enabled" yaml:"enabled" doc:"Turns TLS on, verifying brokers against kafka.tls.ca_file, or the system's root CAs when it is empty."`
	CAFile             string `koanf:"ca_file" yaml:"ca_file" doc:"PEM file of the CA certificates that sign the brokers' certificates; replaces the system's roots."`
	CertFile           string `koanf:"cert_file" yaml:"cert_file" doc:"PEM client certificate for brokers that require one (mutual TLS); with kafka.tls.key_file."`
	KeyFile            string `koanf:"key_file" yaml:"key_file" doc:"PEM private key of kafka.tls.cert_file."`
	ServerName         string `koanf:"server_name" yaml:"server_name" doc:"Name the brokers' certificates must carry, when it differs from the host in kafka.brokers."`
	InsecureSkipVerify bool   `koanf:"insecure_skip_verify" yaml:"insecure_skip_verify" doc:"Accept any broker certificate: anyone on the path can read and change the traffic, credentials included. For tests only; logged as a warning at every start."`
}

// Consumer configures the consumer-group member.
type Consumer struct {
	Group             string        `koanf:"group" yaml:"group" doc:"Consumer group id."`
	InitialOffset     string        `koanf:"initial_offset" yaml:"initial_offset" doc:"Where a group with no committed offset starts: oldest or newest."`
	SessionTimeout    time.Duration `koanf:"session_timeout" yaml:"session_timeout" doc:"How long the coordinator waits for a heartbeat before it evicts the member."`
	HeartbeatInterval time.Duration `koanf:"heartbeat_interval" yaml:"heartbeat_interval" doc:"How often the member heartbeats; at most a third of consumer.session_timeout."`
	RebalanceTimeout  time.Duration `koanf:"rebalance_timeout" yaml:"rebalance_timeout" doc:"How long members get to rejoin during a rebalance."`
	RebalanceStrategy string        `koanf:"rebalance_strategy" yaml:"rebalance_strategy" doc:"range, roundrobin, sticky or cooperative-sticky."`
	IsolationLevel    string        `koanf:"isolation_level" yaml:"isolation_level" doc:"read_committed: only records of committed transactions are read, so an aborted upstream transaction's records are never dispatched (the Java consumer's read_committed). read_uncommitted: every record is read, aborted ones included."`
	InstanceID        string        `koanf:"instance_id" yaml:"instance_id" doc:"Static membership id (KIP-345); empty for a dynamic member."`
	LeaveOnStop       bool          `koanf:"leave_on_stop" yaml:"leave_on_stop" doc:"With consumer.instance_id set: remove this static member from the group when it stops, so the others take its partitions at once (scale-down). false keeps its place, so a restart within consumer.session_timeout causes no rebalance. Dynamic members always leave."`
	Ordering          string        `koanf:"ordering" yaml:"ordering" doc:"partition: one message at a time per partition, in offset order. key: messages of different keys in a partition run concurrently, each key's one at a time in offset order; see Ordering modes."`
	// MaxInFlight is the size of a partition's window: taken, not yet committed.
	MaxInFlight int `koanf:"max_in_flight" yaml:"max_in_flight" doc:"Messages taken from one partition and not yet committed, at most: in key mode the running ones, and in both modes those handled whose results the brokers have not yet acknowledged. Bounds the concurrency per partition in key mode, the pipelining, the memory, and what a crash redoes."`

	PartitionFetchBytes int `koanf:"partition_fetch_bytes" yaml:"partition_fetch_bytes" doc:"Bytes one fetch request asks of each partition, at most (the Java consumer's max.partition.fetch.bytes); a larger record is still read, by a fetch grown to fit it. A fetch is decoded whole and its records keep it in memory until the last of them is done, so with a backlog the consumer's memory grows with this times the partitions the member owns. Higher means fewer fetch round trips."`

	// NackBackoff is not router.retry_initial_backoff: a nack is no handler
	// retry but a pause, and it paces redelivery while the brokers are unwell.
	NackBackoff          time.Duration `koanf:"nack_backoff" yaml:"nack_backoff" doc:"Wait before a nacked message is handed to the router again; the router nacks a message whose result or dead letter could not be written, and its partition pauses until it goes through. The wait doubles with each nack of the same message, up to consumer.nack_backoff_max."`
	StableOffsetInterval time.Duration `koanf:"stable_offset_interval" yaml:"stable_offset_interval" doc:"Under read_committed: how often the partition leaders are asked for the last stable offset of the partitions this member owns, the end dispatchd_consumer_lag is measured to, so an open or aborted transaction does not read as lag. Ignored under read_uncommitted, where lag is measured to the high-water mark."`
	NackBackoffMax       time.Duration `koanf:"nack_backoff_max" yaml:"nack_backoff_max" doc:"Cap on the wait between redeliveries of a message that keeps being nacked; a paused partition retries (and logs) at most this often."`
}

// Producer configures the producer.
type Producer struct {
	Acks            string        `koanf:"acks" yaml:"acks" doc:"Acknowledgements a produce request waits for: all, leader or none."`
	Idempotent      bool          `koanf:"idempotent" yaml:"idempotent" doc:"Idempotent producer: retries never write duplicates. Needs acks=all and max_in_flight=1."`
	Retries         int           `koanf:"retries" yaml:"retries" doc:"How many times a failed produce request is retried, at most; the retries also end when producer.delivery_timeout runs out, which with the default (Java's) is what ends them."`
	RetryBackoff    time.Duration `koanf:"retry_backoff" yaml:"retry_backoff" doc:"Wait between produce retries."`
	DeliveryTimeout time.Duration `koanf:"delivery_timeout" yaml:"delivery_timeout" doc:"How long a publish waits for the brokers' acknowledgement, retries included; past it (checked on a tick of 1/64 of it, so up to about 5% late) the publish counts as failed and the message is redelivered (at least once)."`
	MaxInFlight     int           `koanf:"max_in_flight" yaml:"max_in_flight" doc:"Unacknowledged requests per broker connection; 1 keeps per-key order."`
	MaxMessageBytes int           `koanf:"max_message_bytes" yaml:"max_message_bytes" doc:"Largest record the producer writes; match the topics' max.message.bytes. A dead letter that would be larger is written without the original value (its size and SHA-256 instead)."`
	Compression     string        `koanf:"compression" yaml:"compression" doc:"none, gzip, snappy, lz4 or zstd."`
	Partitioner     string        `koanf:"partitioner" yaml:"partitioner" doc:"How a keyed record's partition is chosen, for results, dead letters, POST /v1/messages and dispatchd send. murmur2: the Java client's default partitioner (also Kafka Streams' and franz-go's), so a key lands where a Java producer puts it. crc32: librdkafka's (its default, consistent_random). fnv: sarama's default, dispatchd's placement before this setting. Keyless records go to a random partition."`
	FlushFrequency  time.Duration `koanf:"flush_frequency" yaml:"flush_frequency" doc:"Longest a batch waits before it is sent (Java's linger.ms); 0 sends at once. The linger is what a send waits at most on top of the brokers' acknowledgement, and it buys fewer, larger requests."`
	FlushBytes      int           `koanf:"flush_bytes" yaml:"flush_bytes" doc:"Send a batch once it holds this many bytes; 0 means no threshold."`
	FlushMessages   int           `koanf:"flush_messages" yaml:"flush_messages" doc:"Send a batch once it holds this many messages; 0 means no threshold."`
}

// Topics names the topics and how they are created.
type Topics struct {
	Input             string `koanf:"input" yaml:"input" doc:"Topic the consumer group reads."`
	Output            string `koanf:"output" yaml:"output" doc:"Topic results are published to."`
	DeadLetter        string `koanf:"dead_letter" yaml:"dead_letter" doc:"Topic failed messages are parked in."`
	Partitions        int32  `koanf:"partitions" yaml:"partitions" doc:"Partition count used when a topic is created."`
	ReplicationFactor int16  `koanf:"replication_factor" yaml:"replication_factor" doc:"Replication factor used when a topic is created."`
	AutoCreate        bool   `koanf:"auto_create" yaml:"auto_create" doc:"Create missing topics at start-up, with topics.partitions and topics.replication_factor, through the Admin API (needs the CREATE ACL). Meant for dev and tests: the shipped deployments set it false and create topics with a job. Metadata requests never create topics either way."`
}

// Router configures the message router's retries.
type Router struct {
	RetryAttempts       int           `koanf:"retry_attempts" yaml:"retry_attempts" doc:"Retries of a transiently failing message before it is dead-lettered; 0 disables retries."`
	RetryInitialBackoff time.Duration `koanf:"retry_initial_backoff" yaml:"retry_initial_backoff" doc:"Wait before the first retry; it doubles each retry."`
	RetryMaxBackoff     time.Duration `koanf:"retry_max_backoff" yaml:"retry_max_backoff" doc:"Cap on the wait between retries."`
	HandlerTimeout      time.Duration `koanf:"handler_timeout" yaml:"handler_timeout" doc:"Bound on one attempt of a handler: its context ends then, and the attempt fails as transient (retried, then dead-lettered); 0 means no bound."`
}

// HTTP configures the HTTP listeners.
type HTTP struct {
	Addr      string `koanf:"addr" yaml:"addr" doc:"Listen address of POST /v1/messages, and of /healthz, /readyz and /metrics unless http.admin_addr is set."`
	AdminAddr string `koanf:"admin_addr" yaml:"admin_addr" doc:"Listen address of /healthz, /readyz and /metrics alone; when set, http.addr serves only POST /v1/messages. Empty serves everything on http.addr."`
	// Send configures POST /v1/messages.
	Send Send `koanf:"send" yaml:"send"`
}

// Send configures POST /v1/messages, the HTTP way to write the input topic.
type Send struct {
	Enabled       bool          `koanf:"enabled" yaml:"enabled" doc:"Serve POST /v1/messages; off, it answers 404. Off by default for run; dispatchd dev turns it on unless it is set."`
	TokenFile     string        `koanf:"token_file" yaml:"token_file" doc:"File holding the token POST /v1/messages then requires, sent as Authorization: Bearer TOKEN; read once at start, 16 to 4096 printable ASCII characters without spaces, surrounding whitespace ignored. Empty requires no token."`
	MaxConcurrent int           `koanf:"max_concurrent" yaml:"max_concurrent" doc:"Sends served at once, at most; one more is answered 429 with Retry-After. Bounds the memory held by request bodies and by sends waiting on Kafka."`
	Timeout       time.Duration `koanf:"timeout" yaml:"timeout" doc:"Bound on one POST /v1/messages, from its headers to its answer: reading the body and waiting for Kafka's acknowledgement. Past it the answer is 503 and the messages may still be written."`
}

// Log configures the logger.
type Log struct {
	Level  string `koanf:"level" yaml:"level" doc:"debug, info, warn or error."`
	Format string `koanf:"format" yaml:"format" doc:"json or console."`
}

// Shutdown configures the graceful stop.
type Shutdown struct {
	DrainTimeout time.Duration `koanf:"drain_timeout" yaml:"drain_timeout" doc:"Drain budget: how long in-flight messages get to finish, and their results to be acknowledged, once shutdown begins; what is still running then stays uncommitted for the next owner."`
	Timeout      time.Duration `koanf:"timeout" yaml:"timeout" doc:"Bound on the whole stop; must exceed shutdown.drain_timeout. A second signal exits earlier."`
}

// Health configures the progress-based health check.
type Health struct {
	StallTimeout time.Duration `koanf:"stall_timeout" yaml:"stall_timeout" doc:"How long an assigned partition may hold records it has taken and not finished, without finishing one, before /healthz fails (and the systemd watchdog stops); an idle partition is healthy."`
}

// Runtime tunes the Go runtime.
type Runtime struct {
	GCPercent int `koanf:"gc_percent" yaml:"gc_percent" doc:"How far the heap grows past what the last garbage collection kept before the next one runs, in percent (Go's GOGC); the GOGC environment variable, when set, wins. Higher means fewer collections (less CPU) and a larger heap."`
}
