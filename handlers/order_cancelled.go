package handlers

import (
	"context"
	"fmt"

	"dispatchd/messages"
)

// OrderCancelled acknowledges an order.cancelled with an
// order.cancellation_acknowledged. It keeps no state: planning is a pure
// function of each order.placed, so there is nothing to undo, and
// acknowledging the same cancellation twice gives the same result.
type OrderCancelled struct{}

// Name returns "acknowledge-cancellation".
func (OrderCancelled) Name() string { return "acknowledge-cancellation" }

// Handle decodes, validates and acknowledges one cancellation, echoing its
// reason. Undecodable and invalid payloads are permanent errors; a done ctx is
// returned as is, for retry.
func (OrderCancelled) Handle(ctx context.Context, in messages.Envelope) (messages.Result, error) {
	if err := ctx.Err(); err != nil {
		return messages.Result{}, err
	}
	var cancel messages.OrderCancelled
	if err := messages.Decode(in.Payload, &cancel); err != nil {
		return messages.Result{}, Permanent(fmt.Errorf("decode %s: %w", messages.TypeOrderCancelled, err))
	}
	if err := cancel.Validate(in.Key); err != nil {
		return messages.Result{}, Permanent(err)
	}
	payload, err := messages.Encode(messages.OrderCancellationAcknowledged{
		OrderID:      cancel.OrderID,
		Reason:       cancel.Reason,
		Acknowledged: true,
	})
	if err != nil {
		// Strings and a bool always encode; retrying could not help anyway.
		return messages.Result{}, Permanent(err)
	}
	return messages.Result{Type: messages.TypeOrderCancellationAcknowledged, Payload: payload}, nil
}
