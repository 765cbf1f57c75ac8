package router

import (
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/app/telemetry"
	"dispatchd/handlers"
)

// Publish writes the results a handler produced, inside the retry and
// dead-letter policy rather than after it, so a result that cannot be
// written is handled like any other failure: retried when retrying may
// help, dead-lettered when it cannot (the result is too large), and a
// pause of the partition when the topic is missing or not writable.
type Publish struct {
	// Publisher writes the results.
	Publisher message.Publisher
	// Topic is the results topic.
	Topic string
	// Metrics counts the results the brokers acknowledged.
	Metrics *telemetry.Metrics
}

// Middleware returns the publishing middleware; it passes no message on.
func (p Publish) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err != nil || len(out) == 0 {
			return nil, err
		}
		if err := p.Publisher.Publish(p.Topic, out...); err != nil {
			return nil, publishError("result", p.Topic, err)
		}
		p.Metrics.Published(p.Topic, len(out))
		return nil, nil
	}
}

// The producer's errors say what retrying can fix through these methods,
// so the router needs no transport package to tell.
type (
	tooLarge   interface{ TooLarge() bool }
	invalid    interface{ Invalid() bool }
	unwritable interface{ Unwritable() bool }
)

// publishError classifies a failed publish of what (result or dead letter)
// to topic: a record refused for its size or form is permanent, and a
// failure of the topic or the cluster pauses the partition; the record is
// not to blame, and the producer already retried for delivery_timeout.
// An error that says neither is transient.
func publishError(what, topic string, err error) error {
	err = fmt.Errorf("publish %s to %s: %w", what, topic, err)
	var tl tooLarge
	var iv invalid
	if (errors.As(err, &tl) && tl.TooLarge()) || (errors.As(err, &iv) && iv.Invalid()) {
		return handlers.Permanent(err)
	}
	var uw unwritable
	if errors.As(err, &uw) && uw.Unwritable() {
		return &PauseError{Reason: ReasonResultsUnwritable, Err: err}
	}
	return err
}
