package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
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
	"dispatchd/config"
)

// blockingSender is a broker that does not answer: each Send waits until
// release is closed, then succeeds.
type blockingSender struct {
	started chan struct{} // one value per Send that began
	release chan struct{}
	mu      sync.Mutex
	running int
}

func newBlockingSender() *blockingSender {
	return &blockingSender{started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (s *blockingSender) Send(records []*sarama.ProducerMessage) ([]kafka.Delivery, error) {
	s.mu.Lock()
	s.running++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
	}()
	s.started <- struct{}{}
	<-s.release
	return make([]kafka.Delivery, len(records)), nil
}

func (s *blockingSender) sending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

func TestSend_past_max_concurrent_answers_429_with_retry_after(t *testing.T) {
	const slots = 3
	sender := newBlockingSender()
	h := withSend(t, sender, func(c *config.Config) { c.HTTP.Send.MaxConcurrent = slots })

	var wg sync.WaitGroup
	codes := make(chan int, slots)
	for range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- do(t, h, http.MethodPost, "/v1/messages", batch(1)).Code
		}()
		<-sender.started
	}
	rec := do(t, h, http.MethodPost, "/v1/messages", batch(1))
	require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.Contains(t, rec.Body.String(), "3 sends in flight")

	close(sender.release)
	wg.Wait()
	close(codes)
	for code := range codes {
		require.Equal(t, http.StatusAccepted, code, "the sends within the cap were served")
	}
	require.Equal(t, http.StatusAccepted, do(t, h, http.MethodPost, "/v1/messages", batch(1)).Code, "slots are given back")
}

func TestSend_slow_broker_gets_503_by_the_deadline_and_keeps_its_slot_until_the_send_returns(t *testing.T) {
	const timeout = 100 * time.Millisecond
	sender := newBlockingSender()
	h := withSend(t, sender, func(c *config.Config) { c.HTTP.Send.MaxConcurrent, c.HTTP.Send.Timeout = 1, timeout })

	began := time.Now()
	rec := do(t, h, http.MethodPost, "/v1/messages", batch(2))
	took := time.Since(began)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.GreaterOrEqual(t, took, timeout)
	require.Less(t, took, timeout+time.Second, "answered at the deadline, not when the broker answers")
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
	var resp map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	require.Equal(t, "not acknowledged by Kafka within 100ms: the messages may still be written, so a retry can write them twice", resp["error"])
	require.Equal(t, rec.Header().Get("X-Request-Id"), resp["request_id"])

	// The send runs on, so the one slot stays taken: a stalled broker cannot
	// pile up more waiting sends than the cap.
	require.Equal(t, 1, sender.sending())
	require.Equal(t, http.StatusTooManyRequests, do(t, h, http.MethodPost, "/v1/messages", batch(1)).Code)
	close(sender.release)
	require.Eventually(t, func() bool { return sender.sending() == 0 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool {
		return do(t, h, http.MethodPost, "/v1/messages", batch(1)).Code == http.StatusAccepted
	}, 5*time.Second, 5*time.Millisecond)
}

// startServer serves h on an ephemeral loopback port until the test ends.
func startServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httpapi.NewServer(zap.NewNop(), httpapi.Listener{Name: "http", Addr: "127.0.0.1:0", Handler: h})
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s.Addr()
}

func TestSend_over_a_real_connection_answers_by_the_deadline(t *testing.T) {
	const timeout = 300 * time.Millisecond
	sender := newBlockingSender()
	t.Cleanup(func() { close(sender.release) })
	addr := startServer(t, withSend(t, sender, func(c *config.Config) { c.HTTP.Send.Timeout = timeout }))

	t.Run("slow_broker_503", func(t *testing.T) {
		began := time.Now()
		resp, err := http.Post("http://"+addr+"/v1/messages", "application/json", strings.NewReader(batch(1)))
		require.NoError(t, err, "the connection is answered, not dropped")
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		require.Less(t, time.Since(began), timeout+time.Second)
	})

	t.Run("slow_body_408", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		body := batch(1)
		_, err = fmt.Fprintf(conn, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			len(body), body[:10]) // and the rest never comes
		require.NoError(t, err)
		began := time.Now()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
		require.Less(t, time.Since(began), timeout+time.Second)
	})
}

func TestSend_client_that_hangs_up_frees_the_handler(t *testing.T) {
	sender := newBlockingSender()
	h := withSend(t, sender, func(c *config.Config) { c.HTTP.Send.Timeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/messages", strings.NewReader(batch(1)))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve(h, req)
	}()
	<-sender.started
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler waited on a send for a client that left")
	}
	close(sender.release)
}
