package kafka

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"dispatchd/config"
)

// Module provides the Kafka clients: the consumer-group subscriber, the
// producer, the shared group state and, with topics.auto_create, what
// ensures the topics. It registers no hook: app orders every start and stop.
// It needs an Observer in the graph.
var Module = fx.Module("kafka",
	fx.Provide(
		SaramaConfig,
		NewGroupState,
		newProducer,
		func(p *Producer) message.Publisher { return p.Unclosable() },
		newSubscriber,
		func(s *Subscriber) message.Subscriber { return s },
		newTopicsEnsurer,
	),
)

func newProducer(cfg config.Config, sc *sarama.Config, log *zap.Logger) (*Producer, error) {
	p, err := NewProducer(cfg.Kafka.Brokers, sc, cfg.Producer.DeliveryTimeout, log.Named("producer"))
	if err != nil {
		return nil, err
	}
	return p, nil
}

func newSubscriber(cfg config.Config, sc *sarama.Config, state *GroupState, obs Observer, log *zap.Logger) (*Subscriber, error) {
	s, err := NewSubscriber(SubscriberConfig{
		Brokers:      cfg.Kafka.Brokers,
		Group:        cfg.Consumer.Group,
		Sarama:       sc,
		NackBackoff:  cfg.Router.RetryInitialBackoff,
		DrainTimeout: cfg.Shutdown.DrainTimeout,
		InitTopic:    Topics(cfg)[0],
		LeaveStatic:  cfg.Consumer.LeaveOnStop,
		Ordering:     Ordering(cfg.Consumer.Ordering),
		MaxInFlight:  cfg.Consumer.MaxInFlight,
	}, state, obs, log.Named("consumer"))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Topics lists the topics cfg names, with the partitions and replication
// they are created with.
func Topics(cfg config.Config) []TopicSpec {
	t := cfg.Topics
	spec := func(name string) TopicSpec {
		return TopicSpec{Name: name, Partitions: t.Partitions, ReplicationFactor: t.ReplicationFactor}
	}
	return []TopicSpec{spec(t.Input), spec(t.Output), spec(t.DeadLetter)}
}

// TopicsEnsurer creates the configured topics that are missing and logs
// each one; it is nil unless topics.auto_create is on.
type TopicsEnsurer func(context.Context) error

func newTopicsEnsurer(cfg config.Config, sc *sarama.Config, log *zap.Logger) TopicsEnsurer {
	if !cfg.Topics.AutoCreate {
		return nil
	}
	return func(context.Context) error {
		st, err := EnsureTopics(cfg.Kafka.Brokers, sc, Topics(cfg))
		if err != nil {
			return fmt.Errorf("ensure topics: %w", err)
		}
		for _, s := range st {
			log.Info("topic ready", zap.String("topic", s.Name), zap.Bool("created", s.Created), zap.Int32("partitions", s.Partitions))
		}
		return nil
	}
}
