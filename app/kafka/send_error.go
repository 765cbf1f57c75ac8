package kafka

import (
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
)

// SendError is a send that failed: the brokers refused a record, or did not
// acknowledge it within producer.delivery_timeout. Its methods tell a
// caller what sending again could fix, without knowing sarama.
type SendError struct {
	// Count is how many records the send held.
	Count int
	// Topic is the topic of the record that failed, when known.
	Topic string
	// Err is the cause.
	Err error
}

func (e *SendError) Error() string {
	if e.Topic == "" {
		return fmt.Sprintf("send %d record(s): %v", e.Count, e.Err)
	}
	return fmt.Sprintf("send %d record(s): failed on %s: %v", e.Count, e.Topic, e.Err)
}

// Unwrap lets errors.Is and errors.As see the cause.
func (e *SendError) Unwrap() error { return e.Err }

// TooLarge reports whether a record was refused for its size, by the broker
// or by producer.max_message_bytes: sending it again cannot help.
func (e *SendError) TooLarge() bool {
	var ce sarama.ConfigurationError
	return errors.Is(e.Err, sarama.ErrMessageSizeTooLarge) || errors.Is(e.Err, sarama.ErrMessageSetSizeTooLarge) ||
		(errors.As(e.Err, &ce) && strings.Contains(string(ce), "larger than configured Producer.MaxMessageBytes"))
}

// Unwritable reports whether the topic cannot take records now: it is
// missing, this client may not write it, or the brokers did not answer in
// time. Sending again helps only once that changes, so the caller waits.
func (e *SendError) Unwritable() bool {
	return errors.Is(e.Err, ErrDeliveryTimeout) || errors.Is(e.Err, ErrNotConnected) || errors.Is(e.Err, sarama.ErrUnknownTopicOrPartition) ||
		errors.Is(e.Err, sarama.ErrTopicAuthorizationFailed) || errors.Is(e.Err, sarama.ErrClusterAuthorizationFailed) ||
		errors.Is(e.Err, sarama.ErrInvalidTopic)
}
