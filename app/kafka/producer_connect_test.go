package kafka_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/kafkatest"
)

func TestUnconnectedProducer_refuses_sends_until_connected(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	c.CreateTopics(t, 1, cfg.Topics.Output)
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	p := kafka.NewUnconnectedProducer(c.Brokers, sc, 10*time.Second, zap.NewNop())
	record := func() []*sarama.ProducerMessage {
		return []*sarama.ProducerMessage{{Topic: cfg.Topics.Output, Value: sarama.StringEncoder("v")}}
	}

	_, err = p.Send(record())
	var se *kafka.SendError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, kafka.ErrNotConnected)
	require.True(t, se.Unwritable(), "waiting for the brokers helps")

	require.NoError(t, p.Connect())
	require.NoError(t, p.Connect(), "connecting again does nothing")
	got, err := p.Send(record())
	require.NoError(t, err)
	require.Equal(t, cfg.Topics.Output, got[0].Topic)
	require.NoError(t, p.Close())
}

func TestUnconnectedProducer_closes_without_ever_connecting(t *testing.T) {
	sc := sarama.NewConfig()
	p := kafka.NewUnconnectedProducer([]string{"127.0.0.1:1"}, sc, time.Second, zap.NewNop())
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Connect(), kafka.ErrProducerClosed)
	_, err := p.Send([]*sarama.ProducerMessage{{Topic: "t"}})
	require.ErrorIs(t, err, kafka.ErrProducerClosed)
}
