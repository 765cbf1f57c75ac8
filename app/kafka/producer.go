package kafka

import (
	"errors"
	"fmt"
	"sync"
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
// producer.acks asks. It is also the watermill Publisher of the router.
type Producer struct {
	sync    sarama.SyncProducer
	timeout time.Duration
	log     *zap.Logger

	mu       sync.RWMutex // Send holds it shared; Close exclusively, so no send races a close
	closed   bool
	closeErr error
}

// ErrProducerClosed is returned by Send after Close.
var ErrProducerClosed = errors.New("producer closed")

// NewProducer connects a synchronous producer.
func NewProducer(brokers []string, sc *sarama.Config, deliveryTimeout time.Duration, log *zap.Logger) (*Producer, error) {
	sp, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("connect producer to %v: %w", brokers, err)
	}
	return &Producer{sync: sp, timeout: deliveryTimeout, log: log}, nil
}

// Send sends the records as one batch and returns where each landed, in order.
// On error none of the records may be assumed delivered.
func (p *Producer) Send(records []*sarama.ProducerMessage) ([]Delivery, error) {
	if len(records) == 0 {
		return nil, nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, ErrProducerClosed
	}
	done := make(chan error, 1)
	go func() { done <- p.sync.SendMessages(records) }()
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return nil, sendError(err)
		}
	case <-timer.C:
		return nil, fmt.Errorf("%w (%s)", ErrDeliveryTimeout, p.timeout)
	}
	out := make([]Delivery, len(records))
	for i, r := range records {
		out[i] = Delivery{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	}
	return out, nil
}

func sendError(err error) error {
	var pes sarama.ProducerErrors
	if errors.As(err, &pes) && len(pes) > 0 {
		return fmt.Errorf("send %d record(s): first failure on %s: %w", len(pes), pes[0].Msg.Topic, pes[0].Err)
	}
	return fmt.Errorf("send: %w", err)
}

// Publish implements message.Publisher: each message becomes a record on
// topic, keyed by the key its context carries.
func (p *Producer) Publish(topic string, msgs ...*message.Message) error {
	records := make([]*sarama.ProducerMessage, len(msgs))
	for i, m := range msgs {
		records[i] = toProducerMessage(topic, m)
	}
	_, err := p.Send(records)
	return err
}

// Close waits for running sends, then flushes and closes the producer. It is
// safe to call more than once; Send fails with ErrProducerClosed after it.
func (p *Producer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		p.log.Info("closing producer")
		p.closeErr = p.sync.Close()
	}
	return p.closeErr
}

// Unclosable is the producer as a publisher whose Close does nothing. The
// watermill router closes its handlers' publishers when it stops, but the
// HTTP endpoint still sends until it stops, so the app closes the producer.
func (p *Producer) Unclosable() message.Publisher { return unclosable{p} }

type unclosable struct{ *Producer }

func (unclosable) Close() error { return nil }
