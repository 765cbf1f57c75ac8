package kafka_test

import (
	"os"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/kafkatest"
	"dispatchd/messages"
)

// EnvRestartCommand names the command that restarts the test broker, for
// watermill's TestReconnect; the Taskfile sets it when it runs the suite
// against the Kafka it launched.
const EnvRestartCommand = "DISPATCHD_TEST_KAFKA_RESTART"

// keyed gives every published message a record key, as dispatchd does for
// its results (the entity key). The universal suite carries its ordering key
// in the payload, so that is the key here.
type keyed struct{ *kafka.Producer }

func (k keyed) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		m.SetContext(messages.WithRecord(m.Context(), messages.Record{Key: string(m.Payload)}))
	}
	return k.Producer.Publish(topic, msgs...)
}

// pubSub builds the publisher and subscriber exactly as dispatchd's kafka
// module does, from dispatchd's default config pointed at the test cluster.
func pubSub(t *testing.T, c *kafkatest.Cluster, group string, ordering kafka.Ordering) (message.Publisher, message.Subscriber) {
	cfg := c.Config(t, 8)
	cfg.Consumer.Group = group
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	pub, err := kafka.NewProducer(cfg.Kafka.Brokers, sc, cfg.Producer.DeliveryTimeout, zap.NewNop())
	require.NoError(t, err)
	scfg := kafka.SubscriberConfigOf(cfg, sc)
	scfg.Ordering = ordering
	sub, err := kafka.NewSubscriber(scfg, nil, nil, zap.NewNop())
	require.NoError(t, err)
	return keyed{pub}, sub
}

// The suite runs in both orderings. Its order test keys messages by
// payload (16 keys) and checks order per key, which is what key mode
// promises; its no-ack test sends one key, which key mode must block as
// partition mode does.
func TestWatermillUniversalSuite(t *testing.T) {
	c := kafkatest.Start(t)
	for _, ordering := range []kafka.Ordering{kafka.OrderPartition, kafka.OrderKey} {
		t.Run(string(ordering), func(t *testing.T) {
			features := tests.Features{
				ConsumerGroups:      true,
				ExactlyOnceDelivery: false,
				// Order holds per key: one message at a time per partition (or
				// per key), results keyed like their input, and an idempotent
				// producer with one request in flight.
				GuaranteedOrder: true,
				Persistent:      true,
			}
			if cmd := os.Getenv(EnvRestartCommand); cmd != "" {
				features.RestartServiceCommand = []string{"bash", "-c", cmd}
			}
			t.Logf("broker: %s %v; ordering: %s; reconnect test: %v", c.Kind, c.Brokers, ordering, features.RestartServiceCommand != nil)
			tests.TestPubSub(t, features,
				func(t *testing.T) (message.Publisher, message.Subscriber) {
					return pubSub(t, c, "watermill-suite-"+string(ordering), ordering)
				},
				func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
					return pubSub(t, c, group, ordering)
				},
			)
		})
	}
}
