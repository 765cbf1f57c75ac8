package router

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/app/tracing"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// DeadLetter parks a message whose handler failed for good in the
// dead-letter topic, with the original key, value and headers (in order,
// duplicates kept) plus the reason, and acks it so its partition moves on.
// A dead letter always fits: its reason is bounded, and when the original
// value cannot fit it is left out (see fit). A message whose context ended
// is shutdown, not failure: it is nacked and left for the next owner.
type DeadLetter struct {
	// Publisher writes the dead letters.
	Publisher message.Publisher
	// Topic is the dead-letter topic.
	Topic string
	// MaxBytes is the largest record the producer may write
	// (producer.max_message_bytes); 0 means no check.
	MaxBytes int
	// OnDeadLetter, if set, is called after a dead letter is acknowledged.
	OnDeadLetter func(msg *message.Message, class string, attempts int, cause error)
}

// Middleware returns the dead-lettering middleware.
func (d DeadLetter) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err == nil {
			return out, nil
		}
		var pause *PauseError
		if msg.Context().Err() != nil || errors.As(err, &pause) {
			return nil, err // shutdown, or a pause: redelivered, never parked
		}
		class := messages.ErrorClassExhausted
		if handlers.IsPermanent(err) {
			class = messages.ErrorClassPermanent
		}
		attempts := 1
		var ae *AttemptsError
		if errors.As(err, &ae) {
			attempts, err = ae.Attempts, ae.Err
		}
		rec, _ := messages.RecordFromContext(msg.Context())
		dl := message.NewMessage(msg.UUID, msg.Payload)
		dl.Metadata.Set(messages.HeaderError, Clip(err.Error(), MaxReasonBytes))
		dl.Metadata.Set(messages.HeaderErrorClass, class)
		dl.Metadata.Set(messages.HeaderAttempts, strconv.Itoa(attempts))
		dl.Metadata.Set(messages.HeaderSource, rec.Source.String())
		if rec.Headers == nil {
			rec.Headers = []messages.Header{} // a copy, even of a message no consumer made
		}
		// The copy's traceparent would be the input's: the dead letter
		// carries the context of the span it was written in instead.
		rec.Headers = tracing.Replace(msg.Context(), dl.Metadata, rec.Headers)
		rec = fit(dl, rec, d.MaxBytes)
		dl.SetContext(messages.WithRecord(context.Background(), rec))
		if perr := d.Publisher.Publish(d.Topic, dl); perr != nil {
			// Not acked: the message is delivered again rather than lost.
			return nil, &PauseError{Reason: ReasonDeadLetterUnwritable, Err: fmt.Errorf(
				"publish dead letter to %s: %w (handler error: %s)", d.Topic, perr, Clip(err.Error(), MaxReasonBytes))}
		}
		if d.OnDeadLetter != nil {
			d.OnDeadLetter(msg, class, attempts, err)
		}
		return nil, nil
	}
}
