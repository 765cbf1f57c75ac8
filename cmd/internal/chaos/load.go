package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/messages"
)

// Load sends keyed order.placed records at a steady rate with a franz-go
// producer (idempotent, acks=all): each key's records land in its
// partition in the order sent, so the input topic itself says each key's
// order. A broker outage blocks it; it sends again once the cluster does.
type Load struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{}
	acked  atomic.Int64
	failed atomic.Int64
	mu     sync.Mutex
	err    error // the first failure
}

// loadRate and loadKeys keep the load modest: the machine is shared.
const (
	loadRate = 400 // records a second: well under what 3 replicas handle here, so a backlog drains
	loadKeys = 200
)

// StartLoad starts sending to topic.
func StartLoad(brokers []string, topic string) (*Load, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		return nil, fmt.Errorf("load producer: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{cl: cl, cancel: cancel, done: make(chan struct{})}
	go l.run(ctx)
	return l, nil
}

func (l *Load) run(ctx context.Context) {
	defer close(l.done)
	tick := time.NewTicker(time.Second / 100)
	defer tick.Stop()
	i := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for range loadRate / 100 {
			key := fmt.Sprintf("k-%03d", i%loadKeys)
			v, _ := json.Marshal(messages.OrderPlaced{OrderID: key, Note: strconv.Itoa(i),
				Pickup: messages.Point{Lat: 52.5, Lng: 13.4}, Dropoff: messages.Point{Lat: 52.4, Lng: 13.5}})
			rec := &kgo.Record{Key: []byte(key), Value: v,
				Headers: []kgo.RecordHeader{{Key: messages.HeaderType, Value: []byte(messages.TypeOrderPlaced)}}}
			// Produce blocks while the buffer is full (an outage); the
			// stop's cancel ends the wait.
			l.cl.Produce(ctx, rec, l.ack)
			i++
		}
	}
}

func (l *Load) ack(_ *kgo.Record, err error) {
	if err == nil {
		l.acked.Add(1)
		return
	}
	if err == context.Canceled {
		return
	}
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

// Stop stops sending, waits up to 2 minutes for what was sent to be
// acknowledged, and returns how many records the brokers acknowledged and,
// if any failed at the producer (an outage can fail a record for good),
// how many and the first error. The verdict counts inputs from the topic,
// so a record that failed here is not an input.
func (l *Load) Stop() (acked int64, failed string, err error) {
	l.cancel()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ferr := l.cl.Flush(ctx)
	l.cl.Close()
	if ferr != nil {
		return l.acked.Load(), "", fmt.Errorf("load: flush: %w", ferr)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		failed = fmt.Sprintf("the load's producer gave up on %d records (first: %v)", l.failed.Load(), l.err)
	}
	return l.acked.Load(), failed, nil
}
