package router

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"

	"dispatchd/messages"
)

// MaxReasonBytes bounds dispatch_error: an error may quote its input (an
// unknown field, a mismatched id), and a dead letter must never outgrow the
// record it reports on because of it.
const MaxReasonBytes = 1024

// Headers a reference-only dead letter adds in place of what it left out.
const (
	// HeaderValueBytes is the size of the original value that was left out.
	HeaderValueBytes = "dispatch_value_bytes"
	// HeaderValueSHA256 is the hex SHA-256 of the original value left out.
	HeaderValueSHA256 = "dispatch_value_sha256"
	// HeaderHeadersDropped is how many original headers were left out.
	HeaderHeadersDropped = "dispatch_headers_dropped"
	// HeaderKeySHA256 is the hex SHA-256 of an original key left out.
	HeaderKeySHA256 = "dispatch_key_sha256"
)

// recordOverhead is what a record costs on the wire beyond its key, value
// and header bytes, rounded up: the record and batch framing, and a few
// varints per header.
const (
	recordOverhead = 128
	headerOverhead = 10
)

// fit makes the dead letter dl of record rec fit in maxBytes. It leaves
// out, in turn, the original value (keeping its size and digest), then the
// original headers (keeping their count), then the key (keeping its
// digest; such a dead letter may land on another partition), so the dead
// letter still names its source and reason; the README says how to find
// the original.
func fit(dl *message.Message, rec messages.Record, maxBytes int) messages.Record {
	if maxBytes <= 0 || size(dl, rec) <= maxBytes {
		return rec
	}
	sum := sha256.Sum256(dl.Payload)
	dl.Metadata.Set(HeaderValueBytes, strconv.Itoa(len(dl.Payload)))
	dl.Metadata.Set(HeaderValueSHA256, hex.EncodeToString(sum[:]))
	dl.Payload = nil
	if size(dl, rec) <= maxBytes {
		return rec
	}
	dl.Metadata.Set(HeaderHeadersDropped, strconv.Itoa(len(rec.Headers)))
	rec.Headers = []messages.Header{}
	if size(dl, rec) <= maxBytes {
		return rec
	}
	key := sha256.Sum256([]byte(rec.Key))
	dl.Metadata.Set(HeaderKeySHA256, hex.EncodeToString(key[:]))
	rec.Key = ""
	return rec
}

// size is an upper bound on the bytes of the record dl becomes.
func size(dl *message.Message, rec messages.Record) int {
	n := recordOverhead + len(rec.Key) + len(dl.Payload)
	for _, h := range rec.Headers {
		n += headerOverhead + len(h.Key) + len(h.Value)
	}
	for k, v := range dl.Metadata {
		n += headerOverhead + len(k) + len(v)
	}
	return n
}

// Clip returns s cut to at most n bytes on a rune boundary, invalid UTF-8
// replaced, and marked with an ellipsis when it was cut.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const more = "…"
	cut := max(n-len(more), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + more
}
