// Package telemetry owns dispatchd's Prometheus registry and metrics. The
// metric names are part of dispatchd's interface: the README lists them.
package telemetry

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Outcomes of a handled message, the values of the outcome label.
const (
	OutcomeSuccess    = "success"
	OutcomeRetry      = "retry"
	OutcomeDeadLetter = "dead_letter"
)

// NoHandler is the value of the handler label for a message no handler took
// (its type is missing or unknown). Every other value is a registered
// handler's name, so the label's values are a fixed set.
const NoHandler = "none"

// UnknownType is the value of the type label for a message no handler took:
// its type header is missing, unknown, or not even text. Only the types of
// registered handlers become label values, so no input byte reaches a label
// and the series stay a fixed set however many types a producer invents.
const UnknownType = "unknown"

// typeLabel is the type label of a message of msgType given to handler.
func typeLabel(msgType, handler string) string {
	if handler == NoHandler {
		return UnknownType
	}
	return msgType
}

// Metrics holds every collector; its methods are the only way code records.
type Metrics struct {
	// Registry is what /metrics serves.
	Registry *prometheus.Registry

	consumed     *prometheus.CounterVec
	handled      *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	published    *prometheus.CounterVec
	deadLetters  *prometheus.CounterVec
	lag          *prometheus.GaugeVec
	inflight     prometheus.Gauge
	assigned     prometheus.Gauge
	rebalances   prometheus.Counter
	paused       *prometheus.GaugeVec
	pauses       *prometheus.CounterVec
	commitErrors prometheus.Counter

	// The children of the vectors recorded per message.
	consumedBy  *children[string, prometheus.Counter]
	handledBy   *children[handledKey, prometheus.Counter]
	durationBy  *children[durationKey, prometheus.Observer]
	publishedBy *children[string, prometheus.Counter]
	lagBy       *children[topicPartition, prometheus.Gauge]
}

// BuildInfo names the running build.
type BuildInfo struct {
	// Version is the release version, or "dev".
	Version string
	// Commit is the VCS revision, or "unknown".
	Commit string
}

// NewMetrics registers dispatchd's metrics, plus Go and process collectors,
// on a fresh registry.
func NewMetrics(build BuildInfo) *Metrics {
	r := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { r.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: r,
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatchd_messages_consumed_total",
			Help: "Records taken from the input topic, redeliveries excluded."}, []string{"topic"}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatchd_messages_handled_total",
			Help: "Handler runs by message type, handler and outcome (success, retry, dead_letter)."},
			[]string{"type", "handler", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dispatchd_handler_duration_seconds",
			Help: "Time spent in a handler, per attempt.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)},
			[]string{"type", "handler"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatchd_results_published_total",
			Help: "Result records acknowledged by the brokers."}, []string{"topic"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatchd_dead_letters_total",
			Help: "Records parked in the dead-letter topic, by reason (permanent, exhausted)."}, []string{"reason"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dispatchd_consumer_lag",
			Help: "Records behind the high-water mark (under read_committed, the last stable offset), per assigned partition."}, []string{"topic", "partition"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dispatchd_inflight_messages",
			Help: "Messages handed to handlers and not yet finished."}),
		assigned: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dispatchd_partitions_assigned",
			Help: "Partitions this member is consuming now."}),
		rebalances: prometheus.NewCounter(prometheus.CounterOpts{Name: "dispatchd_rebalances_total",
			Help: "Group generations this member took part in: the first join and every rebalance after it."}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dispatchd_partition_paused",
			Help: "1 while a partition waits on a message that could be neither finished nor dead-lettered, by reason."},
			[]string{"topic", "partition", "reason"}),
		pauses: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatchd_pauses_total",
			Help: "Partitions that paused, by reason."}, []string{"reason"}),
		commitErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "dispatchd_commit_errors_total",
			Help: "Partition offsets a commit sent that the coordinator did not confirm; each is retried next commit interval."}),
	}
	m.consumedBy = newChildren[string, prometheus.Counter](m.consumed.MetricVec, one)
	m.handledBy = newChildren[handledKey, prometheus.Counter](m.handled.MetricVec, handledKey.labels)
	m.durationBy = newChildren[durationKey, prometheus.Observer](m.duration.MetricVec, durationKey.labels)
	m.publishedBy = newChildren[string, prometheus.Counter](m.published.MetricVec, one)
	m.lagBy = newChildren[topicPartition, prometheus.Gauge](m.lag.MetricVec, topicPartition.labels)
	for _, c := range []prometheus.Collector{m.consumed, m.handled, m.duration, m.published,
		m.deadLetters, m.lag, m.inflight, m.assigned, m.rebalances, m.paused, m.pauses, m.commitErrors} {
		f(c)
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dispatchd_build_info",
		Help: "Always 1; the labels name the build."}, []string{"version", "commit"})
	f(info)
	info.WithLabelValues(build.Version, build.Commit).Set(1)
	return m
}

