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

// finisher is told how each record it rides on ended: a Send's batch, or a
// pipelined message's pending.
type finisher interface{ finish(*sarama.ProducerError) }

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
			m.Metadata.(finisher).finish(nil)
		case pe, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			pe.Msg.Metadata.(finisher).finish(pe)
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
// topic, keyed by the key its context carries. Messages derived from one the
// Subscriber handed over are pipelined: Publish returns once they are handed
// to the producer, in order, and the input's offset waits for their
// acknowledgement (see pending). Any other publish waits for it.
func (p *Producer) Publish(topic string, msgs ...*message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	records := make([]*sarama.ProducerMessage, len(msgs))
	for i, m := range msgs {
		records[i] = toProducerMessage(topic, m)
	}
	if pd := pendingFrom(msgs[0].Context()); pd != nil {
		return p.pipeline(records, pd)
	}
	return p.send(records)
}

// pipeline hands records to the producer on pd's behalf, without waiting
// for their acknowledgement. A record larger than producer.max_message_bytes
// is refused here, before any is handed over, as sarama would refuse it, so
// the chain can dead-letter its message rather than replay its partition.
func (p *Producer) pipeline(records []*sarama.ProducerMessage, pd *pending) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.usable(len(records)); err != nil {
		return err
	}
	if err := p.fits(records); err != nil {
		return err
	}
	pd.add(len(records))
	if n, err := p.enqueue(records, pd, p.deadlines.fromNow()); err != nil {
		pd.add(n - len(records)) // never handed over; pd's own share keeps it above zero
		return err
	}
	return nil
}

// enqueue hands records to sarama, each reporting its end to f, and returns
// how many it handed over; it stops with the delivery timeout's error once
// expired is closed.
func (p *Producer) enqueue(records []*sarama.ProducerMessage, f finisher, expired <-chan struct{}) (int, error) {
	in := p.async.Input()
	for i, r := range records {
		r.Metadata = f
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
			return i, &SendError{Count: len(records), Err: fmt.Errorf("%w (%s)", ErrDeliveryTimeout, p.timeout)}
		}
	}
	return len(records), nil
}

// fits refuses a record sarama would refuse for its size, with the error it
// would return.
func (p *Producer) fits(records []*sarama.ProducerMessage) error {
	if p.sc == nil {
		return nil
	}
	limit := p.sc.Producer.MaxMessageBytes
	for _, r := range records {
		if n := r.ByteSize(2); n > limit {
			return &SendError{Count: len(records), Topic: r.Topic, Err: sarama.ConfigurationError(fmt.Sprintf(
				"Attempt to produce message larger than configured Producer.MaxMessageBytes: %d > %d", n, limit))}
		}
	}
	return nil
}

// usable says why records cannot be sent now, if they cannot.
func (p *Producer) usable(n int) error {
	if p.closed {
		return ErrProducerClosed
	}
	if p.async == nil {
		return &SendError{Count: n, Err: ErrNotConnected}
	}
	return nil
}

// send is Send without the deliveries, which Publish does not need.
func (p *Producer) send(records []*sarama.ProducerMessage) error {
	if len(records) == 0 {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.usable(len(records)); err != nil {
		return err
	}
	expired := p.deadlines.fromNow()
	b := &batch{done: make(chan struct{})}
	b.left.Store(int32(len(records)))
	if _, err := p.enqueue(records, b, expired); err != nil {
		return err
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
