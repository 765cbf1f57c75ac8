// Package bench measures dispatchd against its baselines on the same broker
// and the same cores: each contender runs as its own OS process, in turn
// (A B C, B C A, C A B, ...), over the same preloaded input, and is timed the same way, by a
// reader that sees its results land on the output topic. A correctness gate
// checks every run: a contender that loses, duplicates or reorders results
// is reported as failed, never as fast.
package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// Item is the payload of one input record; contenders echo it back as the
// result's value, so the reader can tell which input a result answers.
type Item struct {
	// Key is the record key.
	Key string `json:"k"`
	// Seq is the record's position among its key's records.
	Seq int `json:"s"`
	// Pad brings the record to about 100 bytes.
	Pad string `json:"p"`
}

// NoopType is the message type of the input records; every contender's
// handler for it does nothing but echo the value.
const NoopType = "bench.noop"

// ResultType is the type of the echoed results.
const ResultType = "bench.done"

// Workload is the input one scenario preloads.
type Workload struct {
	// Messages is how many records.
	Messages int
	// Keys is how many distinct keys they spread over, round robin.
	Keys int
	// Partitions of the input and output topics.
	Partitions int32
	// Trace is what trace context the records carry.
	Trace TraceInput
}

// TraceInput is what trace context a workload's records carry.
type TraceInput int

const (
	// TraceNone: no trace header.
	TraceNone TraceInput = iota
	// TracePadded: a header as large as a traceparent that nothing reads,
	// so an input without trace context weighs what a traced one does.
	TracePadded
	// TraceParent: a sampled traceparent, each record its own trace.
	TraceParent
)

// traceHeader is record i's trace header as t asks, if any. Its ids are
// spread over the whole range as random ones are, so a sampler that keeps
// a share of trace ids (traceidratio) keeps that share here too.
func (t TraceInput) traceHeader(i int) []sarama.RecordHeader {
	n := uint64(i)
	tp := fmt.Sprintf("00-%016x%016x-%016x-01", mix(3*n), mix(3*n+1)|1, mix(3*n+2)|1)
	switch t {
	case TracePadded:
		return []sarama.RecordHeader{{Key: []byte("xraceparent"), Value: []byte(tp)}}
	case TraceParent:
		return []sarama.RecordHeader{{Key: []byte("traceparent"), Value: []byte(tp)}}
	}
	return nil
}

// mix is splitmix64's finaliser: distinct inputs, well-spread outputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func keyName(k int) string { return fmt.Sprintf("key-%05d", k) }

// records builds the workload's records; record i has key i%Keys.
func (w Workload) records(topic string) []*sarama.ProducerMessage {
	pad := strings.Repeat("x", 64)
	out := make([]*sarama.ProducerMessage, w.Messages)
	seq := make([]int, w.Keys)
	for i := range out {
		k := i % w.Keys
		v, _ := json.Marshal(Item{Key: keyName(k), Seq: seq[k], Pad: pad})
		seq[k]++
		out[i] = &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(keyName(k)), Value: sarama.ByteEncoder(v),
			Headers: append([]sarama.RecordHeader{{Key: []byte("type"), Value: []byte(NoopType)}}, w.Trace.traceHeader(i)...)}
	}
	return out
}

// Preload creates topic and writes the workload to it, in batches.
func Preload(brokers []string, sc *sarama.Config, topic string, w Workload) (time.Duration, error) {
	start := time.Now()
	if err := createTopics(brokers, sc, w.Partitions, topic); err != nil {
		return 0, err
	}
	p, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		return 0, fmt.Errorf("preload producer: %w", err)
	}
	defer func() { _ = p.Close() }()
	recs := w.records(topic)
	for i := 0; i < len(recs); i += 1000 {
		if err := p.SendMessages(recs[i:min(i+1000, len(recs))]); err != nil {
			return 0, fmt.Errorf("preload %s: %w", topic, err)
		}
	}
	return time.Since(start), nil
}

func createTopics(brokers []string, sc *sarama.Config, partitions int32, names ...string) error {
	admin, err := sarama.NewClusterAdmin(brokers, sc)
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	defer func() { _ = admin.Close() }()
	for _, n := range names {
		if err := admin.CreateTopic(n, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
			return fmt.Errorf("create topic %s: %w", n, err)
		}
	}
	return waitForLeaders(brokers, sc, partitions, names)
}

// waitForLeaders returns once every partition of the topics has a leader:
// a real broker creates topics asynchronously, and a reader that starts
// before that fails with NOT_LEADER.
func waitForLeaders(brokers []string, sc *sarama.Config, partitions int32, names []string) error {
	client, err := sarama.NewClient(brokers, sc)
	if err != nil {
		return fmt.Errorf("metadata client: %w", err)
	}
	defer func() { _ = client.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ready := client.RefreshMetadata(names...) == nil
		for _, n := range names {
			for p := int32(0); ready && p < partitions; p++ {
				if _, err := client.Leader(n, p); err != nil {
					ready = false
				}
			}
		}
		if ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topics %v: partitions without a leader after 30s", names)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
