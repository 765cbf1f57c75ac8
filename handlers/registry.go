// Package handlers holds dispatchd's business handlers, one file each, and the
// registry that maps a message type to its handler. A handler is a function
// from its typed input to its typed output; Typed wraps it in the decoding,
// validation, encoding and error marking every handler shares. It is pure Go:
// no fx, no sarama, no watermill.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"dispatchd/messages"
)

// Handler handles every message of one type.
type Handler interface {
	// Name is the handler's stable kebab-case name, used in logs and metrics.
	Name() string
	// Handle turns one input into one result. Return an error wrapped with
	// Permanent when retrying can never help.
	Handle(ctx context.Context, in messages.Envelope) (messages.Result, error)
}

// validName is what Handler.Name must match: kebab-case, because the name is a
// label in metrics and logs, and renaming it breaks dashboards.
var validName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Registry maps a message type to the one handler for it. Register everything
// while wiring; after that, Lookup and Types are safe for concurrent use
// because nothing writes the map any more.
type Registry struct {
	handlers map[string]Handler
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{handlers: make(map[string]Handler)}
}

// Default returns a registry with every business handler of dispatchd, under
// its stable name.
func Default() *Registry {
	return NewRegistry().
		MustRegister(messages.TypeOrderPlaced, Typed("dispatch-order", DispatchOrder)).
		MustRegister(messages.TypeOrderCancelled, Typed("acknowledge-cancellation", AcknowledgeCancellation))
}

// Register makes h the handler for msgType. It fails on an empty type, a nil
// handler, a handler name that is not kebab-case, a typed handler whose input
// is another type, or a type that already has a handler: a silent override
// would route messages to the wrong code.
func (r *Registry) Register(msgType string, h Handler) error {
	if msgType == "" {
		return errors.New("register: empty message type")
	}
	if h == nil {
		return fmt.Errorf("register %q: nil handler", msgType)
	}
	if name := h.Name(); !validName.MatchString(name) {
		return fmt.Errorf("register %q: handler name %q is not kebab-case (%s)", msgType, name, validName)
	}
	if in, ok := h.(interface{ InputType() string }); ok && in.InputType() != msgType {
		return fmt.Errorf("register %q: handler %q takes %q", msgType, h.Name(), in.InputType())
	}
	if prev, ok := r.handlers[msgType]; ok {
		return fmt.Errorf("register %q: already handled by %q", msgType, prev.Name())
	}
	r.handlers[msgType] = h
	return nil
}

// MustRegister is Register that panics on error, for wiring code where a bad
// registration is a programming mistake. It returns r so calls chain.
func (r *Registry) MustRegister(msgType string, h Handler) *Registry {
	if err := r.Register(msgType, h); err != nil {
		panic(err)
	}
	return r
}

// Lookup returns the handler for msgType. Both of its errors are permanent: a
// record without a handler will not grow one on retry. They wrap
// ErrMissingType (msgType is empty) and ErrUnknownType.
func (r *Registry) Lookup(msgType string) (Handler, error) {
	if msgType == "" {
		return nil, Permanent(ErrMissingType)
	}
	h, ok := r.handlers[msgType]
	if !ok {
		return nil, Permanent(fmt.Errorf("%w %q", ErrUnknownType, msgType))
	}
	return h, nil
}

// Types returns the registered message types, sorted.
func (r *Registry) Types() []string {
	return slices.Sorted(maps.Keys(r.handlers))
}

// Func adapts a function to Handler; handy in tests and benchmarks.
type Func struct {
	// HandlerName is returned by Name; it must be kebab-case to register.
	HandlerName string
	// Fn is called by Handle.
	Fn func(ctx context.Context, in messages.Envelope) (messages.Result, error)
}

// Name returns f.HandlerName.
func (f Func) Name() string { return f.HandlerName }

// Handle calls f.Fn.
func (f Func) Handle(ctx context.Context, in messages.Envelope) (messages.Result, error) {
	return f.Fn(ctx, in)
}
