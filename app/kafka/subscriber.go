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
	// NackBackoff is how long a nacked message waits before it is delivered again.
	NackBackoff time.Duration
	// DrainTimeout is how long Close lets in-flight messages finish.
	DrainTimeout time.Duration
	// ReconnectBackoff is the wait after a failed group session before the next.
	ReconnectBackoff time.Duration
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
	}
	return nil
}

// Subscriber is a watermill Subscriber over one sarama consumer group. It
// hands out one message per partition at a time, marks a record's offset only
// after its message is acked, and on Close stops taking records, lets the
// in-flight ones finish within DrainTimeout, commits, and leaves the group.
type Subscriber struct {
	cfg   SubscriberConfig
	group sarama.ConsumerGroup
	log   *zap.Logger
	state *GroupState
	obs   Observer

	runCtx      context.Context // ends the group session
	runCancel   context.CancelFunc
	drainCtx    context.Context // message contexts; ends when the drain budget is spent
	drainCancel context.CancelFunc
	closing     chan struct{} // closed by Close: take no new records
	done        chan struct{} // closed when the consume loop has left the group

	mu         sync.Mutex // guards subscribed, closing and claims.Add
	subscribed bool
	claims     sync.WaitGroup // running ConsumeClaim calls
	closeOnce  sync.Once
}

// NewSubscriber connects to the cluster and prepares the consumer group. It
// does not join the group until Subscribe.
func NewSubscriber(cfg SubscriberConfig, state *GroupState, obs Observer, log *zap.Logger) (*Subscriber, error) {
	if cfg.NackBackoff <= 0 {
		cfg.NackBackoff = 100 * time.Millisecond
	}
	if cfg.ReconnectBackoff <= 0 {
		cfg.ReconnectBackoff = time.Second
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka subscriber: %w", err)
	}
	if obs == nil {
		obs = NopObserver{}
	}
	group, err := sarama.NewConsumerGroup(cfg.Brokers, cfg.Group, cfg.Sarama)
	if err != nil {
		return nil, fmt.Errorf("connect consumer group %q to %v: %w", cfg.Group, cfg.Brokers, err)
	}
	s := &Subscriber{cfg: cfg, group: group, log: log, state: state, obs: obs,
		closing: make(chan struct{}), done: make(chan struct{})}
	s.runCtx, s.runCancel = context.WithCancel(context.Background())
	s.drainCtx, s.drainCancel = context.WithCancel(context.Background())
	go s.logErrors()
	return s, nil
}

func (s *Subscriber) logErrors() {
	for err := range s.group.Errors() {
		s.log.Warn("consumer group error", zap.Error(err))
	}
}

// Subscribe joins the group on topic. A Subscriber serves one topic, once.
func (s *Subscriber) Subscribe(_ context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subscribed {
		return nil, errors.New("kafka subscriber: already subscribed")
	}
	select {
	case <-s.closing:
		return nil, errors.New("kafka subscriber: closed")
	default:
	}
	s.subscribed = true
	out := make(chan *message.Message)
	go s.consume(topic, out)
	return out, nil
}

// consume runs group sessions until Close, then leaves the group.
func (s *Subscriber) consume(topic string, out chan *message.Message) {
	defer close(s.done)
	defer close(out)
	h := &claimHandler{s: s, out: out}
	for {
		err := s.group.Consume(s.runCtx, []string{topic}, h)
		if s.isClosing() {
			break
		}
		if err != nil {
			s.state.setJoined(false)
			s.log.Warn("group session failed; rejoining", zap.Error(err), zap.Duration("backoff", s.cfg.ReconnectBackoff))
			select {
			case <-time.After(s.cfg.ReconnectBackoff):
			case <-s.closing:
			}
		}
	}
	s.state.setJoined(false)
	s.log.Info("leaving consumer group", zap.String("group", s.cfg.Group))
	if err := s.group.Close(); err != nil {
		s.log.Warn("leave consumer group", zap.Error(err))
	}
}

func (s *Subscriber) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// Close stops taking records, waits up to DrainTimeout for in-flight messages
// to be acked, commits their offsets, and leaves the group. A message still
// running when the budget is spent is not committed: the next owner of its
// partition gets it again.
func (s *Subscriber) Close() error {
	s.closeOnce.Do(func() {
		s.state.SetStopping()
		s.mu.Lock()
		close(s.closing)
		subscribed := s.subscribed
		s.mu.Unlock()
		if subscribed {
			s.drain()
		}
		s.runCancel()
		if subscribed {
			<-s.done
		} else if err := s.group.Close(); err != nil {
			s.log.Warn("close consumer group", zap.Error(err))
		}
		s.drainCancel()
	})
	return nil
}

// drain waits for the claims to finish their in-flight messages, at most
// DrainTimeout, then cancels the contexts of whatever still runs.
func (s *Subscriber) drain() {
	s.log.Info("draining in-flight messages", zap.Duration("budget", s.cfg.DrainTimeout))
	start := time.Now()
	drained := make(chan struct{})
	go func() {
		s.claims.Wait()
		close(drained)
	}()
	timer := time.NewTimer(s.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-drained:
		s.log.Info("in-flight messages drained", zap.Duration("took", time.Since(start)))
	case <-timer.C:
		s.log.Warn("drain budget spent; unfinished messages stay uncommitted for the next owner")
		s.drainCancel()
		<-drained
	}
}
