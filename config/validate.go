package config

import (
	"errors"
	"strings"
)

// maxFetchBytes bounds consumer.partition_fetch_bytes: 100 MiB is the largest
// response sarama reads, so a partition's fetch could never be larger.
const maxFetchBytes = 100 << 20

// Validate reports every problem in c, joined; each message names the field
// by its koanf path. It returns nil when c is usable.
func (c Config) Validate() error {
	var p problems
	c.Kafka.validate(&p)
	c.Consumer.validate(&p)
	c.Producer.validate(&p)
	c.Topics.validate(&p)
	c.Router.validate(&p)
	c.HTTP.validate(&p)
	p.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	p.oneOf("log.format", c.Log.Format, "json", "console")
	p.positive("shutdown.drain_timeout", c.Shutdown.DrainTimeout)
	p.positive("shutdown.timeout", c.Shutdown.Timeout)
	p.positive("health.stall_timeout", c.Health.StallTimeout)
	p.atLeast("runtime.gc_percent", int64(c.Runtime.GCPercent), 1)
	if c.Shutdown.Timeout > 0 && c.Shutdown.Timeout <= c.Shutdown.DrainTimeout {
		p.addf("shutdown.timeout (%s) must exceed shutdown.drain_timeout (%s): the drain budget must fit in the stop budget",
			formatDuration(c.Shutdown.Timeout), formatDuration(c.Shutdown.DrainTimeout))
	}
	return errors.Join(p...)
}

func (k Kafka) validate(p *problems) {
	if len(k.Brokers) == 0 {
		p.addf("kafka.brokers must list at least one broker")
	}
	for i, b := range k.Brokers {
		if err := hostPort(b, 1, false); err != nil {
			p.addf("kafka.brokers[%d] %v", i, err)
		}
	}
	p.notEmpty("kafka.client_id", k.ClientID)
	if err := checkKafkaVersion(k.Version); err != nil {
		p.addf("kafka.version %v", err)
	}
	p.positive("kafka.connect_timeout", k.ConnectTimeout)
	k.SASL.validate(p, k.TLS.Enabled)
	k.TLS.validate(p)
}

func (c Consumer) validate(p *problems) {
	p.notEmpty("consumer.group", c.Group)
	p.oneOf("consumer.initial_offset", c.InitialOffset, "oldest", "newest")
	p.positive("consumer.session_timeout", c.SessionTimeout)
	p.positive("consumer.heartbeat_interval", c.HeartbeatInterval)
	if c.HeartbeatInterval > 0 && c.HeartbeatInterval*3 > c.SessionTimeout {
		p.addf("consumer.heartbeat_interval (%s) must be at most a third of consumer.session_timeout (%s)",
			formatDuration(c.HeartbeatInterval), formatDuration(c.SessionTimeout))
	}
	p.positive("consumer.rebalance_timeout", c.RebalanceTimeout)
	p.oneOf("consumer.rebalance_strategy", c.RebalanceStrategy, "range", "roundrobin", "sticky", "cooperative-sticky")
	p.oneOf("consumer.isolation_level", c.IsolationLevel, "read_committed", "read_uncommitted")
	if c.InstanceID != "" && !kafkaName.MatchString(c.InstanceID) {
		p.addf("consumer.instance_id %q must be 1 to 249 of [A-Za-z0-9._-]", c.InstanceID)
	}
	p.oneOf("consumer.ordering", c.Ordering, "partition", "key")
	if c.MaxInFlight < 1 || c.MaxInFlight > 10000 {
		p.addf("consumer.max_in_flight (%d) must be 1 to 10000", c.MaxInFlight)
	}
	if c.PartitionFetchBytes < 1 || c.PartitionFetchBytes > maxFetchBytes {
		p.addf("consumer.partition_fetch_bytes (%d) must be 1 to %d", c.PartitionFetchBytes, maxFetchBytes)
	}
	p.positive("consumer.nack_backoff", c.NackBackoff)
	p.positive("consumer.stable_offset_interval", c.StableOffsetInterval)
	if c.NackBackoffMax < c.NackBackoff {
		p.addf("consumer.nack_backoff_max (%s) must be at least consumer.nack_backoff (%s)",
			formatDuration(c.NackBackoffMax), formatDuration(c.NackBackoff))
	}
}

