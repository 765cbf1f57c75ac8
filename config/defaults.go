package config

import (
	"math"
	"time"
)

// Default returns the configuration dispatchd runs with when nothing is set:
// a local single-broker cluster, ordered and idempotent publishing, and
// budgets that let the router drain inside the shutdown timeout.
func Default() Config {
	return Config{
		Kafka: Kafka{
			Brokers:  []string{"127.0.0.1:9092"},
			ClientID: "dispatchd",
			Version:  "3.6.0",
			// Long enough for a broker restart or a pod that starts before
			// Kafka; a wrong password or CA still ends start-up at once.
			ConnectTimeout: time.Minute,
			SASL:           SASL{Mechanism: MechanismPlain}, // what kafka.sasl.enabled alone has always meant
		},
		Consumer: Consumer{
			Group:          "dispatch-service",
			InitialOffset:  "oldest",
			SessionTimeout: 10 * time.Second,
			// The other members learn of a leaving member at their next
			// heartbeat, so this bounds the graceful handoff (100 ms:
			// 189-206 ms measured; 150 ms: 189-300 ms); it costs about 10
			// small requests a second per member. The README says when to
			// raise it.
			HeartbeatInterval: 100 * time.Millisecond,
			// Stopping is taken as leaving for good (scale-down); in-place
			// restarts of static members opt out.
			LeaveOnStop:       true,
			RebalanceTimeout:  60 * time.Second,
			RebalanceStrategy: "cooperative-sticky",
			// Java's consumers default to read_uncommitted; dispatchd acts on
			// what it reads, so an aborted order must never reach it.
			IsolationLevel: "read_committed",
			// Strict partition order until key mode has proven itself in
			// production; key mode is opt-in.
			Ordering:    "partition",
			MaxInFlight: 64,
			// A quarter of sarama's (and Java's) 1 MiB: a fetch's records are
			// decoded at once and keep it in memory, so on a backlog of 8
			// partitions the daemon peaked at 99 MiB with 1 MiB and 58 with
			// this (and runtime.gc_percent's 150), at the same rate. The
			// README's bench section has the runs.
			PartitionFetchBytes: 256 << 10,
			// The value router.retry_initial_backoff has by default, which
			// the consumer used before it had a setting of its own.
			NackBackoff:          100 * time.Millisecond,
			NackBackoffMax:       30 * time.Second,
			StableOffsetInterval: 5 * time.Second,
		},
		Producer: Producer{
			Acks:       "all",
			Idempotent: true,
			// Retries, RetryBackoff and DeliveryTimeout mirror Java's
			// retries, retry.backoff.ms and delivery.timeout.ms defaults:
			// the time bound, not the count, ends the retries.
			Retries:         math.MaxInt32,
			MaxMessageBytes: 1_000_000, // sarama's and Kafka's default
			RetryBackoff:    100 * time.Millisecond,
			DeliveryTimeout: 2 * time.Minute,
			// One in-flight request keeps per-key order and is the only
			// setting sarama's idempotent producer accepts.
			MaxInFlight: 1,
			Compression: "none",
			// Java's placement: results join with other services' topics by key.
			Partitioner: "murmur2",
			// A linger, as Java's linger.ms (5 ms since Kafka 4.0) and
			// librdkafka's 5 ms: pipelined results then travel in fewer,
			// larger requests. In the overhead bench 2 ms ran 10% faster
			// on 15% less CPU than 0; 5 ms ran slower, its batches
			// outgrowing consumer.max_in_flight. The README's bench
			// section has the runs.
			FlushFrequency: 2 * time.Millisecond,
		},
		// Topic names are configuration: this is their one spelling.
		Topics: Topics{
			Input:             "dispatch.requests",
			Output:            "dispatch.results",
			DeadLetter:        "dispatch.dlq",
			Partitions:        8,
			ReplicationFactor: 1,
			AutoCreate:        true,
		},
		Router: Router{
			RetryAttempts:       3,
			RetryInitialBackoff: 100 * time.Millisecond,
			RetryMaxBackoff:     2 * time.Second,
			HandlerTimeout:      30 * time.Second,
		},
		HTTP: HTTP{
			Addr: "127.0.0.1:8080",
			// Writing the input topic with dispatchd's Kafka identity is
			// opt-in: on by default only in dev (app/cli).
			Send: Send{
				Enabled: false,
				// 16 bodies of 1 MiB, and their records, fit a 256 MiB pod.
				MaxConcurrent: 16,
				// Inside shutdown.timeout, so a send in flight when the stop
				// begins can still be answered.
				Timeout: 10 * time.Second,
			},
		},
		Log: Log{Level: "info", Format: "json"},
		// Shutdown.Timeout exceeds Shutdown.DrainTimeout so the drain fits.
		Shutdown: Shutdown{DrainTimeout: 10 * time.Second, Timeout: 15 * time.Second},
		// Longer than the worst retry chain of one message (3 retries, 2 s cap).
		Health: Health{StallTimeout: time.Minute},
		// Go's 100 made the smaller fetches of consumer.partition_fetch_bytes
		// cost about 5% of the rate, in more collections of a smaller heap;
		// 150 spends 4 MiB of what they saved to buy that back.
		Runtime: Runtime{GCPercent: 150},
	}
}
