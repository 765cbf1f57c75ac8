package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/tracing"
	"dispatchd/messages"
)

// answerGrace is how long past a send's deadline its connection stays
// writable, so the answer to a send that ran out of time still arrives.
const answerGrace = 5 * time.Second

// Sender sends records and reports where they landed.
type Sender interface {
	Send(records []*sarama.ProducerMessage) ([]kafka.Delivery, error)
}

// Sent is where one accepted message landed.
type Sent struct {
	MessageID string `json:"message_id"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	kafka.Delivery
}

// SendOptions configures POST /v1/messages.
type SendOptions struct {
	// Topic is where the messages go (topics.input).
	Topic string
	// Types are the message types a message may have.
	Types []string
	// MaxRecordBytes is producer.max_message_bytes: a larger record is
	// refused before anything is sent, as the producer would refuse it.
	MaxRecordBytes int
	// MaxConcurrent bounds the sends served at once (http.send.max_concurrent).
	MaxConcurrent int
	// Timeout bounds one send, body and acknowledgement (http.send.timeout).
	Timeout time.Duration
	// Tracer starts each send's span; nil only propagates.
	Tracer trace.Tracer
}

// sendHandler serves POST /v1/messages.
type sendHandler struct {
	opts  SendOptions
	s     Sender
	slots chan struct{}
	log   *zap.Logger
}

// NewSend returns the handler of POST /v1/messages: it validates every
// message first, so bad input sends nothing, then sends them as one batch
// and answers 202 with each one's partition and offset, or an error by the
// deadline. Authentication and the content type are checked around it.
func NewSend(opts SendOptions, s Sender, log *zap.Logger) http.Handler {
	if opts.Tracer == nil {
		opts.Tracer = tracing.Off().Tracer()
	}
	return &sendHandler{opts: opts, s: s, slots: make(chan struct{}, opts.MaxConcurrent), log: log}
}

func (h *sendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	deadline := time.Now().Add(h.opts.Timeout)
	id := uuid.NewString()
	w.Header().Set("X-Request-Id", id)
	select {
	case h.slots <- struct{}{}:
	default:
		busy(w, cap(h.slots))
		return
	}
	ctx, span := h.startSpan(r)
	r = r.WithContext(ctx)
	records, sent, ok := h.read(w, r, deadline)
	if !ok {
		endSpan(span, errRejected)
		<-h.slots
		return
	}
	spanBatch(span, sent)
	h.send(w, r, id, deadline, records, sent, span)
}

// read reads and validates the body by the deadline and turns it into
// records, or answers why not.
func (h *sendHandler) read(w http.ResponseWriter, r *http.Request, deadline time.Time) ([]*sarama.ProducerMessage, []Sent, bool) {
	// The server's own deadlines are the same for every endpoint; a send
	// answers by its deadline, so a body still arriving then is cut off and
	// the connection stays writable long enough for the answer.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline.Add(answerGrace))
	reqs, idx, err := decodeSend(http.MaxBytesReader(w, r.Body, maxBody), h.opts.Types)
	if err != nil {
		badRequest(w, err, idx)
		return nil, nil, false
	}
	// From here only the deadline or the client's hang-up may end the wait,
	// and a passed read deadline would cancel the request like a hang-up.
	_ = rc.SetReadDeadline(time.Time{})
	records, sent := h.records(reqs)
	for _, rec := range records {
		tracing.Inject(r.Context(), tracing.Headers[sarama.RecordHeader]{H: &rec.Headers})
	}
	// Record format 2, the only one: kafka.version is at least 0.11.0.
	for i, rec := range records {
		if size := rec.ByteSize(2); size > h.opts.MaxRecordBytes {
			tooLargeRecord(w, i, size, h.opts.MaxRecordBytes)
			return nil, nil, false
		}
	}
	return records, sent, true
}

// send sends the records and answers with where they landed, or why not,
// by the deadline. It gives the request's slot back when the send returns.
func (h *sendHandler) send(w http.ResponseWriter, r *http.Request, id string, deadline time.Time,
	records []*sarama.ProducerMessage, sent []Sent, span trace.Span) {
	done := make(chan sendResult, 1)
	// The send outlives a request that timed out, and holds its slot until
	// it returns, which the producer bounds by producer.delivery_timeout.
	go func() {
		defer func() { <-h.slots }()
		d, err := h.s.Send(records)
		endSpan(span, err)
		done <- sendResult{d, err}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case res := <-done:
		if res.err != nil {
			h.sendFailed(w, id, len(records), res.err)
			return
		}
		for i := range sent {
			sent[i].Delivery = res.deliveries[i]
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"messages": sent})
	case <-timer.C:
		h.timedOut(w, id, len(records))
	case <-r.Context().Done():
		// The client hung up: no one to answer. The send runs on.
	}
}

type sendResult struct {
	deliveries []kafka.Delivery
	err        error
}

// records turns the validated messages into input records, each with a new
// message id that also starts its correlation.
func (h *sendHandler) records(reqs []SendRequest) ([]*sarama.ProducerMessage, []Sent) {
	records := make([]*sarama.ProducerMessage, len(reqs))
	sent := make([]Sent, len(reqs))
	for i, m := range reqs {
		id := uuid.NewString()
		var compact bytes.Buffer
		_ = json.Compact(&compact, m.Data) // m.Data was validated as JSON
		records[i] = &sarama.ProducerMessage{
			Topic: h.opts.Topic, Key: sarama.StringEncoder(m.Key), Value: sarama.ByteEncoder(compact.Bytes()),
			Headers: []sarama.RecordHeader{
				{Key: []byte(messages.HeaderType), Value: []byte(m.Type)},
				{Key: []byte(messages.HeaderMessageID), Value: []byte(id)},
				{Key: []byte(messages.HeaderCorrelationID), Value: []byte(id)},
			},
		}
		sent[i] = Sent{MessageID: id, Key: m.Key, Type: m.Type}
	}
	return records, sent
}
