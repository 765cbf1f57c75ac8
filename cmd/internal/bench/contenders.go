package bench

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	wkafka "github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Contender names.
const (
	Raw       = "raw"
	Stock     = "stock"
	Pipelined = "pipelined"
	Franz     = "franz"
	Floor     = "floor"
	Dispatch  = "dispatchd"
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

// DeadLetter is the run's dead-letter topic, beside Output.
func (t Target) DeadLetter() string { return t.Output + ".dlq" }

// RunContender runs the named contender until ctx ends. Only dispatchd
// takes options.
func RunContender(ctx context.Context, kind string, t Target, o Options) error {
	if kind != Dispatch && o != (Options{}) {
		return fmt.Errorf("contender %s takes no options, only %s does", kind, Dispatch)
	}
	switch kind {
	case Raw:
		return runRaw(ctx, t)
	case Stock:
		return runStock(ctx, t)
	case Pipelined:
		return runPipelined(ctx, t)
	case Franz:
		return runFranz(ctx, t)
	case Floor:
		return runFloor(ctx, t)
	case Dispatch:
		return runDispatchd(ctx, t, o)
	}
	return fmt.Errorf("unknown contender %q (want %s, %s, %s, %s, %s or %s)", kind, Raw, Stock, Pipelined, Franz, Floor, Dispatch)
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
