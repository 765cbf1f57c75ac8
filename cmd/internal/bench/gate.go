package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// Gate reads a contender's output topic, times it, and checks it.
type Gate struct {
	// Expected is how many distinct results make the run complete.
	Expected int

	mu         sync.Mutex
	seen       map[Item]bool
	lastSeq    map[string]int
	first      time.Time
	last       time.Time
	duplicates int
	violations int
	bad        int
	done       chan struct{}
}

// Verdict is what the gate saw of one run.
type Verdict struct {
	// Results is how many distinct inputs got a result.
	Results int
	// Lost is how many inputs got none.
	Lost int
	// Duplicates counts results beyond the first for an input.
	Duplicates int
	// OrderViolations counts first results that came before an earlier
	// input of the same key.
	OrderViolations int
	// Undecodable counts results the gate could not read.
	Undecodable int
	// First and Last are when the first and the last result arrived.
	First, Last time.Time
}

// OK reports whether the run passed the gate.
func (v Verdict) OK() bool {
	return v.Lost == 0 && v.Duplicates == 0 && v.OrderViolations == 0 && v.Undecodable == 0
}

// Watch starts reading topic from its start on every partition. It returns
// once the readers are in place; Wait then blocks until Expected results
// arrived or ctx ends.
func (g *Gate) Watch(ctx context.Context, brokers []string, sc *sarama.Config, topic string) (func(), error) {
	g.seen = make(map[Item]bool, g.Expected)
	g.lastSeq = map[string]int{}
	g.done = make(chan struct{})
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("gate consumer: %w", err)
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("gate partitions of %s: %w", topic, err)
	}
	for _, p := range parts {
		pc, err := consumeRetrying(c, topic, p)
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("gate consume %s/%d: %w", topic, p, err)
		}
		go func() {
			for m := range pc.Messages() {
				g.observe(m, time.Now())
			}
		}()
	}
	return func() { _ = c.Close() }, nil
}

func (g *Gate) observe(m *sarama.ConsumerMessage, at time.Time) {
	var it Item
	err := json.Unmarshal(m.Value, &it)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil || it.Key != string(m.Key) {
		g.bad++
		return
	}
	if g.first.IsZero() {
		g.first = at
	}
	if g.seen[it] {
		g.duplicates++
		return
	}
	g.seen[it] = true
	// A key's results share one output partition, so this reader sees them
	// in the order they were written.
	if prev, ok := g.lastSeq[it.Key]; ok && it.Seq < prev {
		g.violations++
	}
	g.lastSeq[it.Key] = max(g.lastSeq[it.Key], it.Seq)
	g.last = at
	if len(g.seen) == g.Expected {
		close(g.done)
	}
}

// Wait blocks until every expected result arrived, or ctx ends, then waits
// settle more for stragglers (duplicates), and returns the verdict.
func (g *Gate) Wait(ctx context.Context, settle time.Duration) Verdict {
	select {
	case <-g.done:
	case <-ctx.Done():
	}
	time.Sleep(settle)
	g.mu.Lock()
	defer g.mu.Unlock()
	return Verdict{Results: len(g.seen), Lost: g.Expected - len(g.seen), Duplicates: g.duplicates,
		OrderViolations: g.violations, Undecodable: g.bad, First: g.first, Last: g.last}
}

// consumeRetrying starts reading a partition, retrying for a while: a real
// broker may answer NOT_LEADER for a moment after it created the topic,
// even once its metadata names a leader.
func consumeRetrying(c sarama.Consumer, topic string, p int32) (sarama.PartitionConsumer, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err == nil || time.Now().After(deadline) {
			return pc, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
