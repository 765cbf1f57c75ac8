package kafka

import (
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// partitionRun is one claim's loop (the words are the package doc's). It
// takes records into the window and starts those whose lane is free. A
// worker that sees its record acked goes on with its lane's next record
// itself, and whoever sees a record settle (the worker, or the producer's
// acknowledgement) marks the settled prefix: the loop is woken only for
// what it waits on, so a message costs no hop through it. Once it stops it
// drains: it starts the holes, parks the rest, waits for what was
// published, and returns when nothing runs or is in flight.
type partitionRun struct {
	env   env
	sess  sarama.ConsumerGroupSession
	claim sarama.ConsumerGroupClaim
	jobs  chan job      // records for idle workers
	wake  chan struct{} // tells the loop that what it waits on may have changed

	mu        sync.Mutex // guards what follows: the loop, the workers and the producer's acknowledgements share it
	w         *window
	idle      int      // workers waiting on jobs
	running   int      // started records whose hand-over has not ended
	unsettled int      // acked records with published records in flight
	stopping  bool     // take no new records, start only holes
	abandoned bool     // a handed-over record was cut short: start nothing more
	replaying bool     // a published record failed for good: start nothing, then replay
	maxHanded int64    // offset of the highest record handed over
	parked    []*entry // stopping: lanes' current records not handed over
	over      bool     // the loop returned: an acknowledgement after the drain budget marks nothing
}

// job is a record for a worker to hand over.
type job struct {
	e        *entry
	draining bool
}

// handOverEnd is how a started record's hand-over ended.
type handOverEnd int

const (
	acked     handOverEnd = iota // finished: it may be committed
	notHanded                    // stopping began before the reader took it: parked
	cut                          // handed over, not finished (see the package doc)
)

// takeBatch bounds the records the loop takes per wake-up, so a stop
// is seen between batches.
const takeBatch = 64

func newPartitionRun(env env, sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) *partitionRun {
	return &partitionRun{env: env, sess: sess, claim: claim, w: newWindow(env.limit, env.laneOf), maxHanded: -1,
		jobs: make(chan job), wake: make(chan struct{}, 1)}
}

func (r *partitionRun) loop() {
	records, closing, ended := r.claim.Messages(), r.env.closing, r.sess.Context().Done()
	defer close(r.jobs) // it returns once no worker runs: they all end
	for {
		in, budget, done := r.next(records)
		if done {
			return
		}
		select {
		case km, ok := <-in:
			r.take(in, km, ok)
		case <-r.wake:
		case <-budget:
		case <-closing:
			r.stop()
			closing = nil
		case <-ended:
			r.stop()
			ended = nil
		}
	}
}

// next does what the run's state asks of the loop (drain, replay), and
// returns what it waits on: records while the window has room, the drain
// budget while draining; done once the run is over.
func (r *partitionRun) next(records <-chan *sarama.ConsumerMessage) (in <-chan *sarama.ConsumerMessage, budget <-chan struct{}, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Checked first, alone, so a ready record never wins against stop.
	if !r.stopping && r.env.isClosing() {
		r.stopping = true
	}
	if r.stopping && r.replaying {
		r.abandoned = true // what failed stays uncommitted, for the next owner
	}
	// The drain budget bounds the wait for acknowledgements, too.
	if r.stopping && r.running == 0 {
		if !r.drainHoles() && (r.unsettled == 0 || r.env.drainCtx.Err() != nil) {
			r.over = true
			return nil, nil, true
		}
		budget = r.env.drainCtx.Done()
	}
	if r.replaying && !r.stopping && r.running == 0 && r.unsettled == 0 {
		r.replay()
	}
	if !r.stopping && !r.replaying && !r.w.full() {
		in = records
	}
	return in, budget, false
}

// take books km, and the records already waiting behind it while the
// window has room: one wake-up, one lock, for a burst of records.
func (r *partitionRun) take(in <-chan *sarama.ConsumerMessage, km *sarama.ConsumerMessage, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for n := 0; ; n++ {
		if !ok {
			r.stopping = true
			return
		}
		r.env.obs.Consumed(km.Topic, km.Partition, km.Offset, r.claim.HighWaterMarkOffset())
		if e := r.w.add(km); e != nil {
			r.start(e, false)
		}
		if n == takeBatch || r.w.full() {
			return
		}
		select {
		case km, ok = <-in:
		default:
			return
		}
	}
}

// stop begins the drain.
func (r *partitionRun) stop() {
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
}

// signal wakes the loop, unless a wake-up is already pending.
func (r *partitionRun) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// signalIfWaited wakes the loop when it may be waiting on the run's
// counts: while it stops, or replays. Otherwise it waits only on records
// and on room in the window, which settle signals.
func (r *partitionRun) signalIfWaited() {
	if r.stopping || r.replaying {
		r.signal()
	}
}

// finished books how e's hand-over ended, and returns the lane's next
// record when this worker is to hand it over now: the lane moves on
// without a hop through the loop. e settles here when nothing it published
// is still in flight. The caller holds mu.
func (r *partitionRun) finished(e *entry, end handOverEnd) (next job, ok bool) {
	r.running--
	defer r.signalIfWaited()
	switch end {
	case notHanded:
		r.parked = append(r.parked, e)
		return job{}, false
	case cut:
		// It stays uncommitted, and so does everything after it.
		r.maxHanded = max(r.maxHanded, e.km.Offset)
		r.stopping, r.abandoned = true, true
		return job{}, false
	}
	r.maxHanded = max(r.maxHanded, e.km.Offset)
	n := r.w.handled(e)
	if e.pending.seal() {
		r.settle(e)
	} else {
		r.unsettled++
	}
	switch {
	case n == nil || r.abandoned || r.replaying:
		// Replaying: n stays in the window, and runs in the replay.
		return job{}, false
	case !r.stopping:
		return r.begin(n, false), true
	case n.km.Offset < r.maxHanded:
		return r.begin(n, true), true // a hole: drain it
	default:
		r.parked = append(r.parked, n)
		return job{}, false
	}
}

// acknowledged books e, acked earlier, whose published records have all
// been acknowledged or one failed for good. The producer's routing
// goroutine calls it.
func (r *partitionRun) acknowledged(e *entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.over {
		return // the claim ended; its next owner redoes what was not marked
	}
	r.unsettled--
	r.settle(e)
	r.signalIfWaited()
}

// settle books a record whose published records were all acknowledged, or
// one failed for good: it marks the grown settled prefix, or begins a
// replay. The caller holds mu.
func (r *partitionRun) settle(e *entry) {
	if pe := e.pending.err(); pe != nil {
		e.failed = true
		if !r.replaying {
			r.env.log.Warn("a published record failed for good; replaying the partition from its commit point once what is in flight settles",
				zap.Int32("partition", e.km.Partition), zap.Int64("offset", e.km.Offset),
				zap.String("to", pe.Msg.Topic), zap.Error(pe.Err))
		}
		r.replaying = true
		r.signal()
		return
	}
	full := r.w.full()
	if last := r.w.settled(e); last != nil {
		r.sess.MarkMessage(last, "")
		r.env.commits.mark(last.Topic, last.Partition, last.Offset+1)
		r.env.obs.Marked(last.Topic, last.Partition, last.Offset)
		if full {
			r.signal() // room for records again
		}
	}
}

// replay runs the window again from its commit point, once everything in
// flight settled after a failure: the failed records synchronously, so the
// chain sees their errors (a pause, a dead letter), the rest pipelined as
// before. Nothing is lost; what settled above the failure is redone. The
// caller holds mu.
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

// begin counts e as running and readies its pending. The caller holds mu.
func (r *partitionRun) begin(e *entry, draining bool) job {
	r.running++
	e.pending.start(e, r)
	return job{e: e, draining: draining}
}

// start hands e's record over on a worker of its own: an idle one, or a new
// one when none is idle, so there are never more workers than records ran
// at once, and a message costs no goroutine of its own. A draining record is
// handed over even though the run is stopping, bounded by the drain budget.
// The caller holds mu; an idle worker takes the job without it.
func (r *partitionRun) start(e *entry, draining bool) {
	j := r.begin(e, draining)
	if r.idle > 0 {
		r.idle--
		r.jobs <- j
		return
	}
	go r.work(j)
}

// work hands over j's record and its lane's next ones, then every job it is
// given, until the run ends.
func (r *partitionRun) work(j job) {
	for {
		end := r.deliver(j.e, j.draining)
		r.mu.Lock()
		next, ok := r.finished(j.e, end)
		if !ok {
			r.idle++
		}
		r.mu.Unlock()
		if ok {
			j = next
			continue
		}
		if j, ok = <-r.jobs; !ok {
			return
		}
	}
}

// deliver hands e's record to the subscriber's reader until it is acked; a
// nacked message is handed over again after the nack backoff, which doubles
// with each nack up to its cap, unless stopping began. Nothing later in the lane
// is handed over meanwhile: a paused partition (or key) stays paused.
func (r *partitionRun) deliver(e *entry, draining bool) handOverEnd {
	wait := r.env.nackBackoff
	pd := &e.pending
	if e.sync {
		pd = nil
	}
	for {
		msg, ctx := toMessage(r.env.drainCtx, e.km, pd)
		end := r.handOver(msg, draining)
		// A message's context ends once it is acked or nacked.
		ctx.end()
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
