// Package messages is dispatchd's wire contract: header names, the
// envelope a handler sees, the record context (key and source) that the
// consumer, the router and the producer share, the typed payloads of the
// courier-dispatch domain, and their codecs and validation. It imports
// nothing of ours.
package messages

// Header names on Kafka records. Inputs may come from any Kafka client, so only
// HeaderType is required on an input record.
const (
	// HeaderType names the message type of a record, e.g. "order.placed".
	HeaderType = "type"
	// HeaderMessageID is the id of a record; dispatchd sets it on what it publishes.
	HeaderMessageID = "message_id"
	// HeaderCorrelationID ties every record of one business flow together.
	HeaderCorrelationID = "correlation_id"
	// HeaderCausationID is the message id of the record that caused this one.
	HeaderCausationID = "causation_id"
	// HeaderSource is "<topic>/<partition>/<offset>" of the input a record derives from.
	HeaderSource = "dispatch_source"
	// HeaderError is the reason a record was dead-lettered.
	HeaderError = "dispatch_error"
	// HeaderErrorClass is "permanent" or "exhausted" on a dead letter.
	HeaderErrorClass = "dispatch_error_class"
	// HeaderAttempts is how many times a dead-lettered record was handled.
	HeaderAttempts = "dispatch_attempts"
)

// Values of HeaderErrorClass.
const (
	// ErrorClassPermanent marks a record that can never succeed (bad type, payload, ...).
	ErrorClassPermanent = "permanent"
	// ErrorClassExhausted marks a record whose transient failures outlasted its retries.
	ErrorClassExhausted = "exhausted"
)
