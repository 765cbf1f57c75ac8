package kafka

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// subscription is one Subscribe call: one consumer-group member on one topic.
type subscription struct {
	cfg    SubscriberConfig
	env    env // what its claim handler and partition runs are given
	topic  string
	group  sarama.ConsumerGroup
	client sarama.Client // the group's; closed after the group, which does not close it
	out    chan *message.Message

	runCtx      context.Context // ends the group session
	runCancel   context.CancelFunc
	sessMu      sync.Mutex
	sessCancel  context.CancelFunc // ends the current session only
	drainCancel context.CancelFunc // spends the drain budget: ends env.drainCtx
	claims      *claimGate         // running ConsumeClaim calls; closing it is what stops the subscription
	done        chan struct{}      // closed once the member has left the group
	stopOnce    sync.Once
}

func newSubscription(s *Subscriber, topic string, group sarama.ConsumerGroup, client sarama.Client) *subscription {
	sub := &subscription{cfg: s.cfg, topic: topic, group: group, client: client, out: make(chan *message.Message),
		claims: newClaimGate(), done: make(chan struct{})}
	sub.runCtx, sub.runCancel = context.WithCancel(context.Background())
	var drainCtx context.Context
	drainCtx, sub.drainCancel = context.WithCancel(context.Background())
	limit, laneOf := s.cfg.window()
	sub.env = env{
		obs:            s.obs,
		state:          s.state,
		log:            s.log.With(zap.String("topic", topic), zap.String("group", s.cfg.Group)),
		commitInterval: s.cfg.Sarama.Consumer.Offsets.AutoCommit.Interval,
		sessionTimeout: s.cfg.Sarama.Consumer.Group.Session.Timeout,
		endSession:     sub.endSession,
		commits:        newCommitBook(client, s.cfg.Group),
		nackBackoff:    s.cfg.NackBackoff,
		nackBackoffMax: s.cfg.NackBackoffMax,
		limit:          limit,
		laneOf:         laneOf,
		out:            sub.out,
		closing:        sub.claims.closing,
		drainCtx:       drainCtx,
	}
	go func() {
		for err := range group.Errors() {
			sub.env.log.Warn("consumer group error", zap.Error(err))
		}
	}()
	return sub
}

// consume runs group sessions until stop, then leaves the group.
func (sub *subscription) consume() {
	defer close(sub.done)
	defer close(sub.out)
	h := &claimHandler{env: sub.env, claims: sub.claims}
	log := sub.env.log
	for {
		ctx, cancel := context.WithCancel(sub.runCtx)
		sub.sessMu.Lock()
		sub.sessCancel = cancel
		sub.sessMu.Unlock()
		err := sub.group.Consume(ctx, []string{sub.topic}, h)
		cancel()
		if sub.env.isClosing() {
			break
		}
		if err != nil {
			sub.env.state.setJoined(false)
			log.Warn("group session failed; rejoining", zap.Error(err), zap.Duration("backoff", sub.cfg.ReconnectBackoff))
			select {
			case <-time.After(sub.cfg.ReconnectBackoff):
			case <-sub.env.closing:
			}
		}
	}
	sub.env.state.setJoined(false)
	log.Info("leaving consumer group")
	if err := sub.group.Close(); err != nil {
		log.Warn("leave consumer group", zap.Error(err))
	}
	if err := sub.client.Close(); err != nil && !errors.Is(err, sarama.ErrClosedClient) {
		log.Warn("close consumer client", zap.Error(err))
	}
	sub.removeStaticMember()
}

// endSession ends the current group session, if one runs; consume then
// joins the next.
func (sub *subscription) endSession() {
	sub.sessMu.Lock()
	defer sub.sessMu.Unlock()
	if sub.sessCancel != nil {
		sub.sessCancel()
	}
}

// removeStaticMember does for a static member what LeaveGroup does for a
// dynamic one, as Kafka's admin removeMembersFromConsumerGroup does: the
// coordinator rebalances at once instead of after the session timeout. It
// runs after the member committed and stopped consuming.
func (sub *subscription) removeStaticMember() {
	cfg, log := sub.cfg, sub.env.log
	id := cfg.Sarama.Consumer.Group.InstanceId
	if id == "" || !cfg.LeaveStatic {
		return
	}
	admin, err := sarama.NewClusterAdmin(cfg.Brokers, cfg.Sarama)
	if err != nil {
		log.Warn("remove static member: connect admin", zap.Error(err))
		return
	}
	defer func() { _ = admin.Close() }()
	resp, err := admin.RemoveMemberFromConsumerGroup(cfg.Group, []string{id})
	if err == nil {
		err = leaveError(resp)
	}
	if err != nil {
		log.Warn("remove static member", zap.String("instance_id", id), zap.Error(err))
		return
	}
	log.Info("removed static member from the group", zap.String("instance_id", id))
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

// stop drains the subscription and leaves the group; it returns once the
// output channel is closed.
func (sub *subscription) stop() {
	sub.stopOnce.Do(func() {
		sub.claims.close()
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
	budget, log := sub.cfg.DrainTimeout, sub.env.log
	log.Info("draining in-flight messages", zap.Duration("budget", budget))
	start := time.Now()
	drained := make(chan struct{})
	go func() {
		sub.claims.wait()
		close(drained)
	}()
	timer := time.NewTimer(budget)
	defer timer.Stop()
	select {
	case <-drained:
		log.Info("in-flight messages drained", zap.Duration("took", time.Since(start)))
	case <-timer.C:
		log.Warn("drain budget spent; unfinished messages stay uncommitted for the next owner")
		sub.drainCancel()
		<-drained
	}
}
