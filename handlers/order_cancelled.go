package handlers

import (
	"context"

	"dispatchd/messages"
)

// AcknowledgeCancellation acknowledges an order.cancelled with an
// order.cancellation_acknowledged, echoing its reason. It keeps no state: planning is a pure function of each
// order.placed, so there is nothing to undo, and acknowledging the same
// cancellation twice gives the same result.
func AcknowledgeCancellation(_ context.Context, c messages.OrderCancelled) (messages.OrderCancellationAcknowledged, error) {
	return messages.OrderCancellationAcknowledged{OrderID: c.OrderID, Reason: c.Reason, Acknowledged: true}, nil
}
