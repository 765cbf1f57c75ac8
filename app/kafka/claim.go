package kafka

import (
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// claimHandler is the sarama side of a subscription: one ConsumeClaim per
// assigned partition, each running a partitionRun. Offsets are committed
// here, not by sarama's auto-commit: every commit interval during a
// session, when a claim ends (so a revoked partition's last offsets go with
// it), and at the session's end, so the commit times are known and nothing
// marked is left behind.
type claimHandler struct {
	env        env
	claims     *claimGate
	stopCommit chan struct{}
	committing chan struct{}
	generation int32 // last generation reported; touched by Setup and commitLoop only, never at once
}

// Setup is called when a group session starts.
func (h *claimHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.env.state.setJoined(true)
	h.generation = sess.GenerationID()
	h.env.obs.Generation(h.generation)
	h.env.log.Info("joined consumer group", zap.String("member_id", sess.MemberID()),
		zap.Int32("generation", h.generation), zap.Any("claims", sess.Claims()))
	h.stopCommit, h.committing = make(chan struct{}), make(chan struct{})
	go h.commitLoop(sess, h.stopCommit, h.committing)
	go h.watchCoordinator(h.stopCommit)
	return nil
}

// Cleanup is called when a group session ends, after every claim returned:
// it stops the commit loop and commits what is still marked.
func (h *claimHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	close(h.stopCommit)
	<-h.committing
	h.commit(sess)
	h.env.log.Info("group session ended", zap.Int32("generation", sess.GenerationID()))
	return nil
}

// ConsumeClaim runs a partition (see partitionRun) until the claim is
// revoked (Messages closes), the session ends or the subscription stops.
func (h *claimHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	if !h.claims.enter() {
		return nil
	}
	defer h.claims.leave()
	h.env.obs.ClaimStarted(claim.Topic(), claim.Partition())
	defer h.env.obs.ClaimEnded(claim.Topic(), claim.Partition())
	defer h.env.commits.forget(claim.Topic(), claim.Partition())
	defer h.commit(sess)
	newPartitionRun(h.env, sess, claim).loop()
	return nil
}

// commitLoop commits the marked offsets every commit interval until stop,
// and reports generations that a cooperative rebalance moved the session to
// (sarama calls Setup only once per session).
func (h *claimHandler) commitLoop(sess sarama.ConsumerGroupSession, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(h.env.commitInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.commit(sess)
			if g := sess.GenerationID(); g != h.generation {
				h.generation = g
				h.env.obs.Generation(g)
				h.env.log.Info("rebalanced", zap.Int32("generation", g), zap.Any("claims", sess.Claims()))
			}
		case <-stop:
			return
		}
	}
}

// watchCoordinator ends the session when marked offsets have waited longer
// than the session timeout for the coordinator to confirm them: the member
// cannot tell whether it still owns its partitions (a network cut, a
// coordinator gone), and the coordinator has evicted it by then if it could
// not hear its heartbeats either. sarama notices only when a request fails,
// which a silent network delays by Net.ReadTimeout (30 s), and meanwhile
// its claims would hand over records another member already owns. Ending
// the session stops that; the member rejoins once the coordinator answers.
func (h *claimHandler) watchCoordinator(stop <-chan struct{}) {
	t := time.NewTicker(max(h.env.sessionTimeout/10, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if waited := h.env.commits.unconfirmedFor(time.Now()); waited > h.env.sessionTimeout {
				h.env.state.setJoined(false)
				h.env.log.Warn("no offset commit confirmed for longer than consumer.session_timeout; "+
					"assuming this member lost its partitions: taking no more records, rejoining once the coordinator answers",
					zap.Duration("waited", waited), zap.Duration("session_timeout", h.env.sessionTimeout))
				h.env.endSession()
				return
			}
		case <-stop:
			return
		}
	}
}

// commit sends every marked offset to the broker, then reads them back:
// only an offset the coordinator returns counts as committed (for the
// commit age and /healthz), and one that does not is a commit error.
func (h *claimHandler) commit(sess sarama.ConsumerGroupSession) {
	asked := time.Now()
	want := h.env.commits.pending()
	sess.Commit()
	if len(want) == 0 {
		return
	}
	got, err := h.env.commits.check(want, asked)
	for k, next := range got {
		h.env.obs.Committed(k.topic, k.partition, next)
	}
	failed := len(want) - len(got)
	if failed > 0 {
		h.env.obs.CommitFailed(failed)
	}
	switch {
	case !h.env.commits.transition(failed > 0):
	case failed > 0:
		h.env.log.Warn("offset commit failed; retrying every commit interval", zap.Int("partitions", failed), zap.Error(err))
	default:
		h.env.log.Info("offset commits succeed again")
	}
}
