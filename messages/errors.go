package messages

import (
	"errors"
	"fmt"
)

// ErrUndecodable is wrapped by every error Decode returns: the payload is not
// one well-formed JSON object of the expected shape.
var ErrUndecodable = errors.New("undecodable payload")

// ErrInvalid is matched by every *ValidationError: the payload decoded but
// breaks a rule of its type.
var ErrInvalid = errors.New("invalid payload")

// ValidationError says which field of a payload broke which rule.
type ValidationError struct {
	// Type is the message type being validated, e.g. "order.placed"; may be empty.
	Type string
	// Field is the JSON path of the offending field, e.g. "pickup.lat".
	Field string
	// Reason says what is wrong with the field, e.g. "91 is out of range [-90, 90]".
	Reason string
}

// Error renders e.g. "invalid order.placed: pickup.lat: 91 is out of range [-90, 90]".
func (e *ValidationError) Error() string {
	what := "payload"
	if e.Type != "" {
		what = e.Type
	}
	return fmt.Sprintf("invalid %s: %s: %s", what, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true for any ValidationError.
func (e *ValidationError) Is(target error) bool {
	return target == ErrInvalid
}

// invalid builds a ValidationError; a helper so the rules read as one line each.
func invalid(msgType, field, format string, args ...any) error {
	return &ValidationError{Type: msgType, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// withType stamps msgType on a ValidationError that was built without one,
// e.g. by Point.Validate, which does not know the message it is part of.
func withType(err error, msgType string) error {
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Type == "" {
		cp := *ve
		cp.Type = msgType
		return &cp
	}
	return err
}

// validateOrderID checks the order_id rule shared by every order payload: it is
// set and equals the record key, so partitioning by key keeps one order's
// messages in order.
func validateOrderID(msgType, orderID, key string) error {
	if orderID == "" {
		return invalid(msgType, "order_id", "must not be empty")
	}
	if orderID != key {
		return invalid(msgType, "order_id", "%q does not match the record key %q", orderID, key)
	}
	return nil
}
