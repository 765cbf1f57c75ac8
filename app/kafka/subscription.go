package kafka

import (
	"context"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// subscription is one Subscribe call: one consumer-group member on one topic.
type subscription struct {
	s     *Subscriber
	topic string
	group sarama.ConsumerGroup
	out   chan *message.Message
	log   *zap.Logger

	runCtx      context.Context // ends the group session
	runCancel   context.CancelFunc
	drainCtx    context.Context // parent of message contexts; ends when the drain budget is spent
	drainCancel context.CancelFunc
	closing     chan struct{} // closed by stop: take no new records
	done        chan struct{} // closed once the member has left the group

	mu       sync.Mutex     // guards closing and claims.Add
	claims   sync.WaitGroup // running ConsumeClaim calls
	stopOnce sync.Once
}

func newSubscription(s *Subscriber, topic string, group sarama.ConsumerGroup) *subscription {
	sub := &subscription{s: s, topic: topic, group: group, out: make(chan *message.Message),
		log:     s.log.With(zap.String("topic", topic), zap.String("group", s.cfg.Group)),
		closing: make(chan struct{}), done: make(chan struct{})}
	sub.runCtx, sub.runCancel = context.WithCancel(context.Background())
	sub.drainCtx, sub.drainCancel = context.WithCancel(context.Background())
	go func() {
		for err := range group.Errors() {
			sub.log.Warn("consumer group error", zap.Error(err))
		}
	}()
	return sub
}

// consume runs group sessions until stop, then leaves the group.
func (sub *subscription) consume() {
	defer close(sub.done)
	defer close(sub.out)
	h := &claimHandler{sub: sub}
	for {
		err := sub.group.Consume(sub.runCtx, []string{sub.topic}, h)
		if sub.isClosing() {
			break
		}
		if err != nil {
			sub.s.state.setJoined(false)
			sub.log.Warn("group session failed; rejoining", zap.Error(err), zap.Duration("backoff", sub.s.cfg.ReconnectBackoff))
			select {
			case <-time.After(sub.s.cfg.ReconnectBackoff):
			case <-sub.closing:
			}
		}
	}
	sub.s.state.setJoined(false)
	sub.log.Info("leaving consumer group")
	if err := sub.group.Close(); err != nil {
		sub.log.Warn("leave consumer group", zap.Error(err))
	}
	sub.removeStaticMember()
}

// removeStaticMember does for a static member what LeaveGroup does for a
// dynamic one, as Kafka's admin removeMembersFromConsumerGroup does: the
// coordinator rebalances at once instead of after the session timeout. It
// runs after the member committed and stopped consuming.
func (sub *subscription) removeStaticMember() {
	cfg := sub.s.cfg
	id := cfg.Sarama.Consumer.Group.InstanceId
	if id == "" || !cfg.LeaveStatic {
		return
	}
	admin, err := sarama.NewClusterAdmin(cfg.Brokers, cfg.Sarama)
	if err != nil {
		sub.log.Warn("remove static member: connect admin", zap.Error(err))
		return
	}
	defer func() { _ = admin.Close() }()
	resp, err := admin.RemoveMemberFromConsumerGroup(cfg.Group, []string{id})
	if err == nil {
		err = leaveError(resp)
	}
	if err != nil {
		sub.log.Warn("remove static member", zap.String("instance_id", id), zap.Error(err))
		return
	}
	sub.log.Info("removed static member from the group", zap.String("instance_id", id))
}

// leaveError is the first error a LeaveGroup response carries, if any.
func leaveError(r *sarama.LeaveGroupResponse) error {
	if r.Err != sarama.ErrNoError {
		return r.Err
	}
	for _, m := range r.Members {
		if m.Err != sarama.ErrNoError {
			return m.Err
		}
	}
	return nil
}

func (sub *subscription) isClosing() bool {
	select {
	case <-sub.closing:
		return true
	default:
		return false
	}
}

// stop drains the subscription and leaves the group; it returns once the
// output channel is closed.
func (sub *subscription) stop() {
	sub.stopOnce.Do(func() {
		sub.mu.Lock()
		close(sub.closing)
		sub.mu.Unlock()
		sub.drain()
		sub.runCancel()
		<-sub.done
		sub.drainCancel()
	})
	<-sub.done
}

// drain waits for the claims to finish their in-flight messages, at most
// DrainTimeout, then cancels the contexts of whatever still runs.
func (sub *subscription) drain() {
	budget := sub.s.cfg.DrainTimeout
	sub.log.Info("draining in-flight messages", zap.Duration("budget", budget))
	start := time.Now()
	drained := make(chan struct{})
	go func() {
		sub.claims.Wait()
		close(drained)
	}()
	timer := time.NewTimer(budget)
	defer timer.Stop()
	select {
	case <-drained:
		sub.log.Info("in-flight messages drained", zap.Duration("took", time.Since(start)))
	case <-timer.C:
		sub.log.Warn("drain budget spent; unfinished messages stay uncommitted for the next owner")
		sub.drainCancel()
		<-drained
	}
}
