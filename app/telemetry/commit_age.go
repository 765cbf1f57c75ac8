package telemetry

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CommitAges is a source of per-partition commit ages, read at scrape time.
type CommitAges func(emit func(topic string, partition int32, age time.Duration))

var commitAgeDesc = prometheus.NewDesc("dispatchd_last_commit_age_seconds",
	"Seconds since this member last committed a new offset for an owned partition (or since it was assigned).",
	[]string{"topic", "partition"}, nil)

// commitAgeCollector computes dispatchd_last_commit_age_seconds on scrape,
// so the age keeps growing when commits stop, without a ticker.
type commitAgeCollector struct{ ages CommitAges }

// Describe implements prometheus.Collector.
func (c commitAgeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- commitAgeDesc }

// Collect implements prometheus.Collector.
func (c commitAgeCollector) Collect(ch chan<- prometheus.Metric) {
	c.ages(func(topic string, partition int32, age time.Duration) {
		ch <- prometheus.MustNewConstMetric(commitAgeDesc, prometheus.GaugeValue, age.Seconds(),
			topic, strconv.Itoa(int(partition)))
	})
}

// RegisterCommitAges serves ages as dispatchd_last_commit_age_seconds.
func (m *Metrics) RegisterCommitAges(ages CommitAges) {
	m.Registry.MustRegister(commitAgeCollector{ages: ages})
}
