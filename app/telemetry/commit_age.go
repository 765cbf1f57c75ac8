package telemetry

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Ages is a source of per-partition ages, read at scrape time.
type Ages func(emit func(topic string, partition int32, age time.Duration))

// CommitAges is a source of per-partition commit ages.
type CommitAges = Ages

var (
	commitAgeDesc = prometheus.NewDesc("dispatchd_last_commit_age_seconds",
		"Seconds since the coordinator last confirmed a new offset of this member for an owned partition (or since it was assigned).",
		[]string{"topic", "partition"}, nil)
	oldestAgeDesc = prometheus.NewDesc("dispatchd_oldest_message_age_seconds",
		"Seconds the oldest unfinished message of an owned partition has waited since it was taken (in key mode the head of the slowest key); 0 when none is unfinished.",
		[]string{"topic", "partition"}, nil)
)

// ageCollector computes one per-partition age gauge on scrape, so the age
// keeps growing while nothing moves, without a ticker.
type ageCollector struct {
	desc *prometheus.Desc
	ages Ages
}

// Describe implements prometheus.Collector.
func (c ageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c ageCollector) Collect(ch chan<- prometheus.Metric) {
	c.ages(func(topic string, partition int32, age time.Duration) {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, age.Seconds(),
			topic, strconv.Itoa(int(partition)))
	})
}

// RegisterCommitAges serves ages as dispatchd_last_commit_age_seconds.
func (m *Metrics) RegisterCommitAges(ages CommitAges) {
	m.Registry.MustRegister(ageCollector{desc: commitAgeDesc, ages: ages})
}

// RegisterOldestAges serves ages as dispatchd_oldest_message_age_seconds.
func (m *Metrics) RegisterOldestAges(ages Ages) {
	m.Registry.MustRegister(ageCollector{desc: oldestAgeDesc, ages: ages})
}
