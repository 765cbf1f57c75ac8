package messages

import (
	"math"
)

// Point is a WGS 84 coordinate in decimal degrees.
type Point struct {
	// Lat is the latitude, in [-90, 90].
	Lat float64 `json:"lat"`
	// Lng is the longitude, in [-180, 180].
	Lng float64 `json:"lng"`
}

// Validate checks the point's ranges; field prefixes the reported field names,
// e.g. "pickup" gives "pickup.lat".
func (p Point) Validate(field string) error {
	if err := checkRange(field+".lat", p.Lat, 90); err != nil {
		return err
	}
	return checkRange(field+".lng", p.Lng, 180)
}

// checkRange reports v outside [-limit, limit]. NaN fails every comparison, so
// it is checked first; JSON cannot carry NaN, but Go callers can.
func checkRange(field string, v, limit float64) error {
	if math.IsNaN(v) {
		return invalid("", field, "is not a number")
	}
	if v < -limit || v > limit {
		return invalid("", field, "%v is out of range [%v, %v]", v, -limit, limit)
	}
	return nil
}

// OrderPlaced is the payload of an order.placed: an order waiting for a courier.
type OrderPlaced struct {
	// OrderID identifies the order; it must equal the record key.
	OrderID string `json:"order_id"`
	// Pickup is where the courier collects the parcel.
	Pickup Point `json:"pickup"`
	// Dropoff is where the courier delivers it.
	Dropoff Point `json:"dropoff"`
	// Note is free text for the courier.
	Note string `json:"note,omitempty"`
}

// MessageType returns TypeOrderPlaced.
func (OrderPlaced) MessageType() string { return TypeOrderPlaced }

// Validate checks the order against key, the record key it arrived under.
func (o OrderPlaced) Validate(key string) error {
	if err := validateOrderID(TypeOrderPlaced, o.OrderID, key); err != nil {
		return err
	}
	if err := o.Pickup.Validate("pickup"); err != nil {
		return withType(err, TypeOrderPlaced)
	}
	if err := o.Dropoff.Validate("dropoff"); err != nil {
		return withType(err, TypeOrderPlaced)
	}
	return nil
}

// OrderDispatched is the payload of an order.dispatched: the plan for an order.
type OrderDispatched struct {
	// OrderID identifies the order.
	OrderID string `json:"order_id"`
	// Zone is the dispatch zone of the pickup point.
	Zone string `json:"zone"`
	// DistanceKM is the great-circle distance pickup to dropoff, in kilometres.
	DistanceKM float64 `json:"distance_km"`
	// ETASeconds is the estimated time from dispatch to delivery.
	ETASeconds int `json:"eta_seconds"`
}

// MessageType returns TypeOrderDispatched.
func (OrderDispatched) MessageType() string { return TypeOrderDispatched }

// OrderCancelled is the payload of an order.cancelled.
type OrderCancelled struct {
	// OrderID identifies the order; it must equal the record key.
	OrderID string `json:"order_id"`
	// Reason is why the customer cancelled, if they said.
	Reason string `json:"reason,omitempty"`
}

// MessageType returns TypeOrderCancelled.
func (OrderCancelled) MessageType() string { return TypeOrderCancelled }

// Validate checks the cancellation against key, the record key it arrived under.
func (o OrderCancelled) Validate(key string) error {
	return validateOrderID(TypeOrderCancelled, o.OrderID, key)
}

// OrderCancellationAcknowledged is the payload of an
// order.cancellation_acknowledged.
type OrderCancellationAcknowledged struct {
	// OrderID identifies the order.
	OrderID string `json:"order_id"`
	// Reason echoes the reason given in the cancellation.
	Reason string `json:"reason"`
	// Acknowledged is true once dispatchd has stopped planning the order.
	Acknowledged bool `json:"acknowledged"`
}

// MessageType returns TypeOrderCancellationAcknowledged.
func (OrderCancellationAcknowledged) MessageType() string { return TypeOrderCancellationAcknowledged }
