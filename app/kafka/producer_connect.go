package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// ErrNotConnected is returned by Send before the producer has connected:
// the daemon serves HTTP while it waits for the brokers.
var ErrNotConnected = errors.New("producer not connected yet: the brokers have not answered")

// NewProducer connects a producer.
func NewProducer(brokers []string, sc *sarama.Config, deliveryTimeout time.Duration, log *zap.Logger) (*Producer, error) {
	p := NewUnconnectedProducer(brokers, sc, deliveryTimeout, log)
	if err := p.Connect(); err != nil {
		return nil, err
	}
	return p, nil
}

// NewUnconnectedProducer returns a producer that dials nothing until
// Connect; its sends fail with ErrNotConnected until then. The daemon builds
// its parts before any broker need answer, and connects in a start stage.
func NewUnconnectedProducer(brokers []string, sc *sarama.Config, deliveryTimeout time.Duration, log *zap.Logger) *Producer {
	return &Producer{brokers: brokers, sc: sc, timeout: deliveryTimeout, log: log}
}

// Connect connects the producer to the brokers. Calling it again once
// connected does nothing; after Close it fails with ErrProducerClosed.
func (p *Producer) Connect() error {
	p.mu.RLock()
	connected, closed := p.async != nil, p.closed
	p.mu.RUnlock()
	switch {
	case closed:
		return ErrProducerClosed
	case connected:
		return nil
	}
	ap, err := sarama.NewAsyncProducer(p.brokers, p.sc)
	if err != nil {
		return fmt.Errorf("connect producer to %v: %w", p.brokers, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.async != nil {
		_ = ap.Close()
		if p.closed {
			return ErrProducerClosed
		}
		return nil
	}
	p.attach(ap)
	return nil
}
