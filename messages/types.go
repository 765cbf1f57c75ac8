package messages

// Message types, the values of HeaderType. Inputs carry the first group;
// dispatchd publishes the second. A type names a fact that happened, so it
// reads as "<entity>.<past-tense verb>".
const (
	// TypeOrderPlaced is an input: a customer placed an order that needs a courier.
	TypeOrderPlaced = "order.placed"
	// TypeOrderCancelled is an input: a customer cancelled an order.
	TypeOrderCancelled = "order.cancelled"
)

// Result types, published to the output topic.
const (
	// TypeOrderDispatched is the result of an order.placed: the order was
	// assigned a zone, a distance and an ETA.
	TypeOrderDispatched = "order.dispatched"
	// TypeOrderCancellationAcknowledged is the result of an order.cancelled.
	TypeOrderCancellationAcknowledged = "order.cancellation_acknowledged"
)
