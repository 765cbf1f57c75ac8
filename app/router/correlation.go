package router

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/messages"
)

// Correlation gives every message a correlation id, the input's own or, for
// the first message of a flow, its message id, and stamps it on every
// message the handler produces.
func Correlation(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		cid := msg.Metadata.Get(messages.HeaderCorrelationID)
		if cid == "" {
			cid = msg.UUID
			msg.Metadata.Set(messages.HeaderCorrelationID, cid)
		}
		out, err := h(msg)
		for _, o := range out {
			if o.Metadata.Get(messages.HeaderCorrelationID) == "" {
				o.Metadata.Set(messages.HeaderCorrelationID, cid)
			}
		}
		return out, err
	}
}
