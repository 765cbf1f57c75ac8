package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// flakyOnce fails each key's first attempt, so retries show in the metrics.
func flakyOnce() fx.Option {
	var mu sync.Mutex
	seen := map[string]bool{}
	return fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
		return r.MustRegister("test.flaky", handlers.Func{HandlerName: "flaky-once",
			Fn: func(_ context.Context, in messages.Envelope) (messages.Result, error) {
				mu.Lock()
				defer mu.Unlock()
				if !seen[in.Key] {
					seen[in.Key] = true
					return messages.Result{}, errors.New("first attempt fails")
				}
				return messages.Result{Type: "test.done", Payload: in.Payload}, nil
			}})
	})
}

// scrape returns /metrics as sample name+labels -> value.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		out[line[:i]] = v
	}
	return out
}

// series returns the samples of metric name.
func series(samples map[string]float64, name string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range samples {
		if k == name || strings.HasPrefix(k, name+"{") {
			out[k] = v
		}
	}
	return out
}

func TestDaemon_metrics_under_load_and_the_lag_gauge_drains_to_zero(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	d := startDaemon(t, cfg, flakyOnce())
	defer d.app.RequireStop()

	inputs := orderInputs(200, 5)
	for i := range 20 {
		key := "flaky-" + strconv.Itoa(i)
		inputs = append(inputs, kafkatest.Record{Key: key, Value: []byte(`{}`), Headers: map[string]string{messages.HeaderType: "test.flaky"}})
	}
	inputs = append(inputs, kafkatest.Record{Key: "bad", Value: []byte(`nope`), Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}})
	produced(t, c, cfg.Topics.Input, inputs)

	// Under load: lag is reported for owned partitions while they are behind.
	var sawLag bool
	require.Eventually(t, func() bool {
		for _, v := range series(scrape(t, d.http.Addr()), "dispatchd_consumer_lag") {
			sawLag = sawLag || v > 0
		}
		return sawLag || len(c.ReadFor(t, cfg.Topics.Output, 0)) == len(inputs)-1
	}, 30*time.Second, time.Millisecond)
	c.ReadN(t, cfg.Topics.Output, len(inputs)-1, 60*time.Second)
	c.ReadN(t, cfg.Topics.DeadLetter, 1, 30*time.Second)

	// Caught up: every lag series drains to zero and nothing is in flight.
	var m map[string]float64
	require.Eventually(t, func() bool {
		m = scrape(t, d.http.Addr())
		lag := series(m, "dispatchd_consumer_lag")
		if len(lag) == 0 || m["dispatchd_inflight_messages"] != 0 {
			return false
		}
		for _, v := range lag {
			if v != 0 {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "lag never drained to 0")

	in, out := cfg.Topics.Input, cfg.Topics.Output
	require.Equal(t, float64(len(inputs)), m[`dispatchd_messages_consumed_total{topic="`+in+`"}`])
	require.Equal(t, float64(len(inputs)-1), m[`dispatchd_results_published_total{topic="`+out+`"}`])
	require.Equal(t, map[string]float64{
		`dispatchd_messages_handled_total{handler="dispatch-order",outcome="success",type="order.placed"}`:     1000,
		`dispatchd_messages_handled_total{handler="flaky-once",outcome="retry",type="test.flaky"}`:             20,
		`dispatchd_messages_handled_total{handler="flaky-once",outcome="success",type="test.flaky"}`:           20,
		`dispatchd_messages_handled_total{handler="dispatch-order",outcome="dead_letter",type="order.placed"}`: 1,
	}, series(m, "dispatchd_messages_handled_total"))
	require.Equal(t, 1.0, m[`dispatchd_dead_letters_total{reason="permanent"}`])
	require.Equal(t, 8.0, m["dispatchd_partitions_assigned"])
	require.GreaterOrEqual(t, m["dispatchd_rebalances_total"], 1.0)
	require.Equal(t, 1.0, m[`dispatchd_build_info{commit="test",version="test"}`])
	// 1000 successes, 20 failed and 20 successful flaky attempts, 1 invalid order.
	require.Equal(t, map[string]float64{
		`dispatchd_handler_duration_seconds_count{handler="dispatch-order",type="order.placed"}`: 1001,
		`dispatchd_handler_duration_seconds_count{handler="flaky-once",type="test.flaky"}`:       40,
	}, series(m, "dispatchd_handler_duration_seconds_count"))
	require.Len(t, series(m, "dispatchd_consumer_lag"), 8, "one lag series per owned partition")
	ages := series(m, "dispatchd_last_commit_age_seconds")
	require.Len(t, ages, 8, "one commit age per owned partition")
	for k, v := range ages {
		require.GreaterOrEqual(t, v, 0.0, k)
	}
}

func TestDaemon_a_cooperative_rebalance_moves_partitions_and_the_metrics_follow(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	first := startDaemon(t, cfg)
	defer first.app.RequireStop()
	require.Eventually(t, func() bool {
		return scrape(t, first.http.Addr())["dispatchd_partitions_assigned"] == 8
	}, 30*time.Second, 20*time.Millisecond)

	second := startDaemon(t, cfg)
	defer second.app.RequireStop()
	var a, b map[string]float64
	require.Eventually(t, func() bool {
		a, b = scrape(t, first.http.Addr()), scrape(t, second.http.Addr())
		pa, pb := a["dispatchd_partitions_assigned"], b["dispatchd_partitions_assigned"]
		return pa > 0 && pb > 0 && pa+pb == 8 &&
			len(series(a, "dispatchd_last_commit_age_seconds"))+len(series(b, "dispatchd_last_commit_age_seconds")) == 8
	}, 30*time.Second, 50*time.Millisecond, "the partitions were never split between the members")
	// A cooperative rebalance keeps the first member's session, so its new
	// generation is reported at its next commit tick, which may come after
	// the split is visible.
	require.Eventually(t, func() bool {
		return scrape(t, first.http.Addr())["dispatchd_rebalances_total"] >= 2
	}, 10*time.Second, 50*time.Millisecond, "the first member never reported the rebalance")
}
