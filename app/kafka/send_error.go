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

// Unwritable reports whether the failure lies with the topic or the
// cluster, not the record: the topic is missing or refused, no leader
// answers, sarama's circuit breaker for it is open, or the brokers did not
// acknowledge within producer.delivery_timeout, sarama having retried all
// along. Sending again helps only once that changes, so the caller waits
// rather than re-running the handler or blaming the record.
func (e *SendError) Unwritable() bool {
	return !e.TooLarge() && !e.Invalid()
}

// Invalid reports whether the broker refused the record itself as
// malformed; sending it again cannot help.
func (e *SendError) Invalid() bool {
	return errors.Is(e.Err, sarama.ErrInvalidRecord) || errors.Is(e.Err, sarama.ErrInvalidTimestamp) ||
		errors.Is(e.Err, sarama.ErrInvalidMessage)
}
