package kafka

import (
	"context"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
)

// partitionRun is one claim's loop (the words are the package doc's). It
// takes records into the window and starts those whose lane is free; as they
// finish it starts their lanes' next records and marks the finished prefix.
// Once it stops it drains: it starts the holes, parks the rest, and returns
// when nothing runs.
type partitionRun struct {
	env      env
	sess     sarama.ConsumerGroupSession
	claim    sarama.ConsumerGroupClaim
	w        *window
	outcomes chan outcome // every started record reports once

	running   int
	stopping  bool     // take no new records, start only holes
	abandoned bool     // a handed-over record was cut short: start nothing more
	maxHanded int64    // offset of the highest record handed over
	parked    []*entry // stopping: lanes' current records not handed over
}

// outcome is how one started record ended.
type outcome struct {
	e   *entry
	end handOverEnd
}

// handOverEnd is how a started record's hand-over ended.
type handOverEnd int

const (
	acked     handOverEnd = iota // finished: it may be committed
	notHanded                    // stopping began before the reader took it: parked
	cut                          // handed over, not finished (see the package doc)
)

func newPartitionRun(env env, sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) *partitionRun {
	w := newWindow(env.limit, env.laneOf)
	return &partitionRun{env: env, sess: sess, claim: claim, w: w, outcomes: make(chan outcome, w.limit), maxHanded: -1}
}

func (r *partitionRun) loop() {
	records, closing, ended := r.claim.Messages(), r.env.closing, r.sess.Context().Done()
	for {
		// Checked first, alone, so a ready record never wins against stop.
		if !r.stopping && r.env.isClosing() {
			r.stopping = true
		}
		if r.stopping && r.running == 0 && !r.drainHoles() {
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
			r.env.obs.Consumed(km.Topic, km.Partition, km.Offset, r.claim.HighWaterMarkOffset())
			if e := r.w.add(km); e != nil {
				r.start(e, false)
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

// finished books o: marks the grown finished prefix and starts or parks the
// lane's next record.
func (r *partitionRun) finished(o outcome) {
	r.running--
	switch o.end {
	case notHanded:
		r.parked = append(r.parked, o.e)
		return
	case cut:
		// It stays uncommitted, and so does everything after it.
		r.maxHanded = max(r.maxHanded, o.e.km.Offset)
		r.stopping, r.abandoned = true, true
		return
	}
	r.maxHanded = max(r.maxHanded, o.e.km.Offset)
	next, last := r.w.finish(o.e)
	if last != nil {
		r.sess.MarkMessage(last, "")
		r.env.commits.mark(last.Topic, last.Partition, last.Offset+1)
		r.env.obs.Marked(last.Topic, last.Partition, last.Offset)
	}
	switch {
	case next == nil || r.abandoned:
	case !r.stopping:
		r.start(next, false)
	case next.km.Offset < r.maxHanded:
		r.start(next, true) // a hole: drain it
	default:
		r.parked = append(r.parked, next)
	}
}

// drainHoles starts the parked records below the highest one handed over,
// once nothing runs (so that highest one is known). It reports whether it
// started any.
func (r *partitionRun) drainHoles() bool {
	if r.abandoned || r.env.drainCtx.Err() != nil {
		return false
	}
	left := r.parked[:0]
	started := false
	for _, e := range r.parked {
		if e.km.Offset < r.maxHanded {
			r.start(e, true)
			started = true
		} else {
			left = append(left, e)
		}
	}
	r.parked = left
	return started
}

// start runs e's record in its own goroutine. A draining record is handed
// over even though the run is stopping, bounded by the drain budget.
func (r *partitionRun) start(e *entry, draining bool) {
	r.running++
	go func() { r.outcomes <- outcome{e: e, end: r.deliver(e.km, draining)} }()
}

// deliver hands km to the subscriber's reader until it is acked; a nacked
// message is handed over again after the nack backoff, which doubles with
// each nack up to its cap, unless stopping began. Nothing later in the lane
// is handed over meanwhile: a paused partition (or key) stays paused.
func (r *partitionRun) deliver(km *sarama.ConsumerMessage, draining bool) handOverEnd {
	wait := r.env.nackBackoff
	for {
		ctx, cancel := context.WithCancel(r.env.drainCtx)
		msg := toMessage(ctx, km)
		end := r.handOver(msg, draining)
		// A message's context ends once it is acked or nacked.
		cancel()
		if end != cut || r.env.drainCtx.Err() != nil {
			return end
		}
		t := time.NewTimer(wait)
		wait = min(2*wait, r.env.nackBackoffMax)
		select { // nacked
		case <-t.C:
		case <-r.env.closing:
			t.Stop()
			return cut
		case <-r.sess.Context().Done():
			t.Stop()
			return cut
		}
	}
}

// handOver sends m and waits for its ack or nack (cut). Unless draining, m
// is not handed over once stopping began.
func (r *partitionRun) handOver(m *message.Message, draining bool) handOverEnd {
	closing, ended := r.env.closing, r.sess.Context().Done()
	if draining {
		closing, ended = nil, nil
	}
	select {
	case r.env.out <- m:
	case <-closing:
		return notHanded
	case <-ended:
		return notHanded
	case <-r.env.drainCtx.Done():
		return notHanded
	}
	// Once handed over, the message is waited for even while stopping:
	// this is the drain. Only the drain budget cuts it short.
	select {
	case <-m.Acked():
		return acked
	case <-m.Nacked():
		return cut
	case <-r.env.drainCtx.Done():
		return cut
	}
}