// Handled records one attempt of handler on a message of msgType, and how it
// ended.
func (m *Metrics) Handled(msgType, handler, outcome string, seconds float64) {
	msgType = typeLabel(msgType, handler)
	m.handledBy.get(handledKey{msgType, handler, outcome}).Inc()
	m.durationBy.get(durationKey{msgType, handler}).Observe(seconds)
}

// ObserveDuration records the duration of a failed attempt; its outcome is
// counted by whoever decides it (retry or dead letter).
func (m *Metrics) ObserveDuration(msgType, handler string, seconds float64) {
	m.durationBy.get(durationKey{typeLabel(msgType, handler), handler}).Observe(seconds)
}

// Counted records an outcome decided after the attempt was measured.
func (m *Metrics) Counted(msgType, handler, outcome string) {
	m.handledBy.get(handledKey{typeLabel(msgType, handler), handler, outcome}).Inc()
}

// Published records n results acknowledged on topic.
func (m *Metrics) Published(topic string, n int) { m.publishedBy.get(topic).Add(float64(n)) }

// DeadLettered records one dead letter.
func (m *Metrics) DeadLettered(reason string) { m.deadLetters.WithLabelValues(reason).Inc() }

// Paused records that partition of topic paused for reason.
func (m *Metrics) Paused(topic string, partition int32, reason string) {
	m.pauses.WithLabelValues(reason).Inc()
	m.paused.WithLabelValues(topic, strconv.Itoa(int(partition)), reason).Set(1)
}

// Resumed records the end of a pause Paused recorded.
func (m *Metrics) Resumed(topic string, partition int32, reason string) {
	m.paused.DeleteLabelValues(topic, strconv.Itoa(int(partition)), reason)
}

// InflightAdd moves the in-flight gauge by d.
func (m *Metrics) InflightAdd(d float64) { m.inflight.Add(d) }

// Generation implements kafka.Observer.
func (m *Metrics) Generation(int32) { m.rebalances.Inc() }

// ClaimStarted implements kafka.Observer.
func (m *Metrics) ClaimStarted(string, int32) { m.assigned.Inc() }

// ClaimEnded implements kafka.Observer: the lag of a partition this member
// no longer owns is someone else's to report.
func (m *Metrics) ClaimEnded(topic string, partition int32) {
	m.assigned.Dec()
	m.lagBy.delete(topicPartition{topic, partition})
}

// Committed implements kafka.Observer; the commit age is read from the
// progress tracker (RegisterCommitAges).
func (m *Metrics) Committed(string, int32, int64) {}

// CommitFailed implements kafka.Observer.
func (m *Metrics) CommitFailed(n int) { m.commitErrors.Add(float64(n)) }

// Consumed implements kafka.Observer.
func (m *Metrics) Consumed(topic string, _ int32, _, _ int64) { m.consumedBy.get(topic).Inc() }

// Marked implements kafka.Observer; the lag is measured by kafka.Lag, which
// sets it (SetLag).
func (m *Metrics) Marked(string, int32, int64) {}

// SetLag sets the lag of a partition this member owns; kafka.Lag measures it.
func (m *Metrics) SetLag(topic string, partition int32, lag int64) {
	m.lagBy.get(topicPartition{topic, partition}).Set(float64(lag))
}
