// Package router wires the watermill router that consumes the input topic,
// dispatches each message to its handler, and publishes the result, with the
// middleware that recovers, retries, dead-letters, correlates and measures.
package router

import (
	"crypto/sha1"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"dispatchd/handlers"
	"dispatchd/messages"
)

// resultIDSpace namespaces result ids: a result's id is derived from its
// input's id, so a redelivered input yields a result with the same id and
// consumers downstream can drop the duplicate.
var resultIDSpace = uuid.MustParse("6f1c1e0a-8d57-4d38-9a0e-5b1f2a3c4d5e")

// Dispatch returns the router handler: it finds the handler for the
// message's type, records its name on the message for the middleware's logs
// and metrics, runs it, and turns its result into the output message, keyed
// like the input and carrying causation and source headers.
func Dispatch(reg *handlers.Registry) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		rec, _ := messages.RecordFromContext(msg.Context())
		in := envelope(msg, rec)
		h, err := reg.Lookup(in.Type)
		if err != nil {
			return nil, err
		}
		setHandler(msg, h.Name())
		res, err := h.Handle(msg.Context(), in)
		if err != nil {
			return nil, err
		}
		out := message.NewMessage(resultID(msg.UUID), res.Payload)
		out.Metadata.Set(messages.HeaderType, res.Type)
		out.Metadata.Set(messages.HeaderCausationID, msg.UUID)
		out.Metadata.Set(messages.HeaderSource, in.Source.String())
		// The key and source only: a Record with Headers is written as a
		// copy of its input (a dead letter), and a result is not one.
		out.SetContext(messages.WithDetachedRecord(msg.Context(), messages.Record{Key: rec.Key, Source: rec.Source}))
		return []*message.Message{out}, nil
	}
}

// resultID is uuid.NewSHA1(resultIDSpace, []byte(inputID)).String(), less
// the allocations of uuid's hash.Hash path, which would be paid per message.
func resultID(inputID string) string {
	data := make([]byte, 0, 64)
	data = append(append(data, resultIDSpace[:]...), inputID...)
	sum := sha1.Sum(data)
	var id uuid.UUID
	copy(id[:], sum[:])
	id[6] = (id[6] & 0x0f) | 0x50 // version 5
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 4122 variant
	return id.String()
}

// envelope is the handler's view of a consumed message and its record.
func envelope(msg *message.Message, rec messages.Record) messages.Envelope {
	return messages.Envelope{
		Key:     rec.Key,
		Type:    msg.Metadata.Get(messages.HeaderType),
		Payload: msg.Payload,
		Source:  rec.Source,
	}
}
