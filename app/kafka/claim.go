package kafka

import (
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// claimHandler is the sarama side of a Subscriber: one ConsumeClaim per
// assigned partition, each handing out one message at a time, which keeps
// per-partition order.
type claimHandler struct {
	s   *Subscriber
	out chan<- *message.Message
}

// Setup is called when a group session starts.
func (h *claimHandler) Setup(sess sarama.ConsumerGroupSession) error {
	n := 0
	for _, ps := range sess.Claims() {
		n += len(ps)
	}
	h.s.state.setJoined(true)
	h.s.obs.SessionStarted(n)
	h.s.log.Info("joined consumer group",
		zap.String("group", h.s.cfg.Group), zap.String("member_id", sess.MemberID()),
		zap.Int32("generation", sess.GenerationID()), zap.Any("claims", sess.Claims()))
	return nil
}

// Cleanup is called when a group session ends, after every claim returned
// and before sarama commits the marked offsets.
func (h *claimHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.s.obs.SessionEnded()
	h.s.log.Info("group session ended", zap.Int32("generation", sess.GenerationID()))
	return nil
}

// ConsumeClaim delivers a partition's records one at a time until the claim
// is revoked (Messages closes) or the subscriber closes.
func (h *claimHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	s := h.s
	s.mu.Lock()
	if s.isClosing() {
		s.mu.Unlock()
		return nil
	}
	s.claims.Add(1)
	s.mu.Unlock()
	defer s.claims.Done()

	for {
		// Checked first, alone, so a ready record never wins against Close.
		if s.isClosing() {
			return nil
		}
		select {
		case km, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			s.obs.Consumed(km.Topic, km.Partition, km.Offset, claim.HighWaterMarkOffset())
			if !h.deliver(sess, km) {
				return nil
			}
		case <-s.closing:
			return nil
		}
	}
}

// deliver hands km to the router until it is acked, and marks its offset.
// It returns false when the record was not finished (closing, or the drain
// budget ran out); the record is then left uncommitted for the next owner.
func (h *claimHandler) deliver(sess sarama.ConsumerGroupSession, km *sarama.ConsumerMessage) bool {
	s := h.s
	for {
		msg := toMessage(s.drainCtx, km)
		select {
		case h.out <- msg:
		case <-s.closing:
			return false
		case <-sess.Context().Done():
			return false
		}
		// Once handed over, the message is waited for even while closing:
		// this is the drain. Only the drain budget cuts it short.
		select {
		case <-msg.Acked():
			sess.MarkMessage(km, "")
			s.obs.Marked(km.Topic, km.Partition, km.Offset)
			return true
		case <-msg.Nacked():
		case <-s.drainCtx.Done():
			return false
		}
		select {
		case <-time.After(s.cfg.NackBackoff):
		case <-s.closing:
			return false
		case <-sess.Context().Done():
			return false
		}
	}
}
