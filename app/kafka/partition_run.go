package kafka

import (
	"context"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
)

// partitionRun is one claim's loop. It takes records into the window and
// starts those whose lane is free; as they finish it starts their lanes'
// next records and marks the finished prefix.
//
// When the run stops (the claim is revoked, the session ends or the
// subscription closes) it takes no new records and drains: the running
// records finish, and so do the waiting records that lie below the highest
// started one. Those are holes: finished records above a hole would stay
// above the commit point and be redone by the next owner. So after a drain
// every finished record is committed, and a graceful stop duplicates
// nothing. Only the drain budget cuts the drain short.
type partitionRun struct {
	h        *claimHandler
	sess     sarama.ConsumerGroupSession
	claim    sarama.ConsumerGroupClaim
	w        *window
	outcomes chan outcome // every started record reports once

	running    int
	stopping   bool  // take no new records, start only holes
	abandoned  bool  // a record was left unfinished: start nothing more
	maxStarted int64 // offset of the highest record started
}

// outcome is how one started record ended.
type outcome struct {
	e        *entry
	finished bool // acked; false: left unfinished (stopping, or the drain budget spent)
}

func newPartitionRun(h *claimHandler, sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) *partitionRun {
	w := newWindow(h.sub.s.cfg.window())
	return &partitionRun{h: h, sess: sess, claim: claim, w: w, outcomes: make(chan outcome, w.limit), maxStarted: -1}
}

func (r *partitionRun) loop() {
	sub := r.h.sub
	records, closing, ended := r.claim.Messages(), sub.closing, r.sess.Context().Done()
	for {
		// Checked first, alone, so a ready record never wins against stop.
		if !r.stopping && sub.isClosing() {
			r.stopping = true
		}
		if r.stopping && r.running == 0 {
			return
		}
		var in <-chan *sarama.ConsumerMessage
		if !r.stopping && !r.w.full() {
			in = records
		}
		select {
		case km, ok := <-in:
			if !ok {
				r.stopping = true
				continue
			}
			sub.s.obs.Consumed(km.Topic, km.Partition, km.Offset, r.claim.HighWaterMarkOffset())
			if e := r.w.add(km); e != nil {
				r.start(e)
			}
		case o := <-r.outcomes:
			r.finished(o)
		case <-closing:
			r.stopping, closing = true, nil
		case <-ended:
			r.stopping, ended = true, nil
		}
	}
}

// finished books o: marks the grown finished prefix and starts the lane's
// next record, if the run may.
func (r *partitionRun) finished(o outcome) {
	r.running--
	if !o.finished {
		// It stays uncommitted, and so does everything after it.
		r.stopping, r.abandoned = true, true
		return
	}
	next, last := r.w.finish(o.e)
	if last != nil {
		r.sess.MarkMessage(last, "")
		r.h.sub.s.obs.Marked(last.Topic, last.Partition, last.Offset)
	}
	switch {
	case next == nil || r.abandoned:
	case !r.stopping:
		r.start(next)
	case next.km.Offset < r.maxStarted:
		r.start(next) // a hole: drain it
	}
}

// start runs e's record in its own goroutine.
func (r *partitionRun) start(e *entry) {
	r.running++
	r.maxStarted = max(r.maxStarted, e.km.Offset)
	go func() { r.outcomes <- outcome{e: e, finished: r.h.deliver(r.sess, e.km)} }()
}

// deliver hands km to the subscriber's reader until it is acked; a nacked
// message is handed out again after NackBackoff. It returns false when the
// record was not finished (stopping, or the drain budget ran out); the
// record then stays uncommitted for the next owner.
func (h *claimHandler) deliver(sess sarama.ConsumerGroupSession, km *sarama.ConsumerMessage) bool {
	sub := h.sub
	for {
		ctx, cancel := context.WithCancel(sub.drainCtx)
		msg := toMessage(ctx, km)
		acked, handed := h.handOver(msg)
		// A message's context ends once it is acked or nacked.
		cancel()
		if acked {
			return true
		}
		if !handed {
			return false
		}
		select {
		case <-time.After(sub.s.cfg.NackBackoff):
		case <-sub.closing:
			return false
		case <-sess.Context().Done():
			return false
		}
	}
}

// handOver sends m and waits for its ack or nack. handed is false when m
// could not be handed over, or the drain budget ran out meanwhile. A
// started record is handed over even while stopping, bounded by the drain
// budget: records above it may have finished, and would be redone by the
// next owner if it were left out.
func (h *claimHandler) handOver(m *message.Message) (acked, handed bool) {
	sub := h.sub
	select {
	case sub.out <- m:
	case <-sub.drainCtx.Done():
		return false, false
	}
	// Once handed over, the message is waited for even while stopping:
	// this is the drain. Only the drain budget cuts it short.
	select {
	case <-m.Acked():
		return true, true
	case <-m.Nacked():
		return false, true
	case <-sub.drainCtx.Done():
		return false, false
	}
}
