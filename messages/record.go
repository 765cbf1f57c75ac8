package messages

import "context"

// Record is what dispatchd knows about the Kafka record behind a message:
// its key and where it was read. The consumer puts it in a message's
// context; what the router derives from the message (its result, its dead
// letter) carries the same Record on, so the producer keys the output with
// the input's key.
type Record struct {
	// Key is the record key.
	Key string
	// Source is topic, partition and offset of the record.
	Source Source
	// Headers are the record's headers as they were on the wire, in order,
	// duplicates kept. The consumer sets them (never nil, even when empty);
	// a message published with non-nil Headers is written with exactly
	// these headers first, then its own metadata: that is how a dead letter
	// copies its input. A result carries none.
	Headers []Header
}

// Header is one record header, bytes as they were on the wire.
type Header struct {
	// Key is the header name.
	Key []byte
	// Value is the header value.
	Value []byte
}

type recordKey struct{}

// recordCtx carries a Record in one allocation, where context.WithValue
// takes two (the context and the boxed Record); every message gets one.
type recordCtx struct {
	context.Context
	rec Record
}

func (c *recordCtx) Value(key any) any {
	if key == (recordKey{}) {
		return &c.rec
	}
	return c.Context.Value(key)
}

// WithRecord returns ctx carrying r.
func WithRecord(ctx context.Context, r Record) context.Context {
	return &recordCtx{Context: ctx, rec: r}
}

// RecordFromContext returns the record carried by ctx, if any.
func RecordFromContext(ctx context.Context) (Record, bool) {
	if r, ok := ctx.Value(recordKey{}).(*Record); ok {
		return *r, true
	}
	return Record{}, false
}
