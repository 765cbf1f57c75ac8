package kafka

import (
	"context"
	"sync/atomic"

	"github.com/IBM/sarama"
)

// pending is what a handed-over record waits on before it is done: its
// hand-over, until acked, and each record its message published that the
// brokers have not acknowledged yet. This is the pipelining: a lane moves on
// once a message is acked, with its results handed to the producer in
// order, while its offset is marked only once they are acknowledged.
//
// The partition run starts it and seals it on the ack; the producer's
// routing goroutine counts acknowledgements down. Whichever brings the
// count to zero settles it: seal by returning true, the producer by telling
// the run, on its own goroutine.
type pending struct {
	left    atomic.Int32 // 1 for the hand-over, plus one per record in flight
	failure atomic.Pointer[sarama.ProducerError]
	e       *entry
	run     *partitionRun
}

// pendingKey is the context key under which a handed-over message carries
// its pending (see msgCtx). The router derives its results' and dead
// letters' contexts from the message's, so the producer finds it on them.
type pendingKey struct{}

// pendingFrom returns the pending a published message's context carries.
func pendingFrom(ctx context.Context) *pending {
	p, _ := ctx.Value(pendingKey{}).(*pending)
	return p
}

// start readies p for e's hand-over by run.
func (p *pending) start(e *entry, run *partitionRun) {
	p.e, p.run = e, run
	p.failure.Store(nil)
	p.left.Store(1)
}

// add counts n more records in flight.
func (p *pending) add(n int) { p.left.Add(int32(n)) }

// finish implements finisher: one record acknowledged (pe nil) or failed.
func (p *pending) finish(pe *sarama.ProducerError) {
	if pe != nil {
		p.failure.CompareAndSwap(nil, pe)
	}
	if p.left.Add(-1) == 0 {
		p.run.acknowledged(p.e)
	}
}

// seal ends the hand-over's share once the message is acked. It reports
// whether nothing it published is still in flight: then the caller settles
// the entry, and nothing is sent.
func (p *pending) seal() bool { return p.left.Add(-1) == 0 }

// err is the first failure of a record it published, if any.
func (p *pending) err() *sarama.ProducerError { return p.failure.Load() }
