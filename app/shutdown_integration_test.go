package app_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// slowOrders replaces order.placed's handler with one that takes d per
// message, so a stop lands in the middle of the work.
func slowOrders(d time.Duration) fx.Option {
	return fx.Decorate(func(*handlers.Registry) *handlers.Registry {
		inner := handlers.Typed("dispatch-order", handlers.DispatchOrder)
		return handlers.NewRegistry().MustRegister(messages.TypeOrderPlaced, handlers.Func{
			HandlerName: "slow-dispatch-order",
			Fn: func(ctx context.Context, in messages.Envelope) (messages.Result, error) {
				time.Sleep(d)
				return inner.Handle(ctx, in)
			},
		})
	})
}

func TestDaemon_after_a_graceful_stop_a_second_instance_continues_with_nothing_lost(t *testing.T) {
	cases := []struct {
		ordering string
		// work is long enough for the stop to land mid-input: key mode runs
		// up to 8 partitions x 64 messages at once, and drains them all.
		work time.Duration
	}{
		{"partition", 2 * time.Millisecond},
		{"key", 150 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.ordering, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 8)
			cfg.Consumer.Ordering = tc.ordering
			c.CreateTopics(t, 8, cfg.Topics.Input, cfg.Topics.Output, cfg.Topics.DeadLetter)
			inputs := orderInputs(200, 8)
			sent := produced(t, c, cfg.Topics.Input, inputs)

			first := startDaemon(t, cfg, slowOrders(tc.work))
			partial := c.ReadN(t, cfg.Topics.Output, 200, 60*time.Second)
			first.app.RequireStop()
			afterStop := len(c.ReadFor(t, cfg.Topics.Output, 300*time.Millisecond))
			require.Less(t, afterStop, len(inputs), "the first instance must stop before finishing, or this test shows nothing")
			t.Logf("first instance: %d results before the stop was asked, %d when it had stopped", len(partial), afterStop)

			second := startDaemon(t, cfg, slowOrders(0))
			defer second.app.RequireStop()
			checkResults(t, inputs, sent, c.ReadN(t, cfg.Topics.Output, len(inputs), 60*time.Second))
			extra := c.ReadFor(t, cfg.Topics.Output, 500*time.Millisecond)
			require.Len(t, extra, len(inputs), "no duplicate results after the handoff")
		})
	}
}

func TestDaemon_readiness_turns_off_before_the_drain_and_in_flight_work_finishes(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 2)
	d := startDaemon(t, cfg, slowOrders(1500*time.Millisecond))
	url := "http://" + d.http.Addr() + "/readyz"
	require.Equal(t, http.StatusOK, status(url))

	produced(t, c, cfg.Topics.Input, orderInputs(1, 1))
	require.Eventually(t, func() bool { return scrape(t, d.http.Addr())["dispatchd_inflight_messages"] == 1 },
		10*time.Second, 5*time.Millisecond)

	var wg sync.WaitGroup
	wg.Go(func() { d.app.RequireStop() })
	// While the in-flight message drains, HTTP still answers, and says 503.
	require.Eventually(t, func() bool { return status(url) == http.StatusServiceUnavailable }, 5*time.Second, 5*time.Millisecond)
	wg.Wait()
	results := c.ReadN(t, cfg.Topics.Output, 1, 5*time.Second)
	require.Equal(t, "order-0000", string(results[0].Key), "the in-flight message finished during the drain")
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
