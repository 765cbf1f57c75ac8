package telemetry

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// children caches the children of one metric vector by their label values.
// Recording through a vector hashes and checks the values each time, and a
// message is recorded several times; a cached child is one map lookup.
// Lookups take no lock. Creating and deleting a child hold mu, so a child
// deleted from the vector is never cached again.
type children[K comparable, M any] struct {
	vec    *prometheus.MetricVec
	labels func(K) []string
	mu     sync.Mutex
	cached sync.Map // K → M
}

func newChildren[K comparable, M any](vec *prometheus.MetricVec, labels func(K) []string) *children[K, M] {
	return &children[K, M]{vec: vec, labels: labels}
}

// get returns k's child, creating it if need be. Like WithLabelValues, it
// panics when the label values are not valid.
func (c *children[K, M]) get(k K) M {
	if m, ok := c.cached.Load(k); ok {
		return m.(M)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.cached.Load(k); ok {
		return m.(M)
	}
	m, err := c.vec.GetMetricWithLabelValues(c.labels(k)...)
	if err != nil {
		panic(err)
	}
	c.cached.Store(k, m)
	return m.(M)
}

// delete removes k's child from the vector and from the cache.
func (c *children[K, M]) delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vec.DeleteLabelValues(c.labels(k)...)
	c.cached.Delete(k)
}

// one is the label values of a vector with one label.
func one(v string) []string { return []string{v} }

// handledKey is the label values of dispatchd_messages_handled_total.
type handledKey struct{ typ, handler, outcome string }

func (k handledKey) labels() []string { return []string{k.typ, k.handler, k.outcome} }

// durationKey is the label values of dispatchd_handler_duration_seconds.
type durationKey struct{ typ, handler string }

func (k durationKey) labels() []string { return []string{k.typ, k.handler} }

// topicPartition is the label values of dispatchd_consumer_lag.
type topicPartition struct {
	topic     string
	partition int32
}

func (k topicPartition) labels() []string {
	return []string{k.topic, strconv.Itoa(int(k.partition))}
}
