package kafka

import (
	"context"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// claimHandler is the sarama side of a subscription: one ConsumeClaim per
// assigned partition. Each claim takes records into its window (window.go)
// and hands out those that may run: in partition order, one at a time; in
// key order, one at a time per key, different keys at once. Offsets are
// committed here, not by sarama's auto-commit: every commit interval during
// a session, when a claim ends (so a revoked partition's last offsets go
// with it), and at the session's end, so the commit times are known and
// nothing marked is left behind.
type claimHandler struct {
	sub        *subscription
	stopCommit chan struct{}
	committing chan struct{}
	generation int32 // last generation reported; touched by Setup and commitLoop only, never at once
}

// Setup is called when a group session starts.
func (h *claimHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.sub.s.state.setJoined(true)
	h.generation = sess.GenerationID()
	h.sub.s.obs.Generation(h.generation)
	h.sub.log.Info("joined consumer group", zap.String("member_id", sess.MemberID()),
		zap.Int32("generation", h.generation), zap.Any("claims", sess.Claims()))
	h.stopCommit, h.committing = make(chan struct{}), make(chan struct{})
	go h.commitLoop(sess, h.stopCommit, h.committing)
	return nil
}

// Cleanup is called when a group session ends, after every claim returned:
// it stops the commit loop and commits what is still marked.
func (h *claimHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	close(h.stopCommit)
	<-h.committing
	h.commit(sess)
	h.sub.s.obs.SessionEnded()
	h.sub.log.Info("group session ended", zap.Int32("generation", sess.GenerationID()))
	return nil
}

// outcome is how one handed-out record ended.
type outcome struct {
	e        *entry
	finished bool // acked; false: left unfinished (stopping or drain budget spent)
}

// ConsumeClaim runs a partition until the claim is revoked (Messages
// closes), the session ends or the subscription stops. Then it takes no new
// records and starts none that wait, lets the running ones finish (the
// drain), marks the finished prefix and returns.
func (h *claimHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	sub := h.sub
	sub.mu.Lock()
	if sub.isClosing() {
		sub.mu.Unlock()
		return nil
	}
	sub.claims.Add(1)
	sub.mu.Unlock()
	defer sub.claims.Done()
	topic, partition := claim.Topic(), claim.Partition()
	sub.s.obs.ClaimStarted(topic, partition)
	defer sub.s.obs.ClaimEnded(topic, partition)
	defer h.commit(sess)

	w := newWindow(sub.s.cfg.window())
	// Every running record reports once, and at most w.limit run.
	outcomes := make(chan outcome, w.limit)
	start := func(e *entry) {
		go func() { outcomes <- outcome{e: e, finished: h.deliver(sess, e.km)} }()
	}
	records, closing, ended := claim.Messages(), sub.closing, sess.Context().Done()
	stopping, running := false, 0
	for {
		// Checked first, alone, so a ready record never wins against stop.
		if !stopping && sub.isClosing() {
			stopping = true
		}
		var in <-chan *sarama.ConsumerMessage
		if !stopping && !w.full() {
			in = records
		}
		if stopping && running == 0 {
			return nil
		}
		select {
		case km, ok := <-in:
			if !ok {
				stopping = true
				continue
			}
			sub.s.obs.Consumed(km.Topic, km.Partition, km.Offset, claim.HighWaterMarkOffset())
			if e := w.add(km); e != nil {
				running++
				start(e)
			}
		case o := <-outcomes:
			running--
			if !o.finished {
				// It stays uncommitted, and so does everything after it.
				stopping = true
				continue
			}
			next, last := w.finish(o.e)
			if last != nil {
				sess.MarkMessage(last, "")
				sub.s.obs.Marked(last.Topic, last.Partition, last.Offset)
			}
			if next != nil && !stopping {
				running++
				start(next)
			}
		case <-closing:
			stopping, closing = true, nil
		case <-ended:
			stopping, ended = true, nil
		}
	}
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
		acked, handed := h.handOver(sess, msg)
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

// handOver sends msg and waits for its ack or nack. handed is false when
// msg could not be handed over, or the drain budget ran out meanwhile.
func (h *claimHandler) handOver(sess sarama.ConsumerGroupSession, m *message.Message) (acked, handed bool) {
	sub := h.sub
	select {
	case sub.out <- m:
	case <-sub.closing:
		return false, false
	case <-sess.Context().Done():
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

// commitLoop commits the marked offsets every commit interval until stop,
// and reports generations that a cooperative rebalance moved the session to
// (sarama calls Setup only once per session).
func (h *claimHandler) commitLoop(sess sarama.ConsumerGroupSession, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(h.sub.s.cfg.Sarama.Consumer.Offsets.AutoCommit.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.commit(sess)
			if g := sess.GenerationID(); g != h.generation {
				h.generation = g
				h.sub.s.obs.Generation(g)
				h.sub.log.Info("rebalanced", zap.Int32("generation", g), zap.Any("claims", sess.Claims()))
			}
		case <-stop:
			return
		}
	}
}

// commit sends every marked offset to the broker; sarama reports a failed
// commit on the group's error channel, which the subscription logs.
func (h *claimHandler) commit(sess sarama.ConsumerGroupSession) {
	sess.Commit()
	h.sub.s.obs.Committed()
}
