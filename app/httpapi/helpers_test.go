package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

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

// sendOn is the default config with POST /v1/messages enabled and no token.
func sendOn() config.Config {
	cfg := config.Default()
	cfg.HTTP.Send.Enabled = true
	return cfg
}

// routes returns the API over sender and ready with the send endpoint on,
// the default config otherwise, and the default registry.
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
	main, _, err := httpapi.Routes(sendOn(), endpoints(ready, health, sender))
	if err != nil {
		panic(err) // unreachable: sendOn names no token file, the one thing Routes reads
	}
	return main
}

// endpoints are the default registry and fresh metrics around the parts given.
func endpoints(ready httpapi.Readiness, health httpapi.Health, sender httpapi.Sender) httpapi.Endpoints {
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "x"})
	return httpapi.Endpoints{Ready: ready, Health: health, Sender: sender, Registry: handlers.Default(), Metrics: m, Log: zap.NewNop()}
}

// listeners returns the handlers Routes builds for cfg.
func listeners(t *testing.T, cfg config.Config, sender httpapi.Sender) (main, admin http.Handler) {
	t.Helper()
	main, admin, err := httpapi.Routes(cfg, endpoints(readiness{joined: true}, progressOnly{kafka.NewProgress(time.Minute), nil}, sender))
	require.NoError(t, err)
	return main, admin
}

// withSend returns the routes of sendOn changed by mutate, over sender.
func withSend(t *testing.T, sender httpapi.Sender, mutate func(*config.Config)) http.Handler {
	t.Helper()
	cfg := sendOn()
	mutate(&cfg)
	h, _ := listeners(t, cfg, sender)
	return h
}

// do serves one request and returns the recorded response; a POST carries
// Content-Type: application/json, as the endpoint requires.
func do(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	return serve(h, req)
}

// serve serves req and returns the recorded response.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
