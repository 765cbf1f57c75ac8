package messages

import (
	"context"
	"time"
)

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
	if v, ok := RecordValue(key, &c.rec); ok {
		return v
	}
	return c.Context.Value(key)
}

// RecordValue is how a context carrying r answers Value(key): r, and true,
// for the key a Record is kept under. A context type of another package
// that keeps a Record among its own fields answers through it, so a
// message's context costs one allocation for everything it carries.
func RecordValue(key any, r *Record) (any, bool) {
	if key == (recordKey{}) {
		return r, true
	}
	return nil, false
}

// WithRecord returns ctx carrying r.
func WithRecord(ctx context.Context, r Record) context.Context {
	return &recordCtx{Context: ctx, rec: r}
}

// detachedRecordCtx is context.WithoutCancel and WithRecord in one
// allocation: it carries a Record and its parent's values, but not the
// parent's deadline or cancellation. One difference remains: context.Cause
// of it reports the parent's cause once the parent ended, where
// WithoutCancel's reports nil; nothing that publishes a result reads it.
type detachedRecordCtx struct {
	recordCtx
}

func (*detachedRecordCtx) Deadline() (deadline time.Time, ok bool) { return time.Time{}, false }
func (*detachedRecordCtx) Done() <-chan struct{}                   { return nil }
func (*detachedRecordCtx) Err() error                              { return nil }

// WithDetachedRecord returns a context carrying r and parent's values, that
// outlives parent: what a result is published with, since its input's
// context ends once the input is acked, before the result is acknowledged.
func WithDetachedRecord(parent context.Context, r Record) context.Context {
	return &detachedRecordCtx{recordCtx{Context: parent, rec: r}}
}

// RecordFromContext returns the record carried by ctx, if any.
func RecordFromContext(ctx context.Context) (Record, bool) {
	if r, ok := ctx.Value(recordKey{}).(*Record); ok {
		return *r, true
	}
	return Record{}, false
}
