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
// producer, the shared group state, what waits for the cluster and what
// ensures the topics. No constructor dials a broker, and it registers no
// hook: app orders every start and stop.
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
		newConnector,
	),
)

// newProducer dials nothing: constructors run before any start stage, and
// the daemon serves /readyz while it waits for the brokers (Connector).
func newProducer(cfg config.Config, sc *sarama.Config, log *zap.Logger) *Producer {
	return NewUnconnectedProducer(cfg.Kafka.Brokers, sc, cfg.Producer.DeliveryTimeout, log.Named("producer"))
}

// Connector waits, up to kafka.connect_timeout, until the cluster answers
// with the configured TLS and credentials, then connects the producer. It
// fails at once on a TLS or authentication failure.
type Connector func(context.Context) error

func newConnector(cfg config.Config, sc *sarama.Config, p *Producer, log *zap.Logger) Connector {
	log = log.Named("connect")
	return func(ctx context.Context) error {
		if cfg.Kafka.TLS.InsecureSkipVerify {
			log.Warn("kafka.tls.insecure_skip_verify=true: broker certificates are NOT verified; " +
				"anyone on the path can read and change the traffic and take the credentials")
		}
		if err := WaitForCluster(ctx, cfg.Kafka.Brokers, sc, cfg.Kafka.ConnectTimeout, log); err != nil {
			return err
		}
		return p.Connect()
	}
}

func newSubscriber(cfg config.Config, sc *sarama.Config, state *GroupState, obs Observer, log *zap.Logger) (*Subscriber, error) {
	return NewSubscriber(SubscriberConfigOf(cfg, sc), state, obs, log.Named("consumer"))
}

// SubscriberConfigOf is the subscriber's config as the daemon runs it.
func SubscriberConfigOf(cfg config.Config, sc *sarama.Config) SubscriberConfig {
	return SubscriberConfig{
		Brokers:        cfg.Kafka.Brokers,
		Group:          cfg.Consumer.Group,
		Sarama:         sc,
		NackBackoff:    cfg.Consumer.NackBackoff,
		NackBackoffMax: cfg.Consumer.NackBackoffMax,
		DrainTimeout:   cfg.Shutdown.DrainTimeout,
		InitTopic:      Topics(cfg)[0],
		LeaveStatic:    cfg.Consumer.LeaveOnStop,
		Ordering:       Ordering(cfg.Consumer.Ordering),
		MaxInFlight:    cfg.Consumer.MaxInFlight,
	}
}

// Uses lists the topics cfg names with what the daemon needs of each.
func Uses(cfg config.Config) []TopicUse {
	t := cfg.Topics
	return []TopicUse{{Name: t.Input, Setting: "topics.input"}, {Name: t.Output, Setting: "topics.output", Write: true},
		{Name: t.DeadLetter, Setting: "topics.dead_letter", Write: true}}
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

// TopicsEnsurer makes sure the topics the daemon needs are there before it
// consumes: with topics.auto_create it creates the missing ones; then it
// checks that each exists and may be read or written as needed, so a
// missing or forbidden topic fails the start with one line, not a partition
// that pauses on its first message.
type TopicsEnsurer func(context.Context) error

func newTopicsEnsurer(cfg config.Config, sc *sarama.Config, log *zap.Logger) TopicsEnsurer {
	t := cfg.Topics
	uses := Uses(cfg)
	return func(context.Context) error {
		if t.AutoCreate {
			st, err := EnsureTopics(cfg.Kafka.Brokers, sc, Topics(cfg))
			if err != nil {
				return fmt.Errorf("ensure topics: %w", err)
			}
			for _, s := range st {
				log.Info("topic ready", zap.String("topic", s.Name), zap.Bool("created", s.Created), zap.Int32("partitions", s.Partitions))
			}
		}
		if err := CheckTopics(cfg.Kafka.Brokers, sc, uses); err != nil {
			return fmt.Errorf("check topics: %w", err)
		}
		return nil
	}
}
