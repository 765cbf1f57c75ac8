package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	// Brokers are the bootstrap addresses.
	Brokers []string
	// Group is the consumer group id.
	Group string
	// Sarama is the client configuration (see SaramaConfig).
	Sarama *sarama.Config
	// NackBackoff is how long a nacked message waits before it is handed
	// over again; the wait doubles with each nack of the same message.
	NackBackoff time.Duration
	// NackBackoffMax caps that wait. Default 30s.
	NackBackoffMax time.Duration
	// DrainTimeout is the drain budget: how long closing lets in-flight messages finish.
	DrainTimeout time.Duration
	// ReconnectBackoff is the wait after a failed group session before the next.
	ReconnectBackoff time.Duration
	// InitTopic is how SubscribeInitialize creates a missing topic.
	InitTopic TopicSpec
	// Ordering is OrderPartition (the default) or OrderKey.
	Ordering Ordering
	// MaxInFlight bounds, with OrderKey, the records taken from one partition
	// and not yet committed. Default 64.
	MaxInFlight int
	// LeaveStatic removes a static member (Sarama's InstanceId set) from the
	// group after it stops. sarama sends no LeaveGroup for static members
	// (KIP-345), so without this the others wait out the session timeout.
	LeaveStatic bool
}

// Ordering is what a partition's records are ordered by.
type Ordering string

// Orderings.
const (
	// OrderPartition runs a partition's records one at a time, in offset order.
	OrderPartition Ordering = "partition"
	// OrderKey runs records of different keys at once, each key's one at a
	// time in offset order, up to MaxInFlight per partition.
	OrderKey Ordering = "key"
)

// window returns the window size and the lane function of a claim. Both
// orderings take up to MaxInFlight records: in partition order they run one
// at a time, and the window holds those handled whose results are not yet
// acknowledged (the pipelining).
func (c SubscriberConfig) window() (int, func(*sarama.ConsumerMessage) string) {
	limit := max(c.MaxInFlight, 1)
	if c.Ordering == OrderKey {
		return limit, keyLane
	}
	return limit, partitionLane
}

// Validate names the first missing field.
func (c SubscriberConfig) Validate() error {
	switch {
	case len(c.Brokers) == 0:
		return errors.New("missing brokers")
	case c.Group == "":
		return errors.New("missing consumer group")
	case c.Sarama == nil:
		return errors.New("missing sarama config")
	case c.DrainTimeout <= 0:
		return errors.New("drain timeout must be positive")
	case c.Ordering != "" && c.Ordering != OrderPartition && c.Ordering != OrderKey:
		return fmt.Errorf("unknown ordering %q", c.Ordering)
	}
	return nil
}

// Subscriber is a watermill Subscriber over sarama consumer groups: each
// Subscribe joins the group for one topic. It hands out a partition's
// messages one at a time (OrderPartition) or one at a time per key
// (OrderKey), commits an offset only once every message below it was acked,
// and when a subscription ends (Close, or its context is cancelled) it stops
// taking records, lets the in-flight ones finish within DrainTimeout,
// commits, and leaves the group.
type Subscriber struct {
	cfg   SubscriberConfig
	log   *zap.Logger
	state *GroupState
	obs   Observer

	mu        sync.Mutex
	subs      []*subscription
	closed    bool
	closeOnce sync.Once
}

// NewSubscriber returns a subscriber; it connects on Subscribe.
func NewSubscriber(cfg SubscriberConfig, state *GroupState, obs Observer, log *zap.Logger) (*Subscriber, error) {
	if cfg.NackBackoff <= 0 {
		cfg.NackBackoff = 100 * time.Millisecond
	}
	if cfg.NackBackoffMax < cfg.NackBackoff {
		cfg.NackBackoffMax = max(cfg.NackBackoff, 30*time.Second)
	}
	if cfg.Ordering == "" {
		cfg.Ordering = OrderPartition
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.ReconnectBackoff <= 0 {
		cfg.ReconnectBackoff = time.Second
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka subscriber: %w", err)
	}
	if obs == nil {
		obs = Observers(nil)
	}
	if state == nil {
		state = NewGroupState()
	}
	return &Subscriber{cfg: cfg, log: log, state: state, obs: obs}, nil
}

// Subscribe joins the group on topic and returns its messages. The channel
// closes after ctx is cancelled or the subscriber is closed, once the
// in-flight messages are drained and the member has left the group.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("kafka subscriber: closed")
	}
	client, err := sarama.NewClient(s.cfg.Brokers, ownStrategies(s.cfg.Sarama))
	if err != nil {
		return nil, fmt.Errorf("join consumer group %q at %v: %w", s.cfg.Group, s.cfg.Brokers, err)
	}
	group, err := sarama.NewConsumerGroupFromClient(s.cfg.Group, client)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("join consumer group %q at %v: %w", s.cfg.Group, s.cfg.Brokers, err)
	}
	sub := newSubscription(s, topic, group, client)
	s.subs = append(s.subs, sub)
	go sub.consume()
	go func() {
		select {
		case <-ctx.Done():
			sub.stop()
		case <-sub.done:
		}
	}()
	return sub.out, nil
}

// SubscribeInitialize creates topic if it does not exist, as InitTopic says.
func (s *Subscriber) SubscribeInitialize(topic string) error {
	spec := s.cfg.InitTopic
	spec.Name = topic
	spec.Partitions = max(spec.Partitions, 1)
	spec.ReplicationFactor = max(spec.ReplicationFactor, 1)
	_, err := EnsureTopics(s.cfg.Brokers, s.cfg.Sarama, []TopicSpec{spec})
	return err
}

// Close ends every subscription: it stops taking records, waits up to
// DrainTimeout for in-flight messages to be acked, commits their offsets,
// and leaves the group. A message still running when the budget is spent is
// not committed: the next owner of its partition gets it again.
func (s *Subscriber) Close() error {
	s.closeOnce.Do(func() {
		s.state.SetStopping()
		s.mu.Lock()
		s.closed = true
		subs := s.subs
		s.mu.Unlock()
		var wg sync.WaitGroup
		for _, sub := range subs {
			wg.Go(sub.stop)
		}
		wg.Wait()
	})
	return nil
}

// ownStrategies returns a copy of sc with balance strategies of its own.
// sarama's sticky strategies keep state while planning, so two consumer
// groups sharing one instance race (found by watermill's universal suite
// with concurrent subscriptions).
func ownStrategies(sc *sarama.Config) *sarama.Config {
	c := *sc
	strategies := make([]sarama.BalanceStrategy, len(sc.Consumer.Group.Rebalance.GroupStrategies))
	for i, bs := range sc.Consumer.Group.Rebalance.GroupStrategies {
		strategies[i] = balanceStrategy(bs.Name())
	}
	c.Consumer.Group.Rebalance.GroupStrategies = strategies
	return &c
}
