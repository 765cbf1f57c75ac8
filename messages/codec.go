package messages

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Decode strictly decodes payload, one JSON object, into v (a pointer).
// Every error it returns wraps ErrUndecodable. It rejects:
//   - an empty or all-whitespace payload;
//   - any JSON value that is not an object (array, string, number, null, ...);
//   - fields v does not declare;
//   - values of the wrong JSON type for their field;
//   - anything after the object but whitespace.
//
// Field names still match case-insensitively, as encoding/json always does.
func Decode(payload []byte, v any) error {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		return fmt.Errorf("%w: empty", ErrUndecodable)
	}
	// Check the shape ourselves: json.Unmarshal would accept "null" into a
	// struct pointer as a no-op and leave a zero value that looks decoded.
	if trimmed[0] != '{' {
		var probe any
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return fmt.Errorf("%w: not JSON: %w", ErrUndecodable, err)
		}
		return fmt.Errorf("%w: want a JSON object, got %s", ErrUndecodable, describe(trimmed[0]))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	// A producer that misspells a field ("orderid", "drop_off") would otherwise
	// have that field silently dropped and its data lost; failing loudly sends
	// the record to the dead-letter topic where someone will see it.
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrUndecodable, err)
	}
	// Decode stops after the first value; a second one, or garbage, means the
	// producer framed the record wrong and we may be reading half of it.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the JSON object", ErrUndecodable)
	}
	return nil
}

// Encode renders v as compact JSON. It is deterministic for structs: fields
// come out in declaration order, so equal values give byte-identical payloads.
func Encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b, nil
}

// describe names the JSON kind that starts with c, for error messages.
func describe(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	default:
		return fmt.Sprintf("%q", c)
	}
}
