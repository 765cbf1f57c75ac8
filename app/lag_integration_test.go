package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/config"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// gated registers test.gate, whose handler waits until gate closes.
func gated(gate <-chan struct{}) fx.Option {
	return fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
		return r.MustRegister("test.gate", handlers.Func{HandlerName: "gate",
			Fn: func(ctx context.Context, in messages.Envelope) (messages.Result, error) {
				select {
				case <-gate:
				case <-ctx.Done():
					return messages.Result{}, ctx.Err()
				}
				return messages.Result{Type: "test.done", Payload: in.Payload}, nil
			}})
	})
}

// startGated starts the daemon with test.gate registered, and returns it
// and what opens the gate. The gate opens, at the latest, as the test
// ends, before the daemon stops.
func startGated(t *testing.T, cfg config.Config) (*daemon, func()) {
	gate := make(chan struct{})
	release := sync.OnceFunc(func() { close(gate) })
	d := startDaemon(t, cfg, gated(gate))
	t.Cleanup(d.app.RequireStop)
	t.Cleanup(release)
	return d, release
}

// lagOf is the one lag series the daemon at addr reports, or -1 if none.
func lagOf(t *testing.T, addr string) float64 {
	lags := series(scrape(t, addr), "dispatchd_consumer_lag")
	require.LessOrEqual(t, len(lags), 1, "one partition: %v", lags)
	for _, v := range lags {
		return v
	}
	return -1
}

func TestDaemon_lag_under_read_committed_counts_no_open_or_aborted_transaction(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	cfg.Consumer.StableOffsetInterval = 200 * time.Millisecond
	cfg.Router.HandlerTimeout = time.Minute
	d, release := startGated(t, cfg)
	addr := d.http.Addr()

	// Committed records behind one that blocks are lag.
	c.ProduceTxns(t, cfg.Topics.Input, []kafkatest.Txn{{Records: []kafkatest.Record{
		{Key: "g", Value: []byte(`{}`), Headers: typed("test.gate")},
		orders("order-1")[0], orders("order-2")[0],
	}}})
	require.Eventually(t, func() bool { return lagOf(t, addr) >= 3 }, 15*time.Second, 50*time.Millisecond,
		"the blocked record and the two behind it are lag")

	// An aborted transaction, and one still open, are not.
	c.ProduceTxns(t, cfg.Topics.Input, []kafkatest.Txn{{Records: orders("aborted-1", "aborted-2"), Abort: true}})
	_, end := c.OpenTxn(t, cfg.Topics.Input, orders("open-1", "open-2"))
	release()
	c.ReadN(t, cfg.Topics.Output, 3, 30*time.Second)
	require.Eventually(t, func() bool { return lagOf(t, addr) == 0 }, 15*time.Second, 50*time.Millisecond,
		"caught up: the aborted and the open transaction are no lag")
	for range 5 { // and it stays so, poll after poll
		time.Sleep(cfg.Consumer.StableOffsetInterval)
		require.Zero(t, lagOf(t, addr))
	}

	end(true) // once committed they are read, and the lag is 0 again after them
	c.ReadN(t, cfg.Topics.Output, 5, 30*time.Second)
	require.Eventually(t, func() bool { return lagOf(t, addr) == 0 }, 15*time.Second, 50*time.Millisecond)
}

func TestDaemon_lag_under_read_uncommitted_is_the_high_water_mark_less_the_commit_point(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	cfg.Consumer.IsolationLevel = "read_uncommitted"
	cfg.Router.HandlerTimeout = time.Minute
	d, release := startGated(t, cfg)
	addr := d.http.Addr()

	c.Produce(t, cfg.Topics.Input, []kafkatest.Record{
		{Key: "g", Value: []byte(`{}`), Headers: typed("test.gate")},
		orders("order-1")[0], orders("order-2")[0],
	})
	require.Eventually(t, func() bool { return lagOf(t, addr) == 3 }, 15*time.Second, 50*time.Millisecond,
		"the blocked record and the two behind it are lag")
	release()
	c.ReadN(t, cfg.Topics.Output, 3, 30*time.Second)
	require.Eventually(t, func() bool { return lagOf(t, addr) == 0 }, 15*time.Second, 50*time.Millisecond,
		"caught up: no lag")
}
