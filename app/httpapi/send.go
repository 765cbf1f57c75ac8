package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/IBM/sarama"
	"github.com/google/uuid"

	"dispatchd/app/kafka"
	"dispatchd/messages"
)

// MaxBatch is the most messages one POST /v1/messages may carry.
const MaxBatch = 500

// maxBody bounds a request body.
const maxBody = 1 << 20

// Sender sends records and reports where they landed.
type Sender interface {
	Send(records []*sarama.ProducerMessage) ([]kafka.Delivery, error)
}

// SendRequest is one message to send: the body of POST /v1/messages is one
// of these or a JSON array of them.
type SendRequest struct {
	Key  string          `json:"key"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Sent is where one accepted message landed.
type Sent struct {
	MessageID string `json:"message_id"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	kafka.Delivery
}

type apiError struct {
	Error string `json:"error"`
	Index *int   `json:"index,omitempty"`
}

// send handles POST /v1/messages: it validates every message first, so bad
// input sends nothing, then sends them as one batch to topic and answers 202
// with each one's partition and offset.
func send(s Sender, topic string, knownTypes []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reqs, idx, err := decodeSend(http.MaxBytesReader(w, r.Body, maxBody), knownTypes)
		if err != nil {
			code := http.StatusBadRequest
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				code = http.StatusRequestEntityTooLarge
			}
			writeJSON(w, code, apiError{Error: err.Error(), Index: idx})
			return
		}
		records := make([]*sarama.ProducerMessage, len(reqs))
		sent := make([]Sent, len(reqs))
		for i, m := range reqs {
			id := uuid.NewString()
			var compact bytes.Buffer
			_ = json.Compact(&compact, m.Data) // m.Data was validated as JSON
			records[i] = &sarama.ProducerMessage{
				Topic: topic, Key: sarama.StringEncoder(m.Key), Value: sarama.ByteEncoder(compact.Bytes()),
				Headers: []sarama.RecordHeader{
					{Key: []byte(messages.HeaderType), Value: []byte(m.Type)},
					{Key: []byte(messages.HeaderMessageID), Value: []byte(id)},
					{Key: []byte(messages.HeaderCorrelationID), Value: []byte(id)},
				},
			}
			sent[i] = Sent{MessageID: id, Key: m.Key, Type: m.Type}
		}
		deliveries, err := s.Send(records)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "not sent, safe to retry: " + err.Error()})
			return
		}
		for i := range sent {
			sent[i].Delivery = deliveries[i]
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"messages": sent})
	}
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
