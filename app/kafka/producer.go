package kafka

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// ErrDeliveryTimeout is returned when the brokers did not acknowledge a send
// within producer.delivery_timeout. The records may still arrive later: the
// caller must treat them as unsent and may send them again (at least once).
var ErrDeliveryTimeout = errors.New("delivery timeout: brokers did not acknowledge in time")

// Delivery is where one sent record landed.
type Delivery struct {
	// Topic the record was written to.
	Topic string `json:"topic"`
	// Partition the record was written to.
	Partition int32 `json:"partition"`
	// Offset of the record in its partition.
	Offset int64 `json:"offset"`
}

// Producer sends records and waits until the brokers acknowledge them, as
// producer.acks asks. It is also the watermill Publisher of the router. It
// runs on sarama's AsyncProducer, which batches the records of every caller
// into one request per broker; each Send waits only for its own records.
type Producer struct {
	brokers   []string
	sc        *sarama.Config
	async     sarama.AsyncProducer // nil until Connect
	timeout   time.Duration
	deadlines *deadlines
	log       *zap.Logger
	routed    chan struct{} // closed when route has seen the last result

	mu       sync.RWMutex // Send holds it shared; Close exclusively, so no send races a close
	closed   bool
	closeErr error
}

// ErrProducerClosed is returned by Send after Close.
var ErrProducerClosed = errors.New("producer closed")

// runProducer routes ap's results to the sends they belong to.
func runProducer(ap sarama.AsyncProducer, deliveryTimeout time.Duration, log *zap.Logger) *Producer {
	p := &Producer{timeout: deliveryTimeout, log: log}
	p.attach(ap)
	return p
}

// attach makes ap the producer's, and starts routing its results.
func (p *Producer) attach(ap sarama.AsyncProducer) {
	p.async, p.deadlines, p.routed = ap, startDeadlines(p.timeout), make(chan struct{})
	go p.route()
}

// batch is one Send call's records in flight.
type batch struct {
	left atomic.Int32
	mu   sync.Mutex
	err  *sarama.ProducerError
	done chan struct{}
}

func (b *batch) finish(pe *sarama.ProducerError) {
	if pe != nil {
		b.mu.Lock()
		if b.err == nil {
			b.err = pe
		}
		b.mu.Unlock()
	}
	if b.left.Add(-1) == 0 {
		close(b.done)
	}
}

// route hands each acknowledgement or failure to the Send it belongs to.
func (p *Producer) route() {
	defer close(p.routed)
	succ, errs := p.async.Successes(), p.async.Errors()
	for succ != nil || errs != nil {
		select {
		case m, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			m.Metadata.(*batch).finish(nil)
		case pe, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			pe.Msg.Metadata.(*batch).finish(pe)
		}
	}
}

// Send sends the records and returns where each landed, in order. On error
// none of the records may be assumed delivered.
func (p *Producer) Send(records []*sarama.ProducerMessage) ([]Delivery, error) {
	if err := p.send(records); err != nil || len(records) == 0 {
		return nil, err
	}
	out := make([]Delivery, len(records))
	for i, r := range records {
		out[i] = Delivery{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	}
	return out, nil
}

// Publish implements message.Publisher: each message becomes a record on
// topic, keyed by the key its context carries.
func (p *Producer) Publish(topic string, msgs ...*message.Message) error {
	records := make([]*sarama.ProducerMessage, len(msgs))
	for i, m := range msgs {
		records[i] = toProducerMessage(topic, m)
	}
	return p.send(records)
}

// send is Send without the deliveries, which Publish does not need.
func (p *Producer) send(records []*sarama.ProducerMessage) error {
	if len(records) == 0 {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrProducerClosed
	}
	if p.async == nil {
		return &SendError{Count: len(records), Err: ErrNotConnected}
	}
	expired := p.deadlines.fromNow()
	b := &batch{done: make(chan struct{})}
	b.left.Store(int32(len(records)))
	in := p.async.Input()
	for _, r := range records {
		r.Metadata = b
		// sarama's dispatcher is mostly waiting for input: try a plain
		// send first, which costs much less than the select after it.
		select {
		case in <- r:
			continue
		default:
		}
		select {
		case in <- r:
		case <-expired:
			return &SendError{Count: len(records), Err: fmt.Errorf("%w (%s)", ErrDeliveryTimeout, p.timeout)}
		}
	}
	select {
	case <-b.done:
	case <-expired:
		return &SendError{Count: len(records), Err: fmt.Errorf("%w (%s)", ErrDeliveryTimeout, p.timeout)}
	}
	if b.err != nil {
		return &SendError{Count: len(records), Topic: b.err.Msg.Topic, Err: b.err.Err}
	}
	return nil
}

// Close waits for running sends, then flushes and closes the producer. It is
// safe to call more than once, and before Connect; Send fails with
// ErrProducerClosed after it.
func (p *Producer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return p.closeErr
	}
	p.closed = true
	if p.async != nil { // a producer that never connected has nothing to flush
		p.log.Info("closing producer")
		p.closeErr = p.async.Close()
		<-p.routed
		p.deadlines.close()
	}
	return p.closeErr
}

// Unclosable is the producer as a publisher whose Close does nothing. The
// watermill router closes its handlers' publishers when it stops, but the
// HTTP endpoint still sends until it stops, so the app closes the producer.
func (p *Producer) Unclosable() message.Publisher { return unclosable{p} }

type unclosable struct{ *Producer }

func (unclosable) Close() error { return nil }
