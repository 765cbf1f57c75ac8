package bench

import (
	"context"
	"sync"

	"github.com/IBM/sarama"
)

// pipelineWindow bounds, per partition, the results the pipelined loop has
// handed to the producer and not yet seen acknowledged, and with it the
// memory the loop holds.
const pipelineWindow = 1024

// runPipelined is the careful sarama loop: a consumer group that hands each
// record's result to an idempotent AsyncProducer (acks=all, one request in
// flight) without waiting for it, and marks an input offset once its result
// and every earlier one of its partition are acknowledged.
func runPipelined(ctx context.Context, t Target) error {
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewAsyncProducer(t.Brokers, sc)
	if err != nil {
		return err
	}
	defer func() { _ = p.Close() }()
	g, err := sarama.NewConsumerGroup(t.Brokers, t.Group, sc)
	if err != nil {
		return err
	}
	defer func() { _ = g.Close() }()
	go func() {
		for range g.Errors() {
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := &pipeHandler{p: p, out: t.Output, broken: make(chan struct{})}
	go func() {
		for m := range p.Successes() {
			a := m.Metadata.(ack)
			a.to <- a.slot
		}
	}()
	go func() {
		for e := range p.Errors() {
			h.fail(e.Err)
			cancel()
		}
	}()
	for ctx.Err() == nil {
		if err := g.Consume(ctx, []string{t.Input}, h); err != nil && ctx.Err() == nil {
			return err
		}
	}
	return h.failure()
}

// ack routes a producer acknowledgement back to the claim that sent it:
// the window slot its input occupies.
type ack struct {
	to   chan<- int
	slot int
}

type pipeHandler struct {
	p      sarama.AsyncProducer
	out    string
	broken chan struct{} // closed when a result could not be produced

	once sync.Once
	err  error
}

func (h *pipeHandler) fail(err error) {
	h.once.Do(func() { h.err = err; close(h.broken) })
}

func (h *pipeHandler) failure() error {
	select {
	case <-h.broken:
		return h.err
	default:
		return nil
	}
}

func (*pipeHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*pipeHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

// ConsumeClaim sends while the window has room and marks as acknowledgements
// extend the partition's acknowledged prefix. When the claim ends it waits
// for what is in flight, so a rebalance or a stop hands over no more than
// it must; only a failed producer cuts that short.
func (h *pipeHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	w := newWindow(pipelineWindow)
	// As deep as the window, so the goroutine that routes acknowledgements
	// never blocks on a claim that has stopped reading.
	acks := make(chan int, pipelineWindow)
	msgs := claim.Messages()
	for msgs != nil || w.n > 0 {
		in := msgs
		if w.full() {
			in = nil
		}
		select {
		case m, ok := <-in:
			if !ok {
				msgs = nil
				continue
			}
			pm := &sarama.ProducerMessage{Topic: h.out, Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(m.Value),
				Metadata: ack{to: acks, slot: w.push(m.Offset)}}
			select {
			case h.p.Input() <- pm:
			case <-h.broken:
				return h.err
			}
		case slot := <-acks:
			if next, ok := w.ack(slot); ok {
				sess.MarkOffset(claim.Topic(), claim.Partition(), next, "")
			}
		case <-h.broken:
			return h.err
		}
	}
	return nil
}
