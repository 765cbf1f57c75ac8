package handlers

import (
	"context"
	"fmt"

	"dispatchd/messages"
)

// Input is a payload a typed handler takes: it names its message type and
// checks itself against the key of the record it arrived under.
type Input interface {
	// MessageType is the value of the type header this payload arrives with.
	MessageType() string
	// Validate reports the first rule the payload breaks, as a
	// *messages.ValidationError.
	Validate(key string) error
}

// Output is a payload a typed handler returns: it names its message type.
type Output interface {
	// MessageType is the value of the type header the result is published with.
	MessageType() string
}

// TypedFunc is a Handler made from a function of typed payloads. It does, in
// one place for every handler, what sits around the business logic: honour a
// done ctx, decode and validate the input, encode the output, and mark the
// failures no retry can fix as permanent. In and Out are payload structs, not
// pointers.
type TypedFunc[In Input, Out Output] struct {
	// HandlerName is returned by Name; it must be kebab-case to register.
	HandlerName string
	// Fn turns one valid input into one output. It returns an error wrapped
	// with Permanent when retrying can never help; any other error is retried.
	Fn func(ctx context.Context, in In) (Out, error)
}

// Typed adapts fn to a Handler named name.
func Typed[In Input, Out Output](name string, fn func(ctx context.Context, in In) (Out, error)) TypedFunc[In, Out] {
	return TypedFunc[In, Out]{HandlerName: name, Fn: fn}
}

// Name returns t.HandlerName.
func (t TypedFunc[In, Out]) Name() string { return t.HandlerName }

// InputType returns the message type t decodes, so the registry can refuse to
// route another type to it.
func (t TypedFunc[In, Out]) InputType() string {
	var in In
	return in.MessageType()
}

// Handle runs Fn on env's decoded payload. Undecodable and invalid payloads,
// and outputs that fail to encode, are permanent errors; a done ctx is
// returned as is, for retry; Fn's own errors are returned unchanged.
func (t TypedFunc[In, Out]) Handle(ctx context.Context, env messages.Envelope) (messages.Result, error) {
	if err := ctx.Err(); err != nil {
		return messages.Result{}, err
	}
	var in In
	if err := messages.Decode(env.Payload, &in); err != nil {
		return messages.Result{}, Permanent(fmt.Errorf("decode %s: %w", in.MessageType(), err))
	}
	if err := in.Validate(env.Key); err != nil {
		return messages.Result{}, Permanent(err)
	}
	out, err := t.Fn(ctx, in)
	if err != nil {
		return messages.Result{}, err
	}
	payload, err := messages.Encode(out)
	if err != nil {
		// Only values JSON cannot hold (NaN, Inf, a channel) fail to encode:
		// a bug in Fn, which a retry would hit again.
		return messages.Result{}, Permanent(err)
	}
	return messages.Result{Type: out.MessageType(), Payload: payload}, nil
}
