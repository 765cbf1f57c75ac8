package handlers

import (
	"errors"
)

// ErrMissingType is returned, wrapped with Permanent, for a record without a
// type header: no handler can ever take it.
var ErrMissingType = errors.New("missing type header")

// ErrUnknownType is returned, wrapped with Permanent, for a record whose type
// has no registered handler.
var ErrUnknownType = errors.New("unknown message type")

// permanentError marks its wrapped error as one retrying cannot fix.
type permanentError struct {
	err error
}

// Error returns the wrapped error's message unchanged, so marking an error
// permanent does not alter what gets logged or written to a dead letter.
func (p *permanentError) Error() string { return p.err.Error() }

// Unwrap lets errors.Is and errors.As see the wrapped error.
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks err as permanent: the runtime dead-letters the record at
// once instead of retrying it. Permanent(nil) is nil, and marking an already
// permanent error returns it unchanged.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps, was marked with
// Permanent. Unmarked errors are transient: the runtime retries them.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
