package kafkatest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

// Record is a record as a test writes it.
type Record struct {
	// Key is the record key.
	Key string
	// Headers are the record headers.
	Headers map[string]string
	// Ordered are more headers, written first and as given: in order,
	// duplicates kept, bytes that need not be text.
	Ordered []sarama.RecordHeader
	// Value is the record value.
	Value []byte
}

// Produce writes records to topic with a plain sarama producer, in order,
// and returns where each landed (partition, offset).
func (c *Cluster) Produce(t testing.TB, topic string, records []Record) []*sarama.ProducerMessage {
	t.Helper()
	p, err := sarama.NewSyncProducer(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = p.Close() }()
	msgs := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		msgs[i] = producerMessage(topic, r)
	}
	// In chunks: one batch call per chunk keeps memory flat and order per key.
	for i := 0; i < len(msgs); i += 500 {
		if err := p.SendMessages(msgs[i:min(i+500, len(msgs))]); err != nil {
			var pes sarama.ProducerErrors
			if errors.As(err, &pes) && len(pes) > 0 {
				err = fmt.Errorf("%w; first: %w", err, pes[0].Err)
			}
			require.NoError(t, err, "produce to %s", topic)
		}
	}
	return msgs
}

func producerMessage(topic string, r Record) *sarama.ProducerMessage {
	pm := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(r.Key), Value: sarama.ByteEncoder(r.Value)}
	pm.Headers = append(pm.Headers, r.Ordered...)
	for k, v := range r.Headers {
		pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
	}
	return pm
}

// Consumed is a record read back, with its headers as a map.
type Consumed struct {
	*sarama.ConsumerMessage
	// Headers of the record.
	Headers map[string]string
}

// ReadN reads topic from the oldest offset on every partition until n
// records have arrived or timeout passes, and returns what arrived, in
// partition-then-offset order. It fails the test on timeout.
func (c *Cluster) ReadN(t testing.TB, topic string, n int, timeout time.Duration) []Consumed {
	t.Helper()
	got := c.read(t, topic, n, timeout)
	require.Len(t, got, n, "records on %s", topic)
	return got
}

// ReadFor reads topic from the oldest offset for d and returns everything.
func (c *Cluster) ReadFor(t testing.TB, topic string, d time.Duration) []Consumed {
	t.Helper()
	return c.read(t, topic, -1, d)
}

func (c *Cluster) read(t testing.TB, topic string, n int, timeout time.Duration) []Consumed {
	consumer, err := sarama.NewConsumer(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = consumer.Close() }()
	parts, err := consumer.Partitions(topic)
	require.NoError(t, err)
	ch := make(chan *sarama.ConsumerMessage, 1024)
	done := make(chan struct{})
	defer close(done)
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		require.NoError(t, err)
		defer pc.AsyncClose()
		go func() {
			for m := range pc.Messages() {
				select {
				case ch <- m:
				case <-done:
					return
				}
			}
		}()
	}
	var out []Consumed
	deadline := time.After(timeout)
	for n < 0 || len(out) < n {
		select {
		case m := <-ch:
			h := make(map[string]string, len(m.Headers))
			for _, rh := range m.Headers {
				h[string(rh.Key)] = string(rh.Value)
			}
			out = append(out, Consumed{ConsumerMessage: m, Headers: h})
		case <-deadline:
			return sortByPartition(out)
		}
	}
	return sortByPartition(out)
}

// sortByPartition orders records by partition; the sort is stable, and
// within a partition records already arrive in offset order.
func sortByPartition(cs []Consumed) []Consumed {
	slices.SortStableFunc(cs, func(a, b Consumed) int { return cmp.Compare(a.Partition, b.Partition) })
	return cs
}
