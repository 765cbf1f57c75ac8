package kafka

import (
	"context"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// partitionRun is one claim's loop (the words are the package doc's). It
// takes records into the window and starts those whose lane is free; as they
// are acked it starts their lanes' next records, and as they settle it
// marks the settled prefix. Once it stops it drains: it starts the holes,
// parks the rest, waits for what was published, and returns when nothing
// runs or is in flight.
type partitionRun struct {
	env      env
	sess     sarama.ConsumerGroupSession
	claim    sarama.ConsumerGroupClaim
	w        *window
	outcomes chan outcome // every started record reports once
	settled  chan *entry  // acked records whose last published record was acknowledged
	jobs     chan job     // records for idle workers
	idle     int          // workers waiting on jobs

	running   int      // started records whose hand-over has not ended
	unsettled int      // acked records with published records in flight
	stopping  bool     // take no new records, start only holes
	abandoned bool     // a handed-over record was cut short: start nothing more
	replaying bool     // a published record failed for good: start nothing, then replay
	maxHanded int64    // offset of the highest record handed over
	parked    []*entry // stopping: lanes' current records not handed over
}

// job is a record for a worker to hand over.
type job struct {
	e        *entry
	draining bool
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
	return &partitionRun{env: env, sess: sess, claim: claim, w: w, maxHanded: -1,
		outcomes: make(chan outcome, w.limit), settled: make(chan *entry, w.limit), jobs: make(chan job)}
}

func (r *partitionRun) loop() {
	records, closing, ended := r.claim.Messages(), r.env.closing, r.sess.Context().Done()
	defer close(r.jobs) // it returns once no worker runs: they all end
	for {
		// Checked first, alone, so a ready record never wins against stop.
		if !r.stopping && r.env.isClosing() {
			r.stopping = true
		}
		if r.stopping && r.replaying {
			r.abandoned = true // what failed stays uncommitted, for the next owner
		}
		// The drain budget bounds the wait for acknowledgements, too.
		var budget <-chan struct{}
		if r.stopping && r.running == 0 {
			if !r.drainHoles() && (r.unsettled == 0 || r.env.drainCtx.Err() != nil) {
				return
			}
			budget = r.env.drainCtx.Done()
		}
		if r.replaying && !r.stopping && r.running == 0 && r.unsettled == 0 {
			r.replay()
		}
		var in <-chan *sarama.ConsumerMessage
		if !r.stopping && !r.replaying && !r.w.full() {
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
		case e := <-r.settled:
			r.unsettled--
			r.settle(e)
		case <-budget:
		case <-closing:
			r.stopping, closing = true, nil
		case <-ended:
			r.stopping, ended = true, nil
		}
	}
}

// finished books o: starts or parks the lane's next record, and settles the
// record when nothing it published is still in flight.
func (r *partitionRun) finished(o outcome) {
	r.running--
	r.idle++
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
	next := r.w.handled(o.e)
	if o.e.pending.seal() {
		r.settle(o.e)
	} else {
		r.unsettled++
	}
	switch {
	case next == nil || r.abandoned || r.replaying:
		// Replaying: next stays in the window, and runs in the replay.
	case !r.stopping:
		r.start(next, false)
	case next.km.Offset < r.maxHanded:
		r.start(next, true) // a hole: drain it
	default:
		r.parked = append(r.parked, next)
	}
}

// settle books a record whose published records were all acknowledged, or
// one failed for good: it marks the grown settled prefix, or begins a replay.
func (r *partitionRun) settle(e *entry) {
	if pe := e.pending.err(); pe != nil {
		e.failed = true
		if !r.replaying {
			r.env.log.Warn("a published record failed for good; replaying the partition from its commit point once what is in flight settles",
				zap.Int32("partition", e.km.Partition), zap.Int64("offset", e.km.Offset),
				zap.String("to", pe.Msg.Topic), zap.Error(pe.Err))
		}
		r.replaying = true
		return
	}
	if last := r.w.settled(e); last != nil {
		r.sess.MarkMessage(last, "")
		r.env.commits.mark(last.Topic, last.Partition, last.Offset+1)
		r.env.obs.Marked(last.Topic, last.Partition, last.Offset)
	}
}

// replay runs the window again from its commit point, once everything in
// flight settled after a failure: the failed records synchronously, so the
// chain sees their errors (a pause, a dead letter), the rest pipelined as
// before. Nothing is lost; what settled above the failure is redone.
func (r *partitionRun) replay() {
	r.replaying = false
	run := r.w.restart()
	if r.w.len() > 0 {
		head := r.w.entries[0].km
		r.env.log.Info("replaying from the commit point", zap.Int32("partition", head.Partition),
			zap.Int64("offset", head.Offset), zap.Int("records", r.w.len()))
	}
	for _, e := range run {
		r.start(e, false)
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

// start hands e's record over on a worker of its own: an idle one, or a new
// one when none is idle, so there are never more workers than records ran
// at once, and a message costs no goroutine of its own. A draining record is
// handed over even though the run is stopping, bounded by the drain budget.
func (r *partitionRun) start(e *entry, draining bool) {
	r.running++
	e.pending.start(e, r.settled)
	j := job{e: e, draining: draining}
	if r.idle > 0 {
		r.idle--
		r.jobs <- j // an idle worker has reported its outcome and waits here
		return
	}
	go r.work(j)
}

// work hands over j's record, then every job it is given next, until the
// run ends.
func (r *partitionRun) work(j job) {
	for ok := true; ok; j, ok = <-r.jobs {
		r.outcomes <- outcome{e: j.e, end: r.deliver(j.e, j.draining)}
	}
}

// deliver hands e's record to the subscriber's reader until it is acked; a
// nacked message is handed over again after the nack backoff, which doubles
// with each nack up to its cap, unless stopping began. Nothing later in the lane
// is handed over meanwhile: a paused partition (or key) stays paused.
func (r *partitionRun) deliver(e *entry, draining bool) handOverEnd {
	wait := r.env.nackBackoff
	for {
		ctx, cancel := context.WithCancel(r.env.drainCtx)
		if !e.sync {
			ctx = withPending(ctx, &e.pending)
		}
		msg := toMessage(ctx, e.km)
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