func (t Topics) validate(p *problems) {
	names := []struct{ path, name string }{
		{"topics.input", t.Input}, {"topics.output", t.Output}, {"topics.dead_letter", t.DeadLetter},
	}
	for i, n := range names {
		switch {
		case n.name == "":
			p.addf("%s must not be empty", n.path)
		case n.name == "." || n.name == ".." || !kafkaName.MatchString(n.name):
			p.addf("%s %q is not a valid topic name: 1 to 249 of [a-zA-Z0-9._-], not . or ..", n.path, n.name)
		}
		for _, m := range names[:i] {
			if n.name != "" && n.name == m.name {
				p.addf("%s must differ from %s (both %q)", n.path, m.path, n.name)
			}
		}
	}
	p.atLeast("topics.partitions", int64(t.Partitions), 1)
	p.atLeast("topics.replication_factor", int64(t.ReplicationFactor), 1)
}

func (r Router) validate(p *problems) {
	p.atLeast("router.retry_attempts", int64(r.RetryAttempts), 0)
	if r.RetryAttempts > 0 {
		p.positive("router.retry_initial_backoff", r.RetryInitialBackoff)
	}
	if r.RetryMaxBackoff < r.RetryInitialBackoff {
		p.addf("router.retry_max_backoff (%s) must be at least router.retry_initial_backoff (%s)",
			formatDuration(r.RetryMaxBackoff), formatDuration(r.RetryInitialBackoff))
	}
	if r.HandlerTimeout < 0 {
		p.addf("router.handler_timeout (%s) must be 0 (no bound) or positive", formatDuration(r.HandlerTimeout))
	}
}

// validate checks the producer settings, including the combinations that
// decide whether per-key order survives retries.
func (pr Producer) validate(p *problems) {
	p.oneOf("producer.acks", pr.Acks, "all", "leader", "none")
	p.atLeast("producer.retries", int64(pr.Retries), 0)
	if pr.RetryBackoff < 0 {
		p.addf("producer.retry_backoff (%s) must not be negative", formatDuration(pr.RetryBackoff))
	}
	p.positive("producer.delivery_timeout", pr.DeliveryTimeout)
	p.atLeast("producer.max_in_flight", int64(pr.MaxInFlight), 1)
	p.atLeast("producer.max_message_bytes", int64(pr.MaxMessageBytes), 1024)
	p.oneOf("producer.compression", pr.Compression, "none", "gzip", "snappy", "lz4", "zstd")
	p.oneOf("producer.partitioner", pr.Partitioner, "murmur2", "crc32", "fnv")
	if pr.FlushFrequency < 0 {
		p.addf("producer.flush_frequency (%s) must not be negative", formatDuration(pr.FlushFrequency))
	}
	p.atLeast("producer.flush_bytes", int64(pr.FlushBytes), 0)
	p.atLeast("producer.flush_messages", int64(pr.FlushMessages), 0)

	if pr.Idempotent {
		if pr.Acks != "all" {
			p.addf("producer.idempotent requires producer.acks=all, not %q", pr.Acks)
		}
		if pr.Retries < 1 {
			p.addf("producer.idempotent requires producer.retries >= 1, not %d", pr.Retries)
		}
		if pr.MaxInFlight != 1 {
			p.addf("producer.idempotent requires producer.max_in_flight=1, not %d: "+
				"sarama's idempotent producer supports only one in-flight request per connection", pr.MaxInFlight)
		}
		return
	}
	// Without idempotence, a retried batch can land after a later batch that
	// was in flight beside it, reordering records of the same key.
	if pr.MaxInFlight > 1 && pr.Retries > 0 {
		p.addf("producer.max_in_flight (%d) > 1 with producer.retries (%d) > 0 lets a retried batch "+
			"overtake a later one and break per-key order: set producer.max_in_flight=1 "+
			"(with producer.idempotent=true to also avoid duplicates)", pr.MaxInFlight, pr.Retries)
	}
}

// validate checks the listeners and the send endpoint's bounds.
func (h HTTP) validate(p *problems) {
	if err := hostPort(h.Addr, 0, true); err != nil {
		p.addf("http.addr %v", err)
	}
	if h.AdminAddr != "" {
		if err := hostPort(h.AdminAddr, 0, true); err != nil {
			p.addf("http.admin_addr %v", err)
		} else if h.AdminAddr == h.Addr && !strings.HasSuffix(h.Addr, ":0") {
			p.addf("http.admin_addr %q must differ from http.addr: leave it empty to serve everything there", h.AdminAddr)
		}
	}
	p.atLeast("http.send.max_concurrent", int64(h.Send.MaxConcurrent), 1)
	p.positive("http.send.timeout", h.Send.Timeout)
}
