package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"go.uber.org/zap"
)

// retryAfterBusy and retryAfterKafka are the Retry-After of a 429 and a
// 503: a free slot is a moment away, a broker that did not answer is not.
const (
	retryAfterBusy  = 1
	retryAfterKafka = 5
)

// apiError is the body of every answer but 202. The cause of a failed send
// is logged under RequestID, never echoed: it names brokers and topics.
type apiError struct {
	Error     string `json:"error"`
	Index     *int   `json:"index,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// tooLarge is a send error that knows whether a record was refused for its
// size (kafka.SendError); sending it again cannot help.
type tooLarge interface {
	error
	TooLarge() bool
}

// busy answers 429: every slot of http.send.max_concurrent is taken.
func busy(w http.ResponseWriter, slots int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterBusy))
	writeJSON(w, http.StatusTooManyRequests, apiError{
		Error: fmt.Sprintf("%d sends in flight, the most http.send.max_concurrent allows: retry shortly", slots)})
}

// badRequest answers a body that could not be read or is not valid input;
// the error describes the caller's own input.
func badRequest(w http.ResponseWriter, err error, idx *int) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("body too large: at most %d bytes", maxBody)})
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeJSON(w, http.StatusRequestTimeout, apiError{Error: "body not received within http.send.timeout"})
	default:
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error(), Index: idx})
	}
}

// tooLargeRecord answers 413 for message i, whose record the producer would
// refuse; nothing was sent.
func tooLargeRecord(w http.ResponseWriter, i, size, limit int) {
	writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Index: &i,
		Error: fmt.Sprintf("message %d: %d bytes as a record, more than producer.max_message_bytes (%d); nothing was sent", i, size, limit)})
}

// sendFailed answers a send that Kafka refused: 413 when a record was too
// large for the topic, else 503.
func (h *sendHandler) sendFailed(w http.ResponseWriter, id string, n int, err error) {
	h.log.Warn("send failed", zap.String("request_id", id), zap.Int("messages", n), zap.Error(err))
	var tl tooLarge
	if errors.As(err, &tl) && tl.TooLarge() {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{RequestID: id,
			Error: "a message is larger than the topic accepts; the others of this request may have been written"})
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterKafka))
	writeJSON(w, http.StatusServiceUnavailable, apiError{RequestID: id,
		Error: "not acknowledged by Kafka: retry later; a message written after all is then written twice"})
}

// timedOut answers 503 for a send still waiting on Kafka at its deadline.
func (h *sendHandler) timedOut(w http.ResponseWriter, id string, n int) {
	h.log.Warn("send not acknowledged within http.send.timeout", zap.String("request_id", id),
		zap.Int("messages", n), zap.Duration("timeout", h.opts.Timeout))
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterKafka))
	writeJSON(w, http.StatusServiceUnavailable, apiError{RequestID: id,
		Error: fmt.Sprintf("not acknowledged by Kafka within %s: the messages may still be written, so a retry can write them twice", h.opts.Timeout)})
}
