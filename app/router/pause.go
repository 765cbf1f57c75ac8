package router

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"

	"dispatchd/app/telemetry"
	"dispatchd/messages"
)

// Reasons a partition pauses: the values of the reason label.
const (
	// ReasonResultsUnwritable: the results topic is missing, refuses
	// writes, or the brokers did not acknowledge in time.
	ReasonResultsUnwritable = "results_unwritable"
	// ReasonDeadLetterUnwritable: a dead letter could not be written.
	ReasonDeadLetterUnwritable = "dead_letter_unwritable"
	// ReasonPanic: the middleware itself panicked.
	ReasonPanic = "panic"
	// ReasonOther: any other error that left a message unfinished.
	ReasonOther = "other"
)

// PauseError is a failure that neither a retry nor a dead letter can end:
// the message is nacked, and its partition pauses until it goes through.
type PauseError struct {
	// Reason is one of the Reason constants.
	Reason string
	// Err is the cause.
	Err error
}

func (e *PauseError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the cause.
func (e *PauseError) Unwrap() error { return e.Err }

// Pauses tracks the partitions whose next message could be neither
// finished nor dead-lettered. Each is redelivered after the consumer's
// backoff, logged once per redelivery, shown on /healthz and as
// dispatchd_partition_paused, and resumes by itself once the message goes
// through. It is safe for concurrent use.
type Pauses struct {
	m   *telemetry.Metrics
	log *zap.Logger
	now func() time.Time

	mu    sync.Mutex
	byKey map[partitionKey]*Pause
}

// Pause is one paused partition.
type Pause struct {
	// Partition is "topic/partition".
	Partition string `json:"partition"`
	// Offset is the offset of the message it waits on.
	Offset int64 `json:"offset"`
	// Reason is one of the Reason constants.
	Reason string `json:"reason"`
	// Since is when it paused.
	Since time.Time `json:"since"`
	// Attempts is how many deliveries of the message failed so far.
	Attempts int `json:"attempts"`
}

// NewPauses returns an empty tracker.
func NewPauses(m *telemetry.Metrics, log *zap.Logger) *Pauses {
	return &Pauses{m: m, log: log, now: time.Now, byKey: map[partitionKey]*Pause{}}
}

// List returns the paused partitions.
func (p *Pauses) List() []Pause {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Pause, 0, len(p.byKey))
	for _, ps := range p.byKey {
		out = append(out, *ps)
	}
	return out
}

// Middleware records each message the chain leaves unfinished as a pause of
// its partition, and the pause's end when the same message goes through.
func (p *Pauses) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		rec, _ := messages.RecordFromContext(msg.Context())
		if err == nil {
			p.resume(rec.Source)
			return out, nil
		}
		if msg.Context().Err() == nil { // not shutdown
			p.pause(rec.Source, reasonOf(err), err, msgFields(msg))
		}
		return out, err
	}
}

// partitionKey names a partition without formatting it: resume runs for
// every finished message, and the text is needed only when one pauses.
type partitionKey struct {
	topic     string
	partition int32
}

func keyOf(s messages.Source) partitionKey { return partitionKey{s.Topic, s.Partition} }

func (p *Pauses) pause(src messages.Source, reason string, err error, fields []zap.Field) {
	key := keyOf(src)
	p.mu.Lock()
	ps := p.byKey[key]
	if ps == nil || ps.Offset != src.Offset || ps.Reason != reason {
		if ps != nil {
			p.m.Resumed(src.Topic, src.Partition, ps.Reason)
		}
		ps = &Pause{Partition: fmt.Sprintf("%s/%d", src.Topic, src.Partition), Offset: src.Offset, Reason: reason, Since: p.now()}
		p.byKey[key] = ps
		p.m.Paused(src.Topic, src.Partition, reason)
	}
	ps.Attempts++
	attempts, since := ps.Attempts, ps.Since
	p.mu.Unlock()
	p.log.Warn("partition paused: its message could be neither finished nor dead-lettered; redelivering after backoff",
		append(fields, zap.String("reason", reason), zap.Int("deliveries", attempts),
			zap.Duration("paused_for", p.now().Sub(since)), zap.String("error", Clip(err.Error(), MaxReasonBytes)))...)
}

func (p *Pauses) resume(src messages.Source) {
	key := keyOf(src)
	p.mu.Lock()
	ps := p.byKey[key]
	if ps == nil || ps.Offset != src.Offset {
		p.mu.Unlock()
		return
	}
	delete(p.byKey, key)
	p.mu.Unlock()
	p.m.Resumed(src.Topic, src.Partition, ps.Reason)
	p.log.Info("partition resumed", zap.String("partition", ps.Partition), zap.Int64("offset", src.Offset),
		zap.String("reason", ps.Reason), zap.Duration("paused_for", p.now().Sub(ps.Since)), zap.Int("deliveries", ps.Attempts+1))
}

// reasonOf is the pause reason of an error that reached the top of the chain.
func reasonOf(err error) string {
	var pe *PauseError
	switch {
	case errors.As(err, &pe):
		return pe.Reason
	case errors.Is(err, errPanicked):
		return ReasonPanic
	default:
		return ReasonOther
	}
}
