package bench

import (
	"context"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/messages"
)

// runFloor is watermill's message.Router over dispatchd's own Subscriber
// and Producer, configured as the daemon configures them, with a handler
// that only copies the input's key and value into a result and publishes
// it: no envelope, no headers, and no middleware but the daemon's stack
// presize, which makes the router's goroutine per message cheaper. Any
// dispatchd that keeps the router pays this much before its own chain, so
// floor over pipelined is the most that trimming the chain and the handler
// could bring pipelined_ratio to.
func runFloor(ctx context.Context, t Target) error {
	cfg, err := daemonConfig(t, Options{})
	if err != nil {
		return err
	}
	sc, err := kafka.SaramaConfig(cfg)
	if err != nil {
		return err
	}
	log := zap.NewNop()
	p, err := kafka.NewProducer(cfg.Kafka.Brokers, sc, cfg.Producer.DeliveryTimeout, log)
	if err != nil {
		return err
	}
	defer func() { _ = p.Close() }()
	s, err := kafka.NewSubscriber(kafka.SubscriberConfigOf(cfg, sc), kafka.NewGroupState(), kafka.Observers(nil), log)
	if err != nil {
		return err
	}
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.Shutdown.Timeout}, watermill.NopLogger{})
	if err != nil {
		return err
	}
	echo := router.Presize(func(m *message.Message) ([]*message.Message, error) {
		rec, _ := messages.RecordFromContext(m.Context())
		out := message.NewMessage(m.UUID, m.Payload)
		// The input's key; the context also carries what the producer needs
		// to tell the subscriber when the result is acknowledged.
		out.SetContext(messages.WithDetachedRecord(m.Context(), messages.Record{Key: rec.Key}))
		return nil, p.Publish(t.Output, out)
	})
	r.AddConsumerHandler("floor", t.Input, s, func(m *message.Message) error {
		_, err := echo(m)
		return err
	})
	go func() {
		<-ctx.Done()
		_ = r.Close()
	}()
	return r.Run(context.Background())
}
