package otlpsink

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the OTLP messages countSpans walks through
// (opentelemetry/proto/collector/trace/v1 and trace/v1).
const (
	requestResourceSpans = 1 // ExportTraceServiceRequest.resource_spans
	resourceScopeSpans   = 2 // ResourceSpans.scope_spans
	scopeSpans           = 2 // ScopeSpans.spans
)

var errMalformed = errors.New("malformed protobuf")

// countSpans counts the spans of an encoded ExportTraceServiceRequest
// without decoding them: a counting receiver runs on the machine it
// measures, and a full decode builds some thirty objects per span only to
// drop them.
func countSpans(b []byte) (int, error) {
	n := 0
	err := eachMessage(b, requestResourceSpans, func(rs []byte) error {
		return eachMessage(rs, resourceScopeSpans, func(ss []byte) error {
			return eachMessage(ss, scopeSpans, func([]byte) error { n++; return nil })
		})
	})
	return n, err
}

// eachMessage calls fn with the bytes of every field num in the message b,
// skipping the other fields.
func eachMessage(b []byte, num protowire.Number, fn func([]byte) error) error {
	for len(b) > 0 {
		got, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", errMalformed, protowire.ParseError(n))
		}
		b = b[n:]
		if got != num || typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(got, typ, b)
			if n < 0 {
				return fmt.Errorf("%w: %w", errMalformed, protowire.ParseError(n))
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", errMalformed, protowire.ParseError(n))
		}
		if err := fn(v); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
