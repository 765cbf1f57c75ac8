package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
)

// recordingSender is a Sender that records what it is asked to send and
// says record i landed in partition i%3 at offset 100+i, or fails with err.
type recordingSender struct {
	mu      sync.Mutex
	calls   int
	records []*sarama.ProducerMessage
	err     error
}

func (s *recordingSender) Send(records []*sarama.ProducerMessage) ([]kafka.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	s.records = append(s.records, records...)
	out := make([]kafka.Delivery, len(records))
	for i, r := range records {
		out[i] = kafka.Delivery{Topic: r.Topic, Partition: int32(i % 3), Offset: int64(100 + i)}
	}
	return out, nil
}

func (s *recordingSender) sent() (int, []*sarama.ProducerMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, append([]*sarama.ProducerMessage(nil), s.records...)
}

// readiness is a Readiness with fixed answers.
type readiness struct{ joined, stopping bool }

func (r readiness) Ready() bool    { return r.joined && !r.stopping }
func (r readiness) Joined() bool   { return r.joined }
func (r readiness) Stopping() bool { return r.stopping }

// routes returns the API over sender and ready with the default config and
// registry.
func routes(ready httpapi.Readiness, sender httpapi.Sender) http.Handler {
	return routesWithHealth(ready, progressOnly{kafka.NewProgress(time.Minute), nil}, sender)
}

// progressOnly is the daemon's Health with the pauses given.
type progressOnly struct {
	*kafka.Progress
	paused []router.Pause
}

func (p progressOnly) Paused() []router.Pause { return p.paused }

// routesWithHealth is routes with the progress tracker /healthz reads.
func routesWithHealth(ready httpapi.Readiness, health httpapi.Health, sender httpapi.Sender) http.Handler {
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "x"})
	return httpapi.Routes(config.Default(), ready, health, sender, handlers.Default(), m)
}

// do serves one request and returns the recorded response.
func do(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
