package tracing

import (
	"context"
	"slices"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// header is a Kafka record header: sarama's RecordHeader and
// messages.Header alike.
type header interface {
	~struct {
		Key   []byte
		Value []byte
	}
}

type kv = struct {
	Key   []byte
	Value []byte
}

// Headers is a propagation.TextMapCarrier over Kafka record headers. Get
// reads the last header of a name, as Kafka's Java client (lastHeader)
// does; Set leaves exactly one header of its name, so a reader that takes
// the first and one that takes the last agree.
type Headers[H header] struct {
	// H are the headers read and written.
	H *[]H
}

var _ propagation.TextMapCarrier = Headers[kv]{}

// Get returns the value of the last header named key, or "".
func (c Headers[H]) Get(key string) string {
	hs := *c.H
	for i := len(hs) - 1; i >= 0; i-- {
		if h := kv(hs[i]); string(h.Key) == key {
			return string(h.Value)
		}
	}
	return ""
}

// Set replaces the headers named key by one with value, in place of the
// first, or appends it.
func (c Headers[H]) Set(key, value string) {
	match := func(h H) bool { return string(kv(h).Key) == key }
	nh := H(kv{Key: []byte(key), Value: []byte(value)})
	hs := *c.H
	at := slices.IndexFunc(hs, match)
	if at < 0 {
		*c.H = append(hs, nh)
		return
	}
	hs[at] = nh
	rest := slices.DeleteFunc(hs[at+1:], match)
	*c.H = hs[:at+1+len(rest)]
}

// Keys lists the header names, duplicates once.
func (c Headers[H]) Keys() []string {
	keys := make([]string, 0, len(*c.H))
	for _, h := range *c.H {
		if k := string(kv(h).Key); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// Replace writes the trace context of ctx into md and returns raw without
// the headers it replaces, so a copy of a record's headers (a dead letter's)
// written before md holds the new context once, not the input's beside it.
// raw is not modified; with no trace context in ctx it is returned as is.
func Replace[H header](ctx context.Context, md map[string]string, raw []H) []H {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return raw
	}
	Inject(ctx, propagation.MapCarrier(md))
	fields := Fields()
	stale := func(h H) bool { return slices.Contains(fields, string(kv(h).Key)) }
	if !slices.ContainsFunc(raw, stale) {
		return raw
	}
	return slices.DeleteFunc(slices.Clone(raw), stale)
}
