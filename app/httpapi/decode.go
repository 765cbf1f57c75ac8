package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxBatch is the most messages one POST /v1/messages may carry.
const MaxBatch = 500

// maxBody bounds a request body.
const maxBody = 1 << 20

// SendRequest is one message to send: the body of POST /v1/messages is one
// of these or a JSON array of them.
type SendRequest struct {
	Key  string          `json:"key"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// decodeSend parses and validates the body. On error it returns the index of
// the offending message when there is one.
func decodeSend(body io.Reader, knownTypes []string) ([]SendRequest, *int, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, nil, err
	}
	raw = bytes.TrimSpace(raw)
	var reqs []SendRequest
	switch {
	case len(raw) == 0:
		return nil, nil, errors.New("empty body: want {\"key\",\"type\",\"data\"} or an array of them")
	case raw[0] == '[':
		err = strictUnmarshal(raw, &reqs)
	default:
		var one SendRequest
		err = strictUnmarshal(raw, &one)
		reqs = []SendRequest{one}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if len(reqs) == 0 || len(reqs) > MaxBatch {
		return nil, nil, fmt.Errorf("want 1 to %d messages, got %d", MaxBatch, len(reqs))
	}
	for i, m := range reqs {
		if err := validateSend(m, knownTypes); err != nil {
			return nil, &i, fmt.Errorf("message %d: %w", i, err)
		}
	}
	return reqs, nil, nil
}

func validateSend(m SendRequest, knownTypes []string) error {
	switch {
	case m.Key == "":
		return errors.New("key is required")
	case m.Type == "":
		return errors.New("type is required")
	case !slices.Contains(knownTypes, m.Type):
		return fmt.Errorf("unknown type %q: known types are %s", m.Type, strings.Join(knownTypes, ", "))
	case len(m.Data) == 0 || string(m.Data) == "null":
		return errors.New("data is required")
	}
	return nil
}

func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// More alone misses a stray '}' or ']' after the value; only EOF means
	// nothing but whitespace follows.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
