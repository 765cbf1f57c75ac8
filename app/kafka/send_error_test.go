package kafka_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
)

func TestSendError(t *testing.T) {
	cases := []struct {
		name                          string
		err                           error
		tooLarge, invalid, unwritable bool
	}{
		{name: "refused_by_the_broker_for_size", err: sarama.ErrMessageSizeTooLarge, tooLarge: true},
		{name: "over_producer_max_message_bytes", err: sarama.ConfigurationError(
			"Attempt to produce message larger than configured Producer.MaxMessageBytes: 2 > 1"), tooLarge: true},
		{name: "malformed_record", err: sarama.ErrInvalidRecord, invalid: true},
		{name: "topic_missing", err: sarama.ErrUnknownTopicOrPartition, unwritable: true},
		{name: "not_authorized", err: sarama.ErrTopicAuthorizationFailed, unwritable: true},
		{name: "delivery_timeout", err: fmt.Errorf("%w (2m)", kafka.ErrDeliveryTimeout), unwritable: true},
		{name: "sarama_breaker_open_after_repeated_failures", err: errors.New("circuit breaker is open"), unwritable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &kafka.SendError{Count: 1, Topic: "out", Err: tc.err}
			require.Equal(t, tc.tooLarge, e.TooLarge())
			require.Equal(t, tc.invalid, e.Invalid())
			require.Equal(t, tc.unwritable, e.Unwritable())
			require.ErrorIs(t, e, tc.err)
		})
	}
}
