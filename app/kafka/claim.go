package kafka

import (
	"time"

	"github.com/IBM/sarama"
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
	h.sub.log.Info("group session ended", zap.Int32("generation", sess.GenerationID()))
	return nil
}

// ConsumeClaim runs a partition (see partitionRun) until the claim is
// revoked (Messages closes), the session ends or the subscription stops.
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
	sub.s.obs.ClaimStarted(claim.Topic(), claim.Partition())
	defer sub.s.obs.ClaimEnded(claim.Topic(), claim.Partition())
	defer h.commit(sess)
	newPartitionRun(h, sess, claim).loop()
	return nil
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
