package handoff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/messages"
)

// result is one record read back from the results topic.
type result struct {
	src    source
	key    string
	outP   int32
	outOff int64
	ts     time.Time // the record's timestamp: when the publishing replica produced it
	recv   time.Time
}

// checker reads the results topic from the start, outside any group.
type checker struct {
	consumer sarama.Consumer
	parts    []sarama.PartitionConsumer
	wg       sync.WaitGroup
	mu       sync.Mutex
	results  []result
	srcs     map[source]bool
	bad      []string
}

// startChecker starts reading every partition of topic from its start.
func startChecker(brokers []string, sc *sarama.Config, topic string) (*checker, error) {
	consumer, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("checker: %w", err)
	}
	k := &checker{consumer: consumer, srcs: map[source]bool{}}
	parts, err := consumer.Partitions(topic)
	if err != nil {
		k.close()
		return nil, fmt.Errorf("checker: partitions of %s: %w", topic, err)
	}
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			k.close()
			return nil, fmt.Errorf("checker: read %s/%d: %w", topic, p, err)
		}
		k.parts = append(k.parts, pc)
		k.wg.Go(func() {
			for m := range pc.Messages() {
				k.add(m)
			}
		})
	}
	return k, nil
}

func (k *checker) add(m *sarama.ConsumerMessage) {
	r := result{key: string(m.Key), outP: m.Partition, outOff: m.Offset, ts: m.Timestamp, recv: time.Now()}
	var srcHeader string
	for _, h := range m.Headers {
		if string(h.Key) == messages.HeaderSource {
			srcHeader = string(h.Value)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// dispatch_source is topic/partition/offset, and a topic may hold a "/".
	parts := strings.Split(srcHeader, "/")
	var err1, err2 error
	if len(parts) >= 3 {
		var p int
		p, err1 = strconv.Atoi(parts[len(parts)-2])
		r.src.partition = int32(p)
		r.src.offset, err2 = strconv.ParseInt(parts[len(parts)-1], 10, 64)
	}
	if len(parts) < 3 || err1 != nil || err2 != nil {
		k.bad = append(k.bad, fmt.Sprintf("out %d/%d: dispatch_source %q", m.Partition, m.Offset, srcHeader))
		return
	}
	if r.ts.IsZero() {
		r.ts = r.recv
	}
	k.results = append(k.results, r)
	k.srcs[r.src] = true
}

// distinct is how many inputs have a result so far.
func (k *checker) distinct() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.srcs)
}

// first is the earliest result so far, by timestamp, that ok accepts, or
// nil.
func (k *checker) first(ok func(result) bool) *result {
	k.mu.Lock()
	defer k.mu.Unlock()
	return first(k.results, ok)
}

func first(rs []result, ok func(result) bool) *result {
	var best *result
	for i := range rs {
		if ok(rs[i]) && (best == nil || rs[i].ts.Before(best.ts)) {
			best = &rs[i]
		}
	}
	return best
}

// all is every result read so far; it fails if any had no readable
// dispatch_source.
func (k *checker) all() ([]result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.bad) > 0 {
		return nil, fmt.Errorf("%d results without a readable dispatch_source, first: %s", len(k.bad), k.bad[0])
	}
	return slices.Clone(k.results), nil
}

// close stops reading.
func (k *checker) close() {
	for _, pc := range k.parts {
		_ = pc.Close()
	}
	k.wg.Wait()
	_ = k.consumer.Close()
}
