package messages

import (
	"fmt"
	"strconv"
	"strings"
)

// Source locates a record in Kafka.
type Source struct {
	// Topic the record was read from.
	Topic string
	// Partition the record was read from.
	Partition int32
	// Offset of the record in its partition.
	Offset int64
}

// String renders the source as "<topic>/<partition>/<offset>".
func (s Source) String() string {
	// One allocation: it is written for every message, twice.
	var buf [128]byte
	b := append(buf[:0], s.Topic...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(s.Partition), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, s.Offset, 10)
	return string(b)
}

// ParseSource parses "<topic>/<partition>/<offset>". Topic names may not hold
// '/', so the last two fields are split off from the right.
func ParseSource(s string) (Source, error) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return Source{}, fmt.Errorf("source %q: want <topic>/<partition>/<offset>", s)
	}
	j := strings.LastIndexByte(s[:i], '/')
	if j <= 0 {
		return Source{}, fmt.Errorf("source %q: want <topic>/<partition>/<offset>", s)
	}
	p, err := strconv.ParseInt(s[j+1:i], 10, 32)
	if err != nil {
		return Source{}, fmt.Errorf("source %q: partition: %w", s, err)
	}
	o, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return Source{}, fmt.Errorf("source %q: offset: %w", s, err)
	}
	return Source{Topic: s[:j], Partition: int32(p), Offset: o}, nil
}

// Envelope is one input record as a handler sees it.
type Envelope struct {
	// Key is the record key: the entity the message is about.
	Key string
	// Type is the value of the "type" header.
	Type string
	// Payload is the record value, JSON.
	Payload []byte
	// Source is where the record was read.
	Source Source
}

// Result is what a handler returns: one record for the output topic. The
// runtime adds the key and the correlation headers.
type Result struct {
	// Type is the result's message type, e.g. "order.dispatched".
	Type string
	// Payload is the result value, JSON.
	Payload []byte
}
