package bench

import (
	"context"
	"fmt"
	"os"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	wkafka "github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/fx"

	"dispatchd/app"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// Contender names.
const (
	Raw      = "raw"
	Stock    = "stock"
	Dispatch = "dispatchd"
)

// Target is where a contender reads and writes.
type Target struct {
	// Brokers are the bootstrap addresses.
	Brokers []string
	// Group is the consumer group, fresh for each run.
	Group string
	// Input is the preloaded topic.
	Input string
	// Output is the run's own result topic.
	Output string
}

// RunContender runs the named contender until ctx ends.
func RunContender(ctx context.Context, kind string, t Target) error {
	switch kind {
	case Raw:
		return runRaw(ctx, t)
	case Stock:
		return runStock(ctx, t)
	case Dispatch:
		return runDispatchd(ctx, t)
	}
	return fmt.Errorf("unknown contender %q (want %s, %s or %s)", kind, Raw, Stock, Dispatch)
}

// daemonConfig is dispatchd's config as `dispatchd run` would load it from
// the environment (DISPATCHD_* may tune it), aimed at t.
func daemonConfig(t Target) (config.Config, error) {
	cfg, err := config.Load("", os.Environ(), nil)
	if err != nil {
		return cfg, err
	}
	cfg.Kafka.Brokers = t.Brokers
	cfg.Consumer.Group = t.Group
	cfg.Topics.Input, cfg.Topics.Output, cfg.Topics.DeadLetter = t.Input, t.Output, t.Output+".dlq"
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "warn"
	return cfg, cfg.Validate()
}

// runRaw is the baseline: the loop a Go team writes by hand with sarama's
// defaults. A consumer group that, one message at a time per claim, handles
// it (no-op), sends the result with a SyncProducer, and marks the offset.
func runRaw(ctx context.Context, t Target) error {
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Producer.Return.Successes = true
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	p, err := sarama.NewSyncProducer(t.Brokers, sc)
	if err != nil {
		return err
	}
	defer func() { _ = p.Close() }()
	g, err := sarama.NewConsumerGroup(t.Brokers, t.Group, sc)
	if err != nil {
		return err
	}
	defer func() { _ = g.Close() }()
	go func() {
		for range g.Errors() {
		}
	}()
	for ctx.Err() == nil {
		if err := g.Consume(ctx, []string{t.Input}, rawHandler{p: p, out: t.Output}); err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

type rawHandler struct {
	p   sarama.SyncProducer
	out string
}

func (rawHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (rawHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h rawHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		if _, _, err := h.p.SendMessage(&sarama.ProducerMessage{Topic: h.out,
			Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(m.Value)}); err != nil {
			return err
		}
		sess.MarkMessage(m, "")
	}
	return nil
}

// runStock is the peer most users would pick: a watermill router over
// watermill-kafka's subscriber and publisher, default config, except that it
// reads from the oldest offset (the input is preloaded) and keys results
// like their input (or order could not hold).
func runStock(ctx context.Context, t Target) error {
	subCfg := wkafka.DefaultSaramaSubscriberConfig()
	subCfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	log := watermill.NopLogger{}
	sub, err := wkafka.NewSubscriber(wkafka.SubscriberConfig{Brokers: t.Brokers, ConsumerGroup: t.Group,
		Unmarshaler: wkafka.DefaultMarshaler{}, OverwriteSaramaConfig: subCfg}, log)
	if err != nil {
		return err
	}
	pub, err := wkafka.NewPublisher(wkafka.PublisherConfig{Brokers: t.Brokers,
		Marshaler: wkafka.NewWithPartitioningMarshaler(func(_ string, m *message.Message) (string, error) {
			return m.Metadata.Get("bench_key"), nil
		})}, log)
	if err != nil {
		return err
	}
	r, err := message.NewRouter(message.RouterConfig{}, log)
	if err != nil {
		return err
	}
	r.AddHandler("noop", t.Input, sub, t.Output, pub, func(m *message.Message) ([]*message.Message, error) {
		key, _ := wkafka.MessageKeyFromCtx(m.Context())
		out := message.NewMessage(watermill.NewUUID(), m.Payload)
		out.Metadata.Set("bench_key", string(key))
		return []*message.Message{out}, nil
	})
	go func() {
		<-ctx.Done()
		_ = r.Close()
	}()
	return r.Run(context.Background())
}

// Noop is the no-op handler every contender runs: it echoes the value.
var Noop = handlers.Func{HandlerName: "bench-noop",
	Fn: func(_ context.Context, in messages.Envelope) (messages.Result, error) {
		return messages.Result{Type: ResultType, Payload: in.Payload}, nil
	}}

// runDispatchd runs dispatchd's own modules, as `dispatchd run` wires them,
// with the no-op handler registered for the input's type.
func runDispatchd(ctx context.Context, t Target) error {
	cfg, err := daemonConfig(t)
	if err != nil {
		return err
	}
	a := fx.New(app.Options(cfg, telemetry.BuildInfo{Version: "bench", Commit: "bench"}),
		fx.Decorate(func(*handlers.Registry) *handlers.Registry {
			return handlers.NewRegistry().MustRegister(NoopType, Noop)
		}),
	)
	if err := a.Start(context.Background()); err != nil {
		return err
	}
	<-ctx.Done()
	return a.Stop(context.Background())
}
