package config

import "strings"

// EnvVar describes one setting: its environment variable, its koanf path, its
// default as written in YAML or the environment, and what it does.
type EnvVar struct {
	// Name is the environment variable, e.g. DISPATCHD_KAFKA_BROKERS.
	Name string
	// Path is the koanf path, which is also the YAML path, e.g. kafka.brokers.
	Path string
	// Default is the default value: durations like 10s, lists comma-joined.
	Default string
	// Doc is a one-line description.
	Doc string
}

// docs describes every key; a test checks that no key is missing.
var docs = map[string]string{
	"kafka.brokers":                "Bootstrap broker addresses, host:port, comma-separated. `dispatchd dev` listens on the first.",
	"kafka.client_id":              "Client id sent to the brokers with every request.",
	"kafka.version":                "Kafka protocol version to speak, X.Y.Z; at least 0.11.0 (record headers).",
	"kafka.sasl.enabled":           "Turns SASL/PLAIN on.",
	"kafka.sasl.username":          "SASL user.",
	"kafka.sasl.password":          "SASL password; redacted when the config is printed.",
	"kafka.tls.enabled":            "Turns TLS on, verifying brokers against the system's root CAs.",
	"consumer.group":               "Consumer group id.",
	"consumer.initial_offset":      "Where a group with no committed offset starts: oldest or newest.",
	"consumer.session_timeout":     "How long the coordinator waits for a heartbeat before it evicts the member.",
	"consumer.heartbeat_interval":  "How often the member heartbeats; at most a third of consumer.session_timeout.",
	"consumer.rebalance_timeout":   "How long members get to rejoin during a rebalance.",
	"consumer.rebalance_strategy":  "range, roundrobin, sticky or cooperative-sticky.",
	"consumer.instance_id":         "Static membership id (KIP-345); empty for a dynamic member.",
	"consumer.leave_on_stop":       "With consumer.instance_id set: remove this static member from the group when it stops, so the others take its partitions at once (scale-down). false keeps its place, so a restart within consumer.session_timeout causes no rebalance. Dynamic members always leave.",
	"consumer.ordering":            "partition: one message at a time per partition, in offset order. key: messages of different keys in a partition run concurrently, each key's one at a time in offset order; see Ordering modes.",
	"consumer.max_in_flight":       "Key mode: messages taken from one partition and not yet committed, at most. Bounds the concurrency per partition and what a crash redoes. Ignored in partition mode.",
	"producer.acks":                "Acknowledgements a produce request waits for: all, leader or none.",
	"producer.idempotent":          "Idempotent producer: retries never write duplicates. Needs acks=all and max_in_flight=1.",
	"producer.retries":             "How many times a failed produce request is retried.",
	"producer.retry_backoff":       "Wait between produce retries.",
	"producer.delivery_timeout":    "How long a publish waits for the brokers' acknowledgement, retries included; past it (checked on a tick of 1/64 of it, so up to about 5% late) the publish counts as failed and the message is redelivered (at least once).",
	"producer.max_in_flight":       "Unacknowledged requests per broker connection; 1 keeps per-key order.",
	"producer.compression":         "none, gzip, snappy, lz4 or zstd.",
	"producer.flush_frequency":     "Longest a batch waits before it is sent; 0 sends at once.",
	"producer.flush_bytes":         "Send a batch once it holds this many bytes; 0 means no threshold.",
	"producer.flush_messages":      "Send a batch once it holds this many messages; 0 means no threshold.",
	"topics.input":                 "Topic the consumer group reads.",
	"topics.output":                "Topic results are published to.",
	"topics.dead_letter":           "Topic failed messages are parked in.",
	"topics.partitions":            "Partition count used when a topic is created.",
	"topics.replication_factor":    "Replication factor used when a topic is created.",
	"topics.auto_create":           "Create missing topics at start-up.",
	"router.retry_attempts":        "Retries of a transiently failing message before it is dead-lettered; 0 disables retries.",
	"router.retry_initial_backoff": "Wait before the first retry; it doubles each retry.",
	"router.retry_max_backoff":     "Cap on the wait between retries.",
	"shutdown.drain_timeout":       "Drain budget: how long in-flight messages get to finish, and their results to be acknowledged, once shutdown begins; what is still running then stays uncommitted for the next owner.",
	"http.addr":                    "Listen address of /healthz, /readyz, /metrics and /v1/messages.",
	"log.level":                    "debug, info, warn or error.",
	"log.format":                   "json or console.",
	"shutdown.timeout":             "Bound on the whole stop; must exceed shutdown.drain_timeout. A second signal exits earlier.",
	"health.stall_timeout":         "How long an assigned partition may have lag without finishing a message before /healthz fails (and the systemd watchdog stops); an idle partition is healthy.",
}

// EnvVars lists every setting in the order of the Config struct fields.
func EnvVars() []EnvVar {
	def := Default()
	out := make([]EnvVar, 0, len(keys().fields))
	for _, f := range keys().fields {
		out = append(out, EnvVar{
			Name:    f.env,
			Path:    f.path,
			Default: format(f.get(def)),
			Doc:     docs[f.path],
		})
	}
	return out
}

// ReferenceMarkdown renders EnvVars as the markdown table the README embeds.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString("| YAML path | Environment variable | Default | Description |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, v := range EnvVars() {
		def := "`" + v.Default + "`"
		if v.Default == "" {
			def = "`\"\"`"
		}
		b.WriteString("| `" + v.Path + "` | `" + v.Name + "` | " + def + " | " +
			strings.ReplaceAll(v.Doc, "|", `\|`) + " |\n")
	}
	return b.String()
}
