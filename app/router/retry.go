package router

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/handlers"
)

// AttemptsError carries how many times a message was handled before its
// last error, so the dead letter can record it.
type AttemptsError struct {
	// Attempts is how many times the handler ran.
	Attempts int
	// Err is the last error.
	Err error
}

func (e *AttemptsError) Error() string {
	return fmt.Sprintf("after %d attempt(s): %v", e.Attempts, e.Err)
}

// Unwrap lets errors.Is and errors.As see the last error.
func (e *AttemptsError) Unwrap() error { return e.Err }

// Retry runs a failing handler again with exponential backoff. Permanent
// errors are not retried, nor pauses (the consumer's backoff redelivers
// those), nor a message whose context ended (shutdown): retrying could not
// help.
type Retry struct {
	// MaxRetries is how many times a transient failure is retried; 0 disables retries.
	MaxRetries int
	// InitialInterval is the wait before the first retry; it doubles after each.
	InitialInterval time.Duration
	// MaxInterval caps the wait between retries.
	MaxInterval time.Duration
	// OnRetry, if set, is called before each retry's wait.
	OnRetry func(msg *message.Message, attempt int, err error)
}

// Middleware returns the retrying middleware.
func (r Retry) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		wait := r.InitialInterval
		for attempt := 1; ; attempt++ {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			ctx := msg.Context()
			var pause *PauseError
			if attempt > r.MaxRetries || handlers.IsPermanent(err) || ctx.Err() != nil || errors.As(err, &pause) {
				return nil, &AttemptsError{Attempts: attempt, Err: err}
			}
			if r.OnRetry != nil {
				r.OnRetry(msg, attempt, err)
			}
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, &AttemptsError{Attempts: attempt, Err: ctx.Err()}
			}
			wait = min(2*wait, r.MaxInterval)
		}
	}
}
